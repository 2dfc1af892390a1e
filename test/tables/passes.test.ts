// What shared passes promise: scans of one source asked for in the same tick share one
// pass over its rows (one per start), which stops reading as soon as no consumer
// wants more; a pass is `whole` only when every consumer reads every row, and reads
// the union of what its consumers need.
import { describe, expect, it } from 'vitest';
import { mergeNeeds, SharedPasses } from '../../src/tables/passes.js';
import type { RangeOf, RangeTest } from '../../src/tables/prune.js';
import type { RowBatch, ScanConsumer, ScanNeeds, ScanStart } from '../../src/tables/types.js';

interface Pass {
  start: ScanStart;
  whole: boolean;
  needs: ScanNeeds | undefined;
  /** Batches the pass took from the source. */
  batches: number;
  /** The source saw the pass leave early (its read would be aborted). */
  stopped: boolean;
}

/** A source of `rows` rows in batches of `batch`, recording each pass it is asked for. */
function source(rows: number, batch = 10) {
  const passes: Pass[] = [];
  const scan = (start: ScanStart, whole: boolean, needs?: ScanNeeds): AsyncIterable<RowBatch> => {
    const pass: Pass = { start, whole, needs, batches: 0, stopped: false };
    passes.push(pass);
    return (async function* () {
      let finished = false;
      try {
        for (let at = start.index; at < rows; at += batch) {
          pass.batches++;
          const indexes = Array.from({ length: Math.min(batch, rows - at) }, (_, i) => at + i);
          yield {
            rows: indexes.map((index) => ({ index, cells: [index] })),
            offsetAfter: (i: number) => (indexes[i] as number) * 100 + 100,
          };
        }
        finished = true;
      } finally {
        pass.stopped = !finished;
      }
    })();
  };
  return { passes, shared: new SharedPasses(scan) };
}

/** A consumer that keeps the indexes it sees and wants `limit` rows (all when omitted). */
function consumer(options: { start?: ScanStart; limit?: number; whole?: boolean; needs?: ScanNeeds } = {}) {
  const seen: number[] = [];
  const offsets: number[] = [];
  const c: ScanConsumer & { seen: number[]; offsets: number[] } = {
    start: options.start ?? { index: 0 },
    ...(options.whole !== undefined ? { whole: options.whole } : {}),
    ...(options.needs ? { needs: options.needs } : {}),
    seen,
    offsets,
    take(row, offsetAfter, i) {
      seen.push(row.index);
      if (offsetAfter) offsets.push(offsetAfter(i));
      return options.limit === undefined || seen.length < options.limit;
    },
  };
  return c;
}

const range =
  (ranges: Record<string, { min: number; max: number }>): RangeOf =>
  (column) =>
    ranges[column] ? { rows: 10, nulls: 0, ...ranges[column] } : null;

