// A column's summary in one streaming pass, for charts: count, nulls, min, max, an
// exact histogram for numbers and dates, and the most frequent values.
//
// The histogram never needs the range in advance: bins have a width that doubles
// (merging neighbours pairwise, which keeps counts exact) whenever a value falls
// outside them. Top values use the Space-Saving algorithm: exact while there are
// fewer distinct values than counters, an upper bound (flagged) after that.
import { BadUserInput } from '../errors.js';
import { compareValues } from './compare.js';
import { compileFilter, findColumn, type RowFilter } from './filter.js';
import { fitsType } from './infer.js';
import { jsonValue } from './query.js';
import type { TableRow } from './reader.js';
import type { RowSource } from './source.js';
import type { Column, TypedValue } from './types.js';

export const MAX_BINS = 200;
export const MAX_TOP = 100;
const COUNTERS = 2000;

export interface HistogramBin {
  /** Inclusive lower bound (a number, or an ISO date-time for DATETIME columns). */
  from: unknown;
  /** Exclusive upper bound (inclusive for the last bin). */
  to: unknown;
  count: number;
}

export interface TopValue {
  value: unknown;
  count: number;
}

export interface ColumnSummary {
  column: string;
  count: number;
  nulls: number;
  /** Values that do not fit the column's type (returned as written). */
  misfits: number;
  distinct: number | null;
  min: unknown;
  max: unknown;
  histogram: HistogramBin[];
  /** True when the column had too many values to bin exactly (counts are placed to within 1/4096 of the range). */
  histogramApproximate: boolean;
  topValues: TopValue[];
  /** True when topValues counts are lower bounds (too many distinct values to count exactly). */
  topValuesApproximate: boolean;
}

/** Values kept exactly for the histogram; beyond them, fine bins take over. */
const EXACT_VALUES = 100_000;
const FINE_BINS = 4096;

/**
 * Fine bins over a range not known in advance: the width doubles (merging
 * neighbours pairwise, which keeps counts exact) whenever a value falls outside.
 */
class FineBins {
  private origin = 0;
  private width = 0;
  private counts = new Float64Array(FINE_BINS);

  constructor(values: Float64Array) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.origin = lo;
    this.width = (hi - lo) / FINE_BINS || 1;
    for (const v of values) this.add(v);
  }

  add(x: number): void {
    while (x < this.origin || x >= this.origin + this.width * FINE_BINS) this.grow(x < this.origin);
    const i = Math.min(FINE_BINS - 1, Math.floor((x - this.origin) / this.width));
    this.counts[i] = (this.counts[i] as number) + 1;
  }

  private grow(down: boolean): void {
    const merged = new Float64Array(FINE_BINS);
    const half = FINE_BINS / 2;
    for (let i = 0; i < FINE_BINS; i++) {
      const to = (down ? half : 0) + Math.floor(i / 2);
      merged[to] = (merged[to] as number) + (this.counts[i] as number);
    }
    if (down) this.origin -= this.width * FINE_BINS;
    this.width *= 2;
    this.counts = merged;
  }

  /** Each fine bin's count goes to the coarse bin holding its middle. */
  into(coarse: number[], place: (x: number) => number): void {
    this.counts.forEach((count, i) => {
      if (count > 0) {
        const bin = place(this.origin + (i + 0.5) * this.width);
        coarse[bin] = (coarse[bin] as number) + count;
      }
    });
  }
}

/**
 * Equal-width bins over [min, max]. Exact while the column has at most EXACT_VALUES
 * values; beyond, counts come from 4,096 fine bins (exact in total, placed to within
 * a fine bin's width) and the result says it is approximate.
 */
export class Histogram {
  private values = new Float64Array(1024);
  private size = 0;
  private total = 0;
  private fine: FineBins | null = null;

