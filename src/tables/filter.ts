// Row filters: a RowFilter tree compiled once into a predicate over raw rows.
// Cells are typed on demand, so a filter on one column converts one cell a row.
// Logic is two-valued: a null cell matches only IS_NULL; `not` inverts.
import { BadUserInput } from '../errors.js';
import { compareValues, stringForm } from './compare.js';
import { fitsType, parseIsoDateTime } from './infer.js';
import type { Column, ColumnType, TypedValue } from './types.js';

export const FILTER_OPS = [
  'EQ',
  'NE',
  'GT',
  'GTE',
  'LT',
  'LTE',
  'IN',
  'NOT_IN',
  'CONTAINS',
  'STARTS_WITH',
  'ENDS_WITH',
  'IS_NULL',
  'IS_NOT_NULL',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface RowFilter {
  and?: readonly RowFilter[] | null | undefined;
  or?: readonly RowFilter[] | null | undefined;
  not?: RowFilter | null | undefined;
  column?: string | null | undefined;
  op?: FilterOp | null | undefined;
  value?: NonNullable<unknown> | null | undefined;
  ignoreCase?: boolean | null | undefined;
}

/** Gives the typed value of a column for the row being tested. */
export type CellReader = (column: Column) => TypedValue;
export type RowPredicate = (cell: CellReader) => boolean;

const STRING_OPS = new Set<FilterOp>(['CONTAINS', 'STARTS_WITH', 'ENDS_WITH']);
const ORDER_OPS = new Set<FilterOp>(['GT', 'GTE', 'LT', 'LTE']);
const CASE_OPS = new Set<FilterOp>(['EQ', 'NE', 'IN', 'NOT_IN', 'CONTAINS', 'STARTS_WITH', 'ENDS_WITH']);
const MAX_FILTER_NODES = 1000;

export function findColumn(columns: readonly Column[], name: string, what: string): Column {
  const column = columns.find((c) => c.name === name);
  if (!column) {
    const known = columns.map((c) => JSON.stringify(c.name)).join(', ');
    throw new BadUserInput(`Unknown column ${JSON.stringify(name)} in ${what}; the columns are ${known || '(none)'}`, { column: name });
  }
  return column;
}

/** Turns a filter value into the column type's value, or says why it cannot be one. */
export function coerce(value: unknown, type: ColumnType, column: string): TypedValue {
  const bad = (expected: string) =>
    new BadUserInput(`The value ${JSON.stringify(value)} for column ${JSON.stringify(column)} (${type}) must be ${expected}`, { column });
  switch (type) {
    case 'INT':
    case 'FLOAT': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      throw bad('a number');
    }
    case 'DATETIME': {
      if (typeof value === 'string') {
        const date = parseIsoDateTime(value);
        if (date) return date;
      }
      if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
      throw bad('an ISO-8601 date or date-time string');
    }
    case 'BOOLEAN': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw bad('true or false');
    }
    case 'STRING':
    case 'NULL': {
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw bad('a string');
    }
    case 'JSON':
      return value as TypedValue;
  }
}

function equalValues(a: TypedValue, b: TypedValue): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'object' || typeof b === 'object') return stringForm(a) === stringForm(b);
  return a === b;
}

/**
 * Compiles a filter against the table's columns. Unknown columns, missing values and
 * operators that do not fit the column's type are BAD_USER_INPUT, raised here, before
 * any row is read.
 */
export function compileFilter(filter: RowFilter | null | undefined, columns: readonly Column[]): RowPredicate | null {
  return compileFilterWith<CellReader>(filter, columns, (condition) => (cell) => condition.matches(cell(condition.column)));
}

/**
 * One condition of a filter, compiled: the column it reads and whether a typed value of
 * that column (null included) passes it. Every form of a filter (rows, column spans)
 * asks this, so they cannot disagree.
 */
export interface Condition {
  column: Column;
  matches(value: TypedValue): boolean;
  /** INT and FLOAT columns: `matches` of a number, without its checks of type (column spans test a million). */
  matchesNumber?: ((value: number) => boolean) | undefined;
}

/**
 * Compiles a filter's tree over any kind of row handle (a cell reader, a row number of
 * a columnar table): `leaf` turns each condition into a test of a handle; and, or and
 * not combine them as compileFilter does. Raises compileFilter's errors.
 */
export function compileFilterWith<H>(
  filter: RowFilter | null | undefined,
  columns: readonly Column[],
  leaf: (condition: Condition) => (handle: H) => boolean,
): ((handle: H) => boolean) | null {
  if (!filter) return null;
  type Test = (handle: H) => boolean;
  let nodes = 0;
  const compile = (node: RowFilter, depth: number): Test => {
    if (++nodes > MAX_FILTER_NODES || depth > 50)
      throw new BadUserInput(`The filter is too large (at most ${MAX_FILTER_NODES} conditions, 50 levels deep)`);
    const parts: Test[] = [];
    if (node.column != null || node.op != null) parts.push(leaf(compileCondition(node, columns)));
    if (node.and) parts.push(allOf(node.and.map((child) => compile(child, depth + 1))));
    if (node.or) parts.push(anyOf(node.or.map((child) => compile(child, depth + 1))));
    if (node.not) {
      const inner = compile(node.not, depth + 1);
      parts.push((handle) => !inner(handle));
    }
    return allOf(parts);
  };
  return compile(filter, 0);
}

