// What a column summary promises: histograms exact up to 100,000 values and flagged
// approximate beyond (totals still exact, a value at most one bin off); top values and
// `distinct` exact up to 4,000 distinct values, then lower bounds, flagged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCodec } from '../../src/codecs/csv.js';
import { Histogram, summarizeColumn, TopCounter } from '../../src/tables/summary.js';
import { tableOf } from '../support/tables.js';

/** Counts a brute-force binning of `values` over [min, max] gives. */
function exactBins(values: number[], bins: number): number[] {
  const min = values.reduce((a, b) => Math.min(a, b));
  const max = values.reduce((a, b) => Math.max(a, b));
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const at = Math.floor((v - min) / width);
    const bin = Number.isNaN(at) ? 0 : Math.max(0, Math.min(bins - 1, at)); // NaN (0/0 on a denormal range): the first bin
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}

describe('Histogram', () => {
  it('bins every value exactly while there are at most 100,000 (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 500 }),
        fc.integer({ min: 1, max: 100 }).map((n) => n * 2),
        (values, bins) => {
          fc.pre(Math.min(...values) !== Math.max(...values));
          const histogram = new Histogram();
          for (const v of values) histogram.add(v);
          const result = histogram.result(Math.min(...values), Math.max(...values), bins);
          expect(result.map((b) => b.count)).toEqual(exactBins(values, bins));
          expect(histogram.approximate).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts every value on a range too narrow to divide', () => {
    const histogram = new Histogram();
    histogram.add(0);
    histogram.add(5e-324);
    expect(histogram.result(0, 5e-324, 2).map((b) => b.count)).toEqual([1, 1]);
  });

  it('puts every value in one bin when min equals max', () => {
    const histogram = new Histogram();
    for (let i = 0; i < 5; i++) histogram.add(7);
    expect(histogram.result(7, 7, 20)).toEqual([{ from: 7, to: 7, count: 5 }]);
  });

  it('is exact at 100,000 values and approximate from the next one, with exact totals and each value at most one bin off', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 100_000);
    const histogram = new Histogram();
    for (const v of values) histogram.add(v);
    expect(histogram.approximate).toBe(false);
    expect(histogram.result(0, 99_999, 20).map((b) => b.count)).toEqual(exactBins(values, 20));

    // Later values widen the range: the fine bins double their width to hold them.
    const more = Array.from({ length: 50_000 }, (_, i) => 100_000 + ((i * 104_729) % 400_000) + 0.5);
    for (const v of more) histogram.add(v);
    expect(histogram.approximate).toBe(true);
    const all = [...values, ...more];
    const min = all.reduce((a, b) => Math.min(a, b));
    const max = all.reduce((a, b) => Math.max(a, b));
    const bins = 20;
    const got = histogram.result(min, max, bins).map((b) => b.count);
    const exact = exactBins(all, bins);
    expect(got.reduce((a, b) => a + b, 0)).toBe(all.length);
    // A value moves at most to a neighbouring bin: each bin is off by at most what its neighbours hold.
    for (let i = 0; i < bins; i++) {
      const neighbours = (exact[i - 1] ?? 0) + (exact[i + 1] ?? 0);
      expect(Math.abs((got[i] as number) - (exact[i] as number))).toBeLessThanOrEqual(neighbours);
    }
    // On data this even, the placement is far closer than that.
    for (let i = 0; i < bins; i++)
      expect(Math.abs((got[i] as number) - (exact[i] as number))).toBeLessThan((exact[i] as number) * 0.02 + 50);
  });
});

describe('TopCounter', () => {
  it('counts exactly, with distinct, while there are at most 4,000 distinct values', () => {
    const counter = new TopCounter();
    for (let i = 0; i < 4000; i++) for (let k = 0; k <= i % 3; k++) counter.add(i);
    expect(counter.approximate).toBe(false);
    expect(counter.distinct).toBe(4000);
    const top = counter.top(3);
    expect(top.map((t) => t.count)).toEqual([3, 3, 3]);
    expect(top.map((t) => t.value)).toEqual([2, 5, 8]); // ties by value
  });

  it('tells numbers, strings, booleans and date-times apart', () => {
    const counter = new TopCounter();
    for (const v of [1, '1', 1, true, 'true', new Date(0), new Date(0), '1970-01-01T00:00:00.000Z'])
      counter.add(v as number | string | boolean | Date);
    expect(counter.distinct).toBe(6);
    expect(counter.top(2)).toEqual([
      { value: 1, count: 2 },
      { value: '1970-01-01T00:00:00.000Z', count: 2 },
    ]);
  });

  it('past 4,000 distinct values: flags the counts as lower bounds, gives no distinct, and keeps the frequent values', () => {
    const counter = new TopCounter();
    const truth = new Map<string, number>();
    const add = (v: string) => {
      counter.add(v);
      truth.set(v, (truth.get(v) ?? 0) + 1);
    };
    for (let i = 0; i < 20_000; i++) {
      add(`rare ${i}`);
      if (i % 4 === 0) add('often');
      if (i % 10 === 0) add('sometimes');
    }
    expect(counter.approximate).toBe(true);
    expect(counter.distinct).toBeNull();
    const top = counter.top(10);
    expect(top.slice(0, 2).map((t) => t.value)).toEqual(['often', 'sometimes']);
    for (const { value, count } of top) expect(count).toBeLessThanOrEqual(truth.get(value as string) as number);
    // Frequent values were never dropped: their counts are exact.
    expect(top[0]?.count).toBe(5000);
    expect(top[1]?.count).toBe(2000);
  });
});

describe('summarizeColumn', () => {
  const csv = (rows: string[]) => `n,city\n${rows.join('\n')}\n`;

  it('reports count, nulls, misfits, distinct, min, max, bins and exact flags on a small column', async () => {
    const reader = tableOf(csv(['1,a', '2,b', '2,b', ',c', '10,a', 'x,a']), { codec: csvCodec, inferRows: 5 });
    const summary = await summarizeColumn(reader, { column: 'n', bins: 2, top: 2 });
    expect(summary).toMatchObject({
      count: 6,
      nulls: 1,
      misfits: 1,
      distinct: 4, // 1, 2, 10 and the misfit 'x'
      min: 1,
      max: 10,
      histogramApproximate: false,
      topValuesApproximate: false,
    });
    expect(summary.histogram).toEqual([
      { from: 1, to: 5.5, count: 3 },
      { from: 5.5, to: 10, count: 1 },
    ]);
    expect(summary.topValues[0]).toEqual({ value: 2, count: 2 });
  });

  it('flags both approximations on a column with many distinct values', async () => {
    const rows = Array.from({ length: 120_000 }, (_, i) => `${i},c${i % 7}`);
    const reader = tableOf(csv(rows), { codec: csvCodec });
    const summary = await summarizeColumn(reader, { column: 'n' });
    expect(summary.count).toBe(120_000);
    expect(summary.distinct).toBeNull();
    expect(summary.histogramApproximate).toBe(true);
    expect(summary.topValuesApproximate).toBe(true);
    expect(summary.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(120_000);
    const byCity = await summarizeColumn(reader, { column: 'city' });
    expect(byCity.distinct).toBe(7);
    expect(byCity.topValuesApproximate).toBe(false);
    expect(byCity.histogram).toEqual([]);
  });
});
