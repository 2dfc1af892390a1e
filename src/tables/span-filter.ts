// Filters over column spans: a RowFilter compiled to test rows of a ColumnarTable by
// number, reading each condition's column from its arrays (numbers from the
// Float64Array, dictionary words once each), with no row object and, for numbers,
// booleans, dates and dictionary strings, no value made. Conditions are compileFilter's
// own (compileFilterWith), so a span and a row answer alike.
import { type ColumnarTable, type ConditionMemo, conditionMemo } from './columnar.js';
import { type Condition, compileFilterWith, type RowFilter } from './filter.js';
import type { Column } from './types.js';

/** Rows `from` to `to` (exclusive) of a table that pass the filter. */
export type SpanCounter = (table: ColumnarTable, from: number, to: number) => number;

/**
 * Compiles a filter into a counter of a span's passing rows, or null when there is no
 * filter (every row passes). Raises compileFilter's errors.
 */
export function compileSpanFilter(where: RowFilter | null | undefined, columns: readonly Column[]): SpanCounter | null {
  interface Leaf {
    condition: Condition;
    memo: ConditionMemo;
    test: (row: number) => boolean;
  }
  const leaves: Leaf[] = [];
  const tree = compileFilterWith<number>(where, columns, (condition) => {
    const leaf: Leaf = { condition, memo: conditionMemo(), test: () => false };
    leaves.push(leaf);
    return (row) => leaf.test(row);
  });
  if (!tree) return null;
  return (table, from, to) => {
    // A span's column arrays are read as they are now: a table being built replaces them as it grows.
    for (const leaf of leaves) leaf.test = table.matcher(leaf.condition.column.index, leaf.condition, leaf.memo);
    let count = 0;
    for (let row = from; row < to; row++) if (tree(row)) count++;
    return count;
  };
}