/** Every test passes (loops rather than Array#every: a scan asks a million times). */
function allOf<H>(tests: ((handle: H) => boolean)[]): (handle: H) => boolean {
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0] as (handle: H) => boolean;
  if (tests.length === 2) {
    const [a, b] = tests as [(handle: H) => boolean, (handle: H) => boolean];
    return (handle) => a(handle) && b(handle);
  }
  return (handle) => {
    for (let i = 0; i < tests.length; i++) if (!(tests[i] as (handle: H) => boolean)(handle)) return false;
    return true;
  };
}

function anyOf<H>(tests: ((handle: H) => boolean)[]): (handle: H) => boolean {
  if (tests.length === 1) return tests[0] as (handle: H) => boolean;
  return (handle) => {
    for (let i = 0; i < tests.length; i++) if ((tests[i] as (handle: H) => boolean)(handle)) return true;
    return false;
  };
}

/**
 * A number's test under an operator on an INT or FLOAT column, as `test` below answers it
 * for a number (equalValues is ===, compareValues is a - b); undefined for other operators.
 */
function numberTest(op: FilterOp, targets: readonly TypedValue[]): ((value: number) => boolean) | undefined {
  if (!targets.every((t) => typeof t === 'number')) return undefined;
  const t = targets[0] as number;
  const all = targets as readonly number[];
  switch (op) {
    case 'EQ':
      return (v) => v === t;
    case 'NE':
      return (v) => v !== t;
    case 'GT':
      return (v) => v - t > 0;
    case 'GTE':
      return (v) => v - t >= 0;
    case 'LT':
      return (v) => v - t < 0;
    case 'LTE':
      return (v) => v - t <= 0;
    // === as equalValues (includes would find NaN).
    case 'IN':
      return (v) => all.some((x) => x === v);
    case 'NOT_IN':
      return (v) => !all.some((x) => x === v);
    default:
      return undefined;
  }
}

function compileCondition(node: RowFilter, columns: readonly Column[]): Condition {
  if (node.column == null) throw new BadUserInput('A filter with `op` needs `column`');
  if (node.op == null) throw new BadUserInput(`The filter on column ${JSON.stringify(node.column)} needs \`op\``);
  const column = findColumn(columns, node.column, 'where');
  const op = node.op;
  const type = column.type;
  if (op === 'IS_NULL') return { column, matches: (value) => value === null, matchesNumber: () => false };
  if (op === 'IS_NOT_NULL') return { column, matches: (value) => value !== null, matchesNumber: () => true };
  if (node.value === undefined || (node.value === null && op !== 'EQ' && op !== 'NE')) {
    throw new BadUserInput(`The ${op} filter on column ${JSON.stringify(column.name)} needs a value`);
  }
  if (node.value === null) {
    throw new BadUserInput(`Compare with null using IS_NULL / IS_NOT_NULL (column ${JSON.stringify(column.name)})`);
  }
  if (STRING_OPS.has(op) && type !== 'STRING' && type !== 'NULL') {
    throw new BadUserInput(`${op} is for string columns; column ${JSON.stringify(column.name)} is ${type}`);
  }
  if (ORDER_OPS.has(op) && type === 'JSON') {
    throw new BadUserInput(`${op} does not apply to JSON column ${JSON.stringify(column.name)}`);
  }
  const fold = node.ignoreCase === true && CASE_OPS.has(op) ? (s: string) => s.toLowerCase() : (s: string) => s;
  const list = op === 'IN' || op === 'NOT_IN';
  if (list && !Array.isArray(node.value)) throw new BadUserInput(`${op} needs a list value (column ${JSON.stringify(column.name)})`);
  const raw: unknown[] = list ? (node.value as unknown[]) : [node.value];
  const targets = raw.map((v) => coerce(v, type, column.name));
  // Misfit cells (values returned as written) compare as text with the value's text.
  const targetTexts = raw.map((v) => fold(typeof v === 'string' ? v : JSON.stringify(v)));
  const foldedTargets = targets.map((t) => (typeof t === 'string' ? fold(t) : t));
  const target = foldedTargets[0] as TypedValue;
  const targetText = targetTexts[0] as string;

  const test = (value: TypedValue): boolean => {
    if (!fitsType(value, type)) {
      const text = fold(stringForm(value));
      switch (op) {
        case 'EQ':
          return text === targetText;
        case 'NE':
          return text !== targetText;
        case 'IN':
          return targetTexts.includes(text);
        case 'NOT_IN':
          return !targetTexts.includes(text);
        case 'CONTAINS':
          return text.includes(targetText);
        case 'STARTS_WITH':
          return text.startsWith(targetText);
        case 'ENDS_WITH':
          return text.endsWith(targetText);
        default:
          return false;
      }
    }
    const v = typeof value === 'string' ? fold(value) : value;
    switch (op) {
      case 'EQ':
        return equalValues(v, target);
      case 'NE':
        return !equalValues(v, target);
      case 'GT':
        return compareValues(v, target) > 0;
      case 'GTE':
        return compareValues(v, target) >= 0;
      case 'LT':
        return compareValues(v, target) < 0;
      case 'LTE':
        return compareValues(v, target) <= 0;
      case 'IN':
        return foldedTargets.some((t) => equalValues(v, t));
      case 'NOT_IN':
        return !foldedTargets.some((t) => equalValues(v, t));
      case 'CONTAINS':
        return (v as string).includes(target as string);
      case 'STARTS_WITH':
        return (v as string).startsWith(target as string);
      case 'ENDS_WITH':
        return (v as string).endsWith(target as string);
      default:
        return false;
    }
  };
  const numeric = type === 'INT' || type === 'FLOAT';
  return { column, matches: (value) => value !== null && test(value), matchesNumber: numeric ? numberTest(op, foldedTargets) : undefined };
}
