// A column's summary in one streaming pass, for charts: count, nulls, min, max, a
// histogram for numbers and dates, and the most frequent values.
//
// The histogram is exact while the column has at most 100,000 values (they are kept,
// and binned over [min, max] at the end); beyond, counts go to 4,096 fine bins whose
// width doubles whenever a value falls outside them (no range needed in advance), and
// each fine bin's count lands in the coarse bin holding its middle: totals stay exact,
// a value may be placed one coarse bin off, and `histogramApproximate` says so. Top
// values come from a bounded table of counters (TopCounter): exact, with `distinct`,
// while the column has at most 4,000 distinct values; beyond, counts are lower bounds
// (`topValuesApproximate`) and `distinct` is null.
import { BadUserInput } from '../errors.js';
import { takeSpanRows } from './columnar.js';
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
/** Counts told apart when finding which to keep (larger ones are sorted). */
const TALLY = 1024;

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
  /** True when topValues counts are lower bounds (more than 4,000 distinct values: some were dropped and counted again). */
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
    // A range too narrow to divide (denormal widths round to 0) gives 0/0: the first bin, not NaN.
    const place = (x: number) => {
      const bin = Math.floor((x - min) / width);
      return Number.isNaN(bin) ? 0 : Math.max(0, Math.min(bins - 1, bin));
    };
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

interface Counted {
  value: TypedValue;
  count: number;
}

/**
 * Counts of numbers, in open addressing over typed arrays. A Map keyed by doubles
 * cost about 0.3 µs a lookup (measured: most of a summary over a million rows, where
 * nearly every value is new to a bounded table); this costs a few nanoseconds.
 * Holds at most `limit` keys; 0 marks an empty slot (counts start at 1).
 */
class NumberCounts {
  private keys: Float64Array;
  private counts: Float64Array;
  private spareKeys: Float64Array;
  private spareCounts: Float64Array;
  private readonly mask: number;
  size = 0;
  private static readonly bits = new Float64Array(1);
  private static readonly words = new Uint32Array(NumberCounts.bits.buffer);

  constructor(limit: number) {
    let capacity = 16;
    while (capacity < limit * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.counts = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.spareKeys = new Float64Array(capacity);
    this.spareCounts = new Float64Array(capacity);
  }

  private slotOf(x: number): number {
    NumberCounts.bits[0] = x;
    const hash = Math.imul((NumberCounts.words[0] as number) ^ Math.imul(NumberCounts.words[1] as number, 0x85ebca6b), 0x9e3779b1);
    let slot = (hash ^ (hash >>> 15)) & this.mask;
    while (this.counts[slot] !== 0 && this.keys[slot] !== x) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** Adds one to x's count; false when x is new and there is no room (nothing changed). */
  increment(x: number, room: boolean): boolean {
    const slot = this.slotOf(x);
    const count = this.counts[slot] as number;
    if (count === 0) {
      if (!room) return false;
      this.keys[slot] = x;
      this.size++;
    }
    this.counts[slot] = count + 1;
    return true;
  }

  /** Calls `each` for every key and its count, in slot order. */
  forEach(each: (key: number, count: number) => void): void {
    const { keys, counts } = this;
    for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) each(keys[i] as number, counts[i] as number);
  }

  /** Keeps only the keys `keep` says yes to. */
  retain(keep: (count: number) => boolean): void {
    if (this.size === 0) return;
    // Swapped with spare arrays, not allocated afresh: hundreds of evictions each making
    // new 64 KiB buffers cost a second a million values (measured).
    const keys = this.keys;
    const counts = this.counts;
    this.keys = this.spareKeys.fill(0);
    this.counts = this.spareCounts.fill(0);
    this.spareKeys = keys;
    this.spareCounts = counts;
    this.size = 0;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] as number;
      if (count === 0 || !keep(count)) continue;
      const slot = this.slotOf(keys[i] as number);
      this.keys[slot] = keys[i] as number;
      this.counts[slot] = count;
      this.size++;
    }
  }
}

/**
 * Frequent values with a bounded table of counters (not Space-Saving: a value dropped
 * and seen again starts from 1). While the table holds every distinct value, counts
 * are exact and `distinct` is known. When it reaches 2 × COUNTERS entries, those
 * counted least are dropped down to COUNTERS at once (amortised O(1) a value): from
 * then on, counts are lower bounds (`approximate`), `distinct` is unknown, and values
 * frequent enough to stay in the table keep their place.
 */