  add(x: number): void {
    this.total++;
    if (this.fine) {
      this.fine.add(x);
      return;
    }
    if (this.size === this.values.length) {
      if (this.size >= EXACT_VALUES) {
        this.fine = new FineBins(this.values.subarray(0, this.size));
        this.values = new Float64Array(0);
        this.fine.add(x);
        return;
      }
      const grown = new Float64Array(Math.min(EXACT_VALUES, this.size * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = x;
  }

  get approximate(): boolean {
    return this.fine !== null;
  }

  result(min: number, max: number, bins: number): { from: number; to: number; count: number }[] {
    if (this.total === 0) return [];
    if (min === max) return [{ from: min, to: max, count: this.total }];
    const width = (max - min) / bins;
    const place = (x: number) => Math.max(0, Math.min(bins - 1, Math.floor((x - min) / width)));
    const counts = new Array<number>(bins).fill(0);
    if (this.fine) this.fine.into(counts, place);
    else {
      for (let i = 0; i < this.size; i++) {
        const bin = place(this.values[i] as number);
        counts[bin] = (counts[bin] as number) + 1;
      }
    }
    return counts.map((count, i) => ({ from: min + i * width, to: i === bins - 1 ? max : min + (i + 1) * width, count }));
  }
}

/**
 * Frequent values with a bounded table of counters: when it fills up, the lower half
 * is dropped at once (amortised O(1) a value). Counts are exact until the first
 * eviction; after it they are lower bounds, and frequent values stay in the table.
 */
export class TopCounter {
  private counts = new Map<string, { value: TypedValue; count: number }>();
  approximate = false;

  add(value: TypedValue): void {
    const key = typeof value === 'string' ? `s${value}` : `j${JSON.stringify(jsonValue(value))}`;
    const entry = this.counts.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.counts.size >= 2 * COUNTERS) this.evict();
    this.counts.set(key, { value, count: 1 });
  }

  private evict(): void {
    const sorted = [...this.counts.entries()].sort((a, b) => b[1].count - a[1].count);
    this.counts = new Map(sorted.slice(0, COUNTERS));
    this.approximate = true;
  }

  get distinct(): number | null {
    return this.approximate ? null : this.counts.size;
  }

  top(n: number): TopValue[] {
    return [...this.counts.values()]
      .sort((a, b) => b.count - a.count || compareValues(a.value, b.value))
      .slice(0, n)
      .map((e) => ({ value: jsonValue(e.value), count: e.count }));
  }
}

export interface SummaryArgs {
  column: string;
  where?: RowFilter | null | undefined;
  bins?: number | null | undefined;
  top?: number | null | undefined;
}

export async function summarizeColumn(reader: RowSource, args: SummaryArgs): Promise<ColumnSummary> {
  const schema = await reader.schema();
  const column: Column = findColumn(schema.columns, args.column, 'summary');
  const bins = args.bins ?? 20;
  const top = args.top ?? 10;
  if (!Number.isInteger(bins) || bins < 2 || bins > MAX_BINS || bins % 2 !== 0)
    throw new BadUserInput(`bins must be an even number from 2 to ${MAX_BINS}`);
  if (!Number.isInteger(top) || top < 0 || top > MAX_TOP) throw new BadUserInput(`top must be from 0 to ${MAX_TOP}`);
  const predicate = compileFilter(args.where, schema.columns);
  const numeric = column.type === 'INT' || column.type === 'FLOAT' || column.type === 'DATETIME';
  const histogram = new Histogram();
  const counter = new TopCounter();
  let count = 0;
  let nulls = 0;
  let misfits = 0;
  let min: TypedValue = null;
  let max: TypedValue = null;
  // One cell reader for the whole scan, pointed at each row in turn: no closure a row.
  let current: TableRow;
  const cell = (c: Column) => reader.typed(current, c, schema);
  await reader.run({
    start: { index: 0 },
    whole: true,
    take: (row: TableRow) => {
      current = row;
      if (predicate && !predicate(cell)) return true;
      count++;
      const value = cell(column);
      if (value === null) {
        nulls++;
        return true;
      }
      if (!fitsType(value, column.type)) {
        misfits++;
        counter.add(value);
        return true;
      }
      if (min === null || compareValues(value, min) < 0) min = value;
      if (max === null || compareValues(value, max) > 0) max = value;
      if (numeric) histogram.add(value instanceof Date ? value.getTime() : (value as number));
      counter.add(value);
      return true;
    },
  });
  const dates = column.type === 'DATETIME';
  const bound = (x: number) => (dates ? new Date(x).toISOString() : x);
  const asNumber = (v: TypedValue) => (v === null ? 0 : v instanceof Date ? v.getTime() : (v as number));
  const lo = asNumber(min as TypedValue);
  const hi = asNumber(max as TypedValue);
  return {
    column: column.name,
    count,
    nulls,
    misfits,
    distinct: counter.distinct,
    min: jsonValue(min),
    max: jsonValue(max),
    histogram: numeric ? histogram.result(lo, hi, bins).map((b) => ({ from: bound(b.from), to: bound(b.to), count: b.count })) : [],
    histogramApproximate: histogram.approximate,
    topValues: counter.top(top),
    topValuesApproximate: counter.approximate,
  };
}
