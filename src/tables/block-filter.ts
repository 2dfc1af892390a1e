// Counting the rows of a block (a span of rows column by column, from a columnar codec)
// that pass a filter, a condition at a time: each condition tests only the rows the
// conditions before it kept (a selection of row positions), a dictionary-coded column
// once an entry of its dictionary rather than once a row, a column of numbers in a
// plain loop over its Float64Array. Each condition's test is the row filter's own
// (compileFilter, given one value), so both give the same answers. A block's first
// condition reads its column straight (no list of every row position), and a dictionary
// column small beside the rows tested has every entry's verdict decided first.
import type { CodedCells, RawCell } from '../codecs/types.js';
import { coerce, compileFilter, findColumn, type RowFilter } from './filter.js';
import { convert } from './infer.js';
import type { Column, RowBlock, TableSchema, TypedValue } from './types.js';

/** Row positions of a block, in order: `rows[0..length)`; every row of the block (0 to length) when `rows` is null. */
interface Selection {
  rows: Int32Array | null;
  length: number;
}

/** Keeps the rows of a selection that pass. */
type Step = (block: RowBlock, selection: Selection) => Selection;

const isCoded = (cells: unknown): cells is CodedCells => typeof cells === 'object' && cells !== null && 'codes' in cells;

/** Numeric comparisons a Float64Array is tested with directly. */
const NUMBER_OPS = new Set(['EQ', 'NE', 'GT', 'GTE', 'LT', 'LTE']);

function compileCondition(node: RowFilter, schema: TableSchema): Step {
  const columns = schema.columns;
  const condition: RowFilter = { column: node.column, op: node.op, value: node.value, ignoreCase: node.ignoreCase };
  const predicate = compileFilter(condition, columns);
  if (!predicate) return (_, selection) => selection;
  const column: Column = findColumn(columns, node.column as string, 'where');
  let value: TypedValue = null;
  const given = () => value;
  const test = (v: TypedValue) => {
    value = v;
    return predicate(given);
  };
  const nullPasses = test(null);
  const numeric = (column.type === 'INT' || column.type === 'FLOAT') && NUMBER_OPS.has(node.op as string);
  const target = numeric ? (coerce(node.value, column.type, column.name) as number) : 0;
  return (block, selection) => {
    const cells = block.cells[column.index];
    const { rows, length } = selection;
    if (cells === undefined) return nullPasses ? selection : { rows, length: 0 };
    const out = new Int32Array(length);
    let kept = 0;
    if (isCoded(cells)) {
      const { dictionary, codes } = cells;
      const verdictOf = (slot: number) => test(convert(dictionary[slot] as RawCell, column.type, schema.reading));
      if (dictionary.length <= length / 4) {
        // Every entry's verdict first (slot 0 is null's, entry i is slot i + 1): one lookup a row.
        const verdicts = new Uint8Array(dictionary.length + 1);
        verdicts[0] = nullPasses ? 1 : 0;
        for (let slot = 0; slot < dictionary.length; slot++) verdicts[slot + 1] = verdictOf(slot) ? 1 : 0;
        kept = rows ? pickCodes(codes, verdicts, rows, length, out) : pickAllCodes(codes, verdicts, length, out);
      } else {
        // A verdict an entry, decided when a row first uses it (-1: not yet); the last slot is null's.
        const verdicts = new Int8Array(dictionary.length + 1).fill(-1);
        verdicts[dictionary.length] = nullPasses ? 1 : 0;
        for (let i = 0; i < length; i++) {
          const row = rows ? (rows[i] as number) : i;
          const code = codes[row] as number;
          const slot = code < 0 ? dictionary.length : code;
          let verdict = verdicts[slot] as number;
          if (verdict < 0) {
            verdict = verdictOf(slot) ? 1 : 0;
            verdicts[slot] = verdict;
          }
          if (verdict) out[kept++] = row;
        }
      }
    } else if (numeric && !nullPasses && cells instanceof Float64Array) {
      kept = rows
        ? compareNumbers(cells, rows, length, node.op as string, target, out)
        : compareAll(cells, length, node.op as string, target, out);
    } else {
      for (let i = 0; i < length; i++) {
        const row = rows ? (rows[i] as number) : i;
        if (test(convert(cells[row] ?? null, column.type, schema.reading))) out[kept++] = row;
      }
    }
    return { rows: out, length: kept };
  };
}

/** The selected rows whose code's verdict (`verdicts[code + 1]`, null's code being -1) is 1. */
function pickCodes(codes: Int32Array, verdicts: Uint8Array, rows: Int32Array, length: number, out: Int32Array): number {
  let kept = 0;
  for (let i = 0; i < length; i++) {
    const row = rows[i] as number;
    if (verdicts[(codes[row] as number) + 1]) out[kept++] = row;
  }
  return kept;
}

/** pickCodes over rows 0 to length. */
function pickAllCodes(codes: Int32Array, verdicts: Uint8Array, length: number, out: Int32Array): number {
  let kept = 0;
  for (let row = 0; row < length; row++) if (verdicts[(codes[row] as number) + 1]) out[kept++] = row;
  return kept;
}

