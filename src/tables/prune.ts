// Pruning: a row filter turned into a test on what a span of rows is known to hold
// (per column: the smallest and largest value, how many nulls), so that a reader can
// skip spans no row of which can pass. Parquet row groups give such ranges from their
// statistics, hive-style folders (`year=2024/`) give one value a column. The test is
// conservative: it answers false only when no row of the span can match.
import type { ValueRange } from '../codecs/types.js';
import { compareCodePoints, compareValues } from './compare.js';
import { coerce, findColumn, type RowFilter } from './filter.js';
import type { Column, TypedValue } from './types.js';

export type { ValueRange };

/** Looks up a column's range by column name; null when nothing is known. */
export type RangeOf = (column: string) => ValueRange | null;

/** False when no row of a span with these ranges can pass the filter. */
export type RangeTest = (rangeOf: RangeOf) => boolean;

/** Whether a known bound can be compared with a filter value (same kind of value). */
const comparable = (bound: TypedValue | undefined, value: TypedValue): boolean =>
  bound !== undefined &&
  bound !== null &&
  ((typeof bound === typeof value && typeof bound !== 'object') || (bound instanceof Date && value instanceof Date));

/**
 * Compiles `filter` against the columns into a range test, or null when there is no
 * filter. Unknown columns and values are left to the row filter to report.
 */
export function compileRangeTest(filter: RowFilter | null | undefined, columns: readonly Column[]): RangeTest | null {
  if (!filter) return null;
  const compile = (node: RowFilter): RangeTest => {
    const parts: RangeTest[] = [];
    if (node.column != null && node.op != null) parts.push(compileCondition(node, columns));
    if (node.and) {
      const all = node.and.map(compile);
      parts.push((rangeOf) => all.every((test) => test(rangeOf)));
    }
    if (node.or) {
      const any = node.or.map(compile);
      parts.push((rangeOf) => any.some((test) => test(rangeOf)));
    }
    // `not` would need to know that every row matches the inner filter: never pruned.
    return (rangeOf) => parts.every((test) => test(rangeOf));
  };
  return compile(filter);
}

function compileCondition(node: RowFilter, columns: readonly Column[]): RangeTest {
  let column: Column;
  try {
    column = findColumn(columns, node.column as string, 'where');
  } catch {
    return () => true;
  }
  const op = node.op;
  const name = column.name;
  if (op === 'IS_NULL') return (rangeOf) => rangeOf(name)?.nulls !== 0;
  if (op === 'IS_NOT_NULL') {
    return (rangeOf) => {
      const range = rangeOf(name);
      return range?.nulls === undefined || range.nulls < range.rows;
    };
  }
  if (node.value == null || node.ignoreCase === true) return () => true;
  const list = op === 'IN' || op === 'NOT_IN';
  let targets: TypedValue[];
  try {
    targets = (list ? (Array.isArray(node.value) ? node.value : []) : [node.value]).map((v) => coerce(v, column.type, name));
  } catch {
    return () => true;
  }
  const target = targets[0] as TypedValue;
  const compare = (a: TypedValue, b: TypedValue) => compareValues(a, b);
  return (rangeOf) => {
    const range = rangeOf(name);
    if (!range) return true;
    if (range.nulls !== undefined && range.nulls >= range.rows) return false; // only nulls: no value op matches
    const { min, max } = range;
    const hasMin = comparable(min, target);
    const hasMax = comparable(max, target);
    switch (op) {
      case 'EQ':
        return !(hasMin && compare(target, min as TypedValue) < 0) && !(hasMax && compare(target, max as TypedValue) > 0);
      case 'IN':
        return targets.some(
          (t) => !(comparable(min, t) && compare(t, min as TypedValue) < 0) && !(comparable(max, t) && compare(t, max as TypedValue) > 0),
        );
      case 'GT':
        return !(hasMax && compare(max as TypedValue, target) <= 0);
      case 'GTE':
        return !(hasMax && compare(max as TypedValue, target) < 0);
      case 'LT':
        return !(hasMin && compare(min as TypedValue, target) >= 0);
      case 'LTE':
        return !(hasMin && compare(min as TypedValue, target) > 0);
      case 'STARTS_WITH': {
        // Strings with a prefix form one interval: it meets [min, max] when the bounds cut to the prefix's length bracket it.
        if (typeof target !== 'string') return true;
        const cut = (v: TypedValue | undefined) => (typeof v === 'string' ? v.slice(0, target.length) : null);
        const low = cut(min);
        const high = cut(max);
        return !(low !== null && compareCodePoints(low, target) > 0) && !(high !== null && compareCodePoints(high, target) < 0);
      }
      default:
        return true; // NE, NOT_IN, CONTAINS, ENDS_WITH: a range cannot rule them out
    }
  };
}

/** The columns a filter reads, by name. */
export function filterColumns(filter: RowFilter | null | undefined, into: Set<string> = new Set()): Set<string> {
  if (!filter) return into;
  if (filter.column != null) into.add(filter.column);
  for (const child of filter.and ?? []) filterColumns(child, into);
  for (const child of filter.or ?? []) filterColumns(child, into);
  if (filter.not) filterColumns(filter.not, into);
  return into;
}