export class TopCounter {
  private readonly numbers = new NumberCounts(2 * COUNTERS);
  /** Date-times by epoch milliseconds. */
  private readonly dates = new NumberCounts(2 * COUNTERS);
  private readonly strings = new Map<string, Counted>();
  /** Booleans, JSON values and NaN, by their JSON text. */
  private readonly others = new Map<string, Counted>();
  approximate = false;

  add(value: TypedValue): void {
    if (typeof value === 'number' && !Number.isNaN(value)) this.countNumber(this.numbers, value === 0 ? 0 : value);
    else if (value instanceof Date && !Number.isNaN(value.getTime())) this.countNumber(this.dates, value.getTime());
    else if (typeof value === 'string') this.count(this.strings, value, value);
    else this.count(this.others, typeof value === 'number' ? 'NaN' : JSON.stringify(jsonValue(value)), value);
  }

  private countNumber(counts: NumberCounts, x: number): void {
    if (counts.increment(x, this.size < 2 * COUNTERS)) return;
    this.evict();
    counts.increment(x, true);
  }

  private count(map: Map<string, Counted>, key: string, value: TypedValue): void {
    const entry = map.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.size >= 2 * COUNTERS) this.evict();
    map.set(key, { value, count: 1 });
  }

  private get size(): number {
    return this.numbers.size + this.dates.size + this.strings.size + this.others.size;
  }

  /** Keeps the COUNTERS entries counted most (ties: spread over the order they are held in). */
  private evict(): void {
    // The COUNTERS-th largest count, from a tally of the counts (they are mostly small):
    // sorting them took milliseconds an eviction, and a column of distinct values evicts
    // every 2,000 values.
    const tally = new Uint32Array(TALLY + 1);
    const note = (_key: number, count: number) => {
      const at = Math.min(count, TALLY);
      tally[at] = (tally[at] as number) + 1;
    };
    this.numbers.forEach(note);
    this.dates.forEach(note);
    for (const map of [this.strings, this.others]) for (const entry of map.values()) note(0, entry.count);
    let threshold = TALLY;
    let above = 0;
    while (threshold > 1 && above + (tally[threshold] as number) < COUNTERS) above += tally[threshold--] as number;
    if (threshold === TALLY) {
      threshold = this.largeThreshold();
      above = this.countAbove(threshold);
    }
    // Ties at the threshold fill the places left, spread evenly over the table's order:
    // keeping the first ones would pack the kept keys into one run of slots, and every
    // new key hashed there would probe along it (measured: ten times slower).
    const places = COUNTERS - above;
    const tied = threshold < TALLY ? (tally[threshold] as number) : this.countAt(threshold);
    let seen = 0;
    const keep = (count: number) => {
      if (count > threshold) return true;
      if (count < threshold) return false;
      const before = Math.floor((seen * places) / tied);
      seen++;
      return Math.floor((seen * places) / tied) > before;
    };
    this.numbers.retain(keep);
    this.dates.retain(keep);
    for (const map of [this.strings, this.others]) for (const [key, entry] of map) if (!keep(entry.count)) map.delete(key);
    this.approximate = true;
  }

  private allCounts(): number[] {
    const counts: number[] = [];
    const note = (_key: number, count: number) => {
      counts.push(count);
    };
    this.numbers.forEach(note);
    this.dates.forEach(note);
    for (const map of [this.strings, this.others]) for (const entry of map.values()) counts.push(entry.count);
    return counts;
  }

  /** The COUNTERS-th largest count when COUNTERS values were counted TALLY times or more. */
  private largeThreshold(): number {
    return this.allCounts().sort((a, b) => b - a)[COUNTERS - 1] as number;
  }

  private countAt(threshold: number): number {
    return this.allCounts().filter((count) => count === threshold).length;
  }

  private countAbove(threshold: number): number {
    return this.allCounts().filter((count) => count > threshold).length;
  }

  get distinct(): number | null {
    return this.approximate ? null : this.size;
  }

  top(n: number): TopValue[] {
    const all: Counted[] = [...this.strings.values(), ...this.others.values()];
    this.numbers.forEach((value, count) => {
      all.push({ value, count });
    });
    this.dates.forEach((ms, count) => {
      all.push({ value: new Date(ms), count });
    });
    return all
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
  const take = (row: TableRow): boolean => {
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
  };
  await reader.run({
    start: { index: 0 },
    whole: true,
    take,
    // Rows of a columnar table: one row object pointed at each in turn, not one made a row.
    takeColumns: takeSpanRows(take),
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
