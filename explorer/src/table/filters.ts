// Turning what people type into the API's RowFilter: the "Filter" box's plain value
// (looked for in every column whose type can hold it) and the filter builder's
// conditions (column, operator fitting the column's type, value).
import type { ColumnType, FilterOp, RowFilter } from '../gql/graphql.js';

export interface TableColumn {
  name: string;
  index: number;
  type: ColumnType;
  nullable: boolean;
}

/** One line of the filter builder, as typed. */
export interface Condition {
  column: string;
  op: FilterOp;
  /** As typed; IN / NOT_IN take values separated by commas. */
  value: string;
  ignoreCase: boolean;
}

export type Combinator = 'and' | 'or';

export const OP_LABELS: Record<FilterOp, string> = {
  EQ: 'is',
  NE: 'is not',
  GT: 'is greater than',
  GTE: 'is at least',
  LT: 'is less than',
  LTE: 'is at most',
  IN: 'is one of',
  NOT_IN: 'is none of',
  CONTAINS: 'contains',
  STARTS_WITH: 'starts with',
  ENDS_WITH: 'ends with',
  IS_NULL: 'is empty',
  IS_NOT_NULL: 'is not empty',
};

const ORDERED: FilterOp[] = ['EQ', 'NE', 'GT', 'GTE', 'LT', 'LTE', 'IN', 'NOT_IN', 'IS_NULL', 'IS_NOT_NULL'];
const NULLS: FilterOp[] = ['IS_NULL', 'IS_NOT_NULL'];

/** The operators that make sense for a column's type (CONTAINS and friends are for strings). */
export function operatorsFor(type: ColumnType): FilterOp[] {
  switch (type) {
    case 'STRING':
      return ['CONTAINS', 'EQ', 'NE', 'STARTS_WITH', 'ENDS_WITH', 'IN', 'NOT_IN', 'GT', 'GTE', 'LT', 'LTE', ...NULLS];
    case 'INT':
    case 'FLOAT':
    case 'DATETIME':
      return ORDERED;
    case 'BOOLEAN':
      return ['EQ', 'NE', ...NULLS];
    default:
      return NULLS;
  }
}

export function takesValue(op: FilterOp): boolean {
  return op !== 'IS_NULL' && op !== 'IS_NOT_NULL';
}

export function isTextOp(type: ColumnType): boolean {
  return type === 'STRING';
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const DATE = /^\d{4}-\d\d-\d\d$/;
const DATE_TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/;

/** A typed value for a column, or undefined when the text cannot be one. */
export function typedValue(text: string, type: ColumnType): unknown {
  const value = text.trim();
  switch (type) {
    case 'INT':
      return /^[-+]?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
    case 'FLOAT':
      return NUMBER.test(value) ? Number(value) : undefined;
    case 'BOOLEAN':
      return /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : undefined;
    case 'DATETIME':
      // Like the API, a date or date-time without a zone is UTC.
      if (DATE.test(value)) return `${value}T00:00:00Z`;
      return DATE_TIME.test(value) ? value.replace(' ', 'T') : undefined;
    case 'STRING':
      return text;
    default:
      return undefined;
  }
}

/** The day after a YYYY-MM-DD date, at midnight UTC. */
function nextDay(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString();
}

/**
 * The "Filter" box: rows where any column holds the value. Strings contain it
 * (ignoring case); numbers, booleans and date-times equal it when it reads as
 * one; a plain date matches the whole day. Null when no column can hold it.
 */
export function quickFilter(text: string, columns: readonly TableColumn[]): RowFilter | null {
  const value = text.trim();
  if (!value) return null;
  const parts: RowFilter[] = [];
  for (const column of columns) {
    if (column.type === 'STRING') {
      parts.push({ column: column.name, op: 'CONTAINS', value, ignoreCase: true });
    } else if (column.type === 'DATETIME' && DATE.test(value)) {
      parts.push({
        and: [
          { column: column.name, op: 'GTE', value: `${value}T00:00:00Z` },
          { column: column.name, op: 'LT', value: nextDay(value) },
        ],
      });
    } else {
      const typed = typedValue(value, column.type);
      if (typed !== undefined) parts.push({ column: column.name, op: 'EQ', value: typed });
    }
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? (parts[0] as RowFilter) : { or: parts };
}

/** Why a condition cannot be used yet, or null when it can. */
export function conditionProblem(condition: Condition, columns: readonly TableColumn[]): string | null {
  const column = columns.find((c) => c.name === condition.column);
  if (!column) return 'Pick a column.';
  if (!takesValue(condition.op)) return null;
  const values = condition.op === 'IN' || condition.op === 'NOT_IN' ? condition.value.split(',') : [condition.value];
  if (column.type === 'STRING') return null;
  for (const value of values) {
    if (typedValue(value, column.type) === undefined)
      return `“${value.trim()}” is not a value of type ${column.type} (column ${column.name}).`;
  }
  return null;
}

function conditionFilter(condition: Condition, column: TableColumn): RowFilter {
  const filter: RowFilter = { column: condition.column, op: condition.op };
  if (takesValue(condition.op)) {
    filter.value =
      condition.op === 'IN' || condition.op === 'NOT_IN'
        ? condition.value.split(',').map((v) => typedValue(column.type === 'STRING' ? v.trim() : v, column.type))
        : typedValue(condition.value, column.type);
    if (column.type === 'STRING' && condition.ignoreCase) filter.ignoreCase = true;
  }
  return filter;
}

/** The builder's complete conditions joined by and/or; null when there are none. */
export function builderFilter(conditions: readonly Condition[], combinator: Combinator, columns: readonly TableColumn[]): RowFilter | null {
  const parts: RowFilter[] = [];
  for (const condition of conditions) {
    const column = columns.find((c) => c.name === condition.column);
    if (column && conditionProblem(condition, columns) === null) parts.push(conditionFilter(condition, column));
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? (parts[0] as RowFilter) : { [combinator]: parts };
}

/** Both filters must hold when both are set. */
export function allOf(...filters: (RowFilter | null)[]): RowFilter | null {
  const present = filters.filter((f): f is RowFilter => f !== null);
  if (present.length === 0) return null;
  return present.length === 1 ? (present[0] as RowFilter) : { and: present };
}
