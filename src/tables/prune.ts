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

/** False only when the span's membership test (a Bloom filter) says no cell equals the value. */
const present = (range: ValueRange, value: TypedValue): boolean =>
  !range.contains || value === null || typeof value === 'object' ? true : range.contains(value);

/**
 * Compiles `filter` against the columns into a range test, or null when there is no
 * filter. Unknown columns and values are left to the row filter to report.
 */
export function compileRangeTest(filter: RowFilter | null | undefined, columns: readonly Column[]): RangeTest | null {
  return filter ? compileBoth(filter, columns).may : null;
}

/**
 * Compiles `filter` into a proof: true only when every row of a span with these
 * ranges surely passes (a count can then take the span's rows without reading them).
 */
export function compileRangeProof(filter: RowFilter | null | undefined, columns: readonly Column[]): RangeTest | null {
  return filter ? compileBoth(filter, columns).all : null;
}

/** Both tests at once: `may` (some row may pass) and `all` (every row surely passes); `not` swaps them. */
function compileBoth(node: RowFilter, columns: readonly Column[]): { may: RangeTest; all: RangeTest } {
  const parts: { may: RangeTest; all: RangeTest }[] = [];
  if (node.column != null && node.op != null) parts.push(compileCondition(node, columns));
  if (node.and) {
    const children = node.and.map((child) => compileBoth(child, columns));
    parts.push({ may: (r) => children.every((c) => c.may(r)), all: (r) => children.every((c) => c.all(r)) });
  }
  if (node.or) {
    const children = node.or.map((child) => compileBoth(child, columns));
    parts.push({ may: (r) => children.some((c) => c.may(r)), all: (r) => children.some((c) => c.all(r)) });
  }
  if (node.not) {
    const inner = compileBoth(node.not, columns);
    parts.push({ may: (r) => !inner.all(r), all: (r) => !inner.may(r) });
  }
  return { may: (r) => parts.every((p) => p.may(r)), all: (r) => parts.every((p) => p.all(r)) };
}

function compileCondition(node: RowFilter, columns: readonly Column[]): { may: RangeTest; all: RangeTest } {
  const unknown = { may: () => true, all: () => false };
  let column: Column;
  try {
    column = findColumn(columns, node.column as string, 'where');
  } catch {
    return unknown;
  }
  const op = node.op;
  const name = column.name;
  if (op === 'IS_NULL') {
    return {
      may: (rangeOf) => rangeOf(name)?.nulls !== 0,
      all: (rangeOf) => {
        const range = rangeOf(name);
        return range?.nulls !== undefined && range.nulls >= range.rows;
      },
    };
  }
  if (op === 'IS_NOT_NULL') {
    return {
      may: (rangeOf) => {
        const range = rangeOf(name);
        return range?.nulls === undefined || range.nulls < range.rows;
      },
      all: (rangeOf) => rangeOf(name)?.nulls === 0,
    };
  }
  if (node.value == null || node.ignoreCase === true) return unknown;
  const list = op === 'IN' || op === 'NOT_IN';
  let targets: TypedValue[];
  try {
    targets = (list ? (Array.isArray(node.value) ? node.value : []) : [node.value]).map((v) => coerce(v, column.type, name));
  } catch {
    return unknown;
  }
  const target = targets[0] as TypedValue;
  const compare = (a: TypedValue, b: TypedValue) => compareValues(a, b);
  const may: RangeTest = (rangeOf) => {
    const range = rangeOf(name);
    if (!range) return true;
    if (range.nulls !== undefined && range.nulls >= range.rows) return false; // only nulls: no value op matches
    const { min, max } = range;
    const hasMin = comparable(min, target);
    const hasMax = comparable(max, target);
    switch (op) {
      case 'EQ':
        return (
          !(hasMin && compare(target, min as TypedValue) < 0) &&
          !(hasMax && compare(target, max as TypedValue) > 0) &&
          present(range, target)
        );
      case 'IN':
        return targets.some(
          (t) =>
            !(comparable(min, t) && compare(t, min as TypedValue) < 0) &&
            !(comparable(max, t) && compare(t, max as TypedValue) > 0) &&
            present(range, t),
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
  const all: RangeTest = (rangeOf) => {
    const range = rangeOf(name);
    // Every row passes only if none is null and both bounds are known values of the column's kind.
    if (!range) return false;
    if (range.nulls !== 0 || !comparable(range.min, target) || !comparable(range.max, target)) return false;
    const min = range.min as TypedValue;
    const max = range.max as TypedValue;
    switch (op) {
      case 'EQ':
        return compare(min, target) === 0 && compare(max, target) === 0;
      case 'GT':
        return compare(min, target) > 0;
      case 'GTE':
        return compare(min, target) >= 0;
      case 'LT':
        return compare(max, target) < 0;
      case 'LTE':
        return compare(max, target) <= 0;
      default:
        return false;
    }
  };
  return { may, all };
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