/** compareNumbers over rows 0 to length. */
function compareAll(cells: Float64Array, length: number, op: string, target: number, out: Int32Array): number {
  let kept = 0;
  switch (op) {
    case 'GTE':
      for (let row = 0; row < length; row++) {
        const x = cells[row] as number;
        if (x >= target && x !== Number.POSITIVE_INFINITY) out[kept++] = row;
      }
      return kept;
    case 'GT':
      for (let row = 0; row < length; row++) {
        const x = cells[row] as number;
        if (x > target && x !== Number.POSITIVE_INFINITY) out[kept++] = row;
      }
      return kept;
    case 'LTE':
      for (let row = 0; row < length; row++) {
        const x = cells[row] as number;
        if (x <= target && x !== Number.NEGATIVE_INFINITY) out[kept++] = row;
      }
      return kept;
    case 'LT':
      for (let row = 0; row < length; row++) {
        const x = cells[row] as number;
        if (x < target && x !== Number.NEGATIVE_INFINITY) out[kept++] = row;
      }
      return kept;
    case 'EQ':
      for (let row = 0; row < length; row++) if (cells[row] === target) out[kept++] = row;
      return kept;
    default:
      for (let row = 0; row < length; row++) {
        const x = cells[row] as number;
        if (x !== target && x - x === 0) out[kept++] = row;
      }
      return kept;
  }
}

/**
 * The rows of the selection whose number passes a comparison; a number that is not
 * finite is null (as convert makes it), which no comparison passes. One loop an
 * operator: a cold process runs them before they are compiled, so each does little.
 */
function compareNumbers(cells: Float64Array, rows: Int32Array, length: number, op: string, target: number, out: Int32Array): number {
  let kept = 0;
  switch (op) {
    case 'GTE':
      for (let i = 0; i < length; i++) {
        const row = rows[i] as number;
        const x = cells[row] as number;
        if (x >= target && x !== Number.POSITIVE_INFINITY) out[kept++] = row;
      }
      return kept;
    case 'GT':
      for (let i = 0; i < length; i++) {
        const row = rows[i] as number;
        const x = cells[row] as number;
        if (x > target && x !== Number.POSITIVE_INFINITY) out[kept++] = row;
      }
      return kept;
    case 'LTE':
      for (let i = 0; i < length; i++) {
        const row = rows[i] as number;
        const x = cells[row] as number;
        if (x <= target && x !== Number.NEGATIVE_INFINITY) out[kept++] = row;
      }
      return kept;
    case 'LT':
      for (let i = 0; i < length; i++) {
        const row = rows[i] as number;
        const x = cells[row] as number;
        if (x < target && x !== Number.NEGATIVE_INFINITY) out[kept++] = row;
      }
      return kept;
    case 'EQ':
      for (let i = 0; i < length; i++) {
        const row = rows[i] as number;
        if (cells[row] === target) out[kept++] = row;
      }
      return kept;
    default:
      for (let i = 0; i < length; i++) {
        const row = rows[i] as number;
        const x = cells[row] as number;
        if (x !== target && x - x === 0) out[kept++] = row;
      }
      return kept;
  }
}

/** The rows of `selection` marked (`marked`: true) or not in `mask`. */
function pick(selection: Selection, mask: Uint8Array, marked: boolean): Selection {
  const out = new Int32Array(selection.length);
  let kept = 0;
  for (let i = 0; i < selection.length; i++) {
    const row = selection.rows ? (selection.rows[i] as number) : i;
    if ((mask[row] === 1) === marked) out[kept++] = row;
  }
  return { rows: out, length: kept };
}

function mark(mask: Uint8Array, selection: Selection): void {
  if (!selection.rows) mask.fill(1, 0, selection.length);
  else for (let i = 0; i < selection.length; i++) mask[selection.rows[i] as number] = 1;
}

function compileNode(node: RowFilter, schema: TableSchema): Step {
  const parts: Step[] = [];
  if (node.column != null || node.op != null) parts.push(compileCondition(node, schema));
  if (node.and) parts.push(allOf(node.and.map((child) => compileNode(child, schema))));
  if (node.or) {
    const any = node.or.map((child) => compileNode(child, schema));
    parts.push((block, selection) => {
      // Each alternative tests only the rows no earlier one took.
      const taken = new Uint8Array(block.length);
      let rest = selection;
      for (const step of any) {
        if (rest.length === 0) break;
        mark(taken, step(block, rest));
        rest = pick(rest, taken, false);
      }
      return pick(selection, taken, true);
    });
  }
  if (node.not) {
    const inner = compileNode(node.not, schema);
    parts.push((block, selection) => {
      const passed = new Uint8Array(block.length);
      mark(passed, inner(block, selection));
      return pick(selection, passed, false);
    });
  }
  return allOf(parts);
}

function allOf(steps: Step[]): Step {
  return (block, selection) => {
    let kept = selection;
    for (const step of steps) {
      if (kept.length === 0) break;
      kept = step(block, kept);
    }
    return kept;
  };
}

/**
 * Compiles `where` into a count of a block's passing rows (null without a filter). The
 * filter must have compiled with compileFilter first: errors in it are reported there.
 */
export function blockCounter(schema: TableSchema, where: RowFilter | null | undefined): ((block: RowBlock) => number) | null {
  if (!where) return null;
  const step = compileNode(where, schema);
  return (block) => step(block, { rows: null, length: block.length }).length;
}