describe('SharedPasses', () => {
  it('runs the scans asked for in one tick in one pass, each consumer seeing every row it wants', async () => {
    const { passes, shared } = source(100);
    const all = consumer({ whole: true });
    const first = consumer({ limit: 25 });
    await Promise.all([shared.run(all), shared.run(first)]);
    expect(passes).toHaveLength(1);
    expect(all.seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(first.seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // Byte offsets of the row after each one, as the source tells them.
    expect(first.offsets.slice(0, 3)).toEqual([100, 200, 300]);
  });

  it('stops reading as soon as no consumer wants more', async () => {
    const { passes, shared } = source(1000);
    await Promise.all([shared.run(consumer({ limit: 5 })), shared.run(consumer({ limit: 15 }))]);
    expect(passes).toHaveLength(1);
    expect(passes[0]?.batches).toBe(2);
    expect(passes[0]?.stopped).toBe(true);
  });

  it('gives consumers with different starts a pass each, from their start', async () => {
    const { passes, shared } = source(50);
    const fromStart = consumer({ limit: 3 });
    const fromCursor = consumer({ start: { index: 40, offset: 4000 }, limit: 3 });
    const sameCursor = consumer({ start: { index: 40, offset: 4000 }, limit: 2 });
    await Promise.all([shared.run(fromStart), shared.run(fromCursor), shared.run(sameCursor)]);
    expect(passes.map((p) => p.start)).toEqual([{ index: 0 }, { index: 40, offset: 4000 }]);
    expect(fromStart.seen).toEqual([0, 1, 2]);
    expect(fromCursor.seen).toEqual([40, 41, 42]);
    expect(sameCursor.seen).toEqual([40, 41]);
  });

  it('runs scans asked for in a later tick in a pass of their own', async () => {
    const { passes, shared } = source(20);
    await shared.run(consumer());
    await shared.run(consumer());
    expect(passes).toHaveLength(2);
  });

  it('is whole only when every consumer reads every row', async () => {
    const { passes, shared } = source(20);
    await Promise.all([shared.run(consumer({ whole: true })), shared.run(consumer({ whole: true }))]);
    await Promise.all([shared.run(consumer({ whole: true })), shared.run(consumer({ limit: 1 }))]);
    expect(passes.map((p) => p.whole)).toEqual([true, false]);
  });

  it('fails every consumer of a pass whose read fails, and only those', async () => {
    const failing = new SharedPasses((start) =>
      (async function* () {
        yield { rows: [{ index: start.index, cells: [] }] };
        if (start.index === 0) throw new Error('the read broke');
        yield { rows: [{ index: start.index + 1, cells: [] }] };
      })(),
    );
    const results = await Promise.allSettled([
      failing.run(consumer()),
      failing.run(consumer()),
      failing.run(consumer({ start: { index: 10 } })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('the read broke'));
  });

  it('asks the source for what its consumers need together', async () => {
    const { passes, shared } = source(10);
    const needs = (columns: string[]): ScanNeeds => ({ columns: new Set(columns), mayMatch: null });
    await Promise.all([shared.run(consumer({ needs: needs(['a']) })), shared.run(consumer({ needs: needs(['b']) }))]);
    expect(passes[0]?.needs?.columns).toEqual(new Set(['a', 'b']));
  });
});

describe('mergeNeeds', () => {
  const needs = (over: Partial<ScanNeeds> = {}): ScanConsumer => ({
    start: { index: 0 },
    needs: { columns: new Set(['a']), mayMatch: null, ...over },
    take: () => true,
  });
  const everything: ScanConsumer = { start: { index: 0 }, take: () => true };
  const above =
    (column: string, bound: number): RangeTest =>
    (rangeOf) =>
      (rangeOf(column)?.max as number) > bound;

  it('is everything when any consumer does not say what it needs', () => {
    expect(mergeNeeds([needs(), everything])).toBeUndefined();
  });

  it('reads the union of the columns, or all of them when one consumer reads all', () => {
    expect(mergeNeeds([needs({ columns: new Set(['a', 'b']) }), needs({ columns: new Set(['c']) })])?.columns).toEqual(
      new Set(['a', 'b', 'c']),
    );
    expect(mergeNeeds([needs(), needs({ columns: null })])?.columns).toBeNull();
  });

  it('keeps a span of rows when any consumer may want it, and every span when one has no test', () => {
    const merged = mergeNeeds([needs({ mayMatch: above('x', 10) }), needs({ mayMatch: above('y', 100) })]);
    expect(merged?.mayMatch?.(range({ x: { min: 0, max: 20 }, y: { min: 0, max: 0 } }))).toBe(true);
    expect(merged?.mayMatch?.(range({ x: { min: 0, max: 5 }, y: { min: 0, max: 200 } }))).toBe(true);
    expect(merged?.mayMatch?.(range({ x: { min: 0, max: 5 }, y: { min: 0, max: 50 } }))).toBe(false);
    expect(mergeNeeds([needs({ mayMatch: above('x', 10) }), needs()])?.mayMatch).toBeNull();
  });

  it('proves a span matches only when it matches every consumer, and only when every consumer can take proofs', () => {
    const merged = mergeNeeds([
      needs({ allMatch: above('x', 10), filterColumns: new Set(['x']) }),
      needs({ allMatch: above('y', 10), filterColumns: new Set(['y']) }),
    ]);
    expect(merged?.allMatch?.(range({ x: { min: 0, max: 20 }, y: { min: 0, max: 20 } }))).toBe(true);
    expect(merged?.allMatch?.(range({ x: { min: 0, max: 20 }, y: { min: 0, max: 5 } }))).toBe(false);
    expect(merged?.filterColumns).toEqual(new Set(['x', 'y']));
    expect(mergeNeeds([needs({ allMatch: above('x', 10) }), needs()])?.allMatch).toBeNull();
  });

  it('reads row indexes unless no consumer looks at them', () => {
    expect(mergeNeeds([needs({ indexes: false }), needs({ indexes: false })])?.indexes).toBe(false);
    expect(mergeNeeds([needs({ indexes: false }), needs()])?.indexes).toBe(true);
  });
});
