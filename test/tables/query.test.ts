// Pages, orderings and counts of a table: the top-K heap agrees with a full sort,
// and paging with cursors reaches every row exactly once, in order, in every mode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCodec, encodeDelimited } from '../../src/codecs/csv.js';
import { ndjsonCodec } from '../../src/codecs/ndjson.js';
import { compareCodePoints } from '../../src/tables/compare.js';
import { digest } from '../../src/tables/cursor.js';
import { BoundedHeap, countRows, type PageArgs, type RowOrder, readPage } from '../../src/tables/query.js';
import type { TableReader } from '../../src/tables/reader.js';
import { failure } from '../support/failure.js';
import { tableOf } from '../support/tables.js';

describe('BoundedHeap', () => {
  type Item = { key: number; index: number };
  const byKeyThenIndex = (a: Item, b: Item) => a.key - b.key || a.index - b.index;

  it('keeps the `limit` smallest items, in the order a full sort gives (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (keys, limit) => {
        const items = keys.map((key, index) => ({ key, index }));
        const heap = new BoundedHeap<Item>(limit, byKeyThenIndex);
        for (const item of items) heap.offer(item);
        expect(heap.sorted()).toEqual([...items].sort(byKeyThenIndex).slice(0, limit));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a full sort whatever order the items arrive in (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer(), { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (keys, limit) => {
        const compare = (a: number, b: number) => a - b;
        const heap = new BoundedHeap<number>(limit, compare);
        for (const key of keys) heap.offer(key);
        expect(heap.sorted()).toEqual([...keys].sort(compare).slice(0, limit));
      }),
    );
  });
});

const pageError = (reader: TableReader, args: PageArgs) => failure(readPage(reader, args));

/** Pages through with `first` and cursors; returns the row indexes in the order seen. */
async function pageThrough(reader: TableReader, args: Omit<PageArgs, 'first' | 'after'>, first: number): Promise<number[]> {
  const seen: number[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await readPage(reader, { ...args, first, after });
    expect(page.rows.length).toBeLessThanOrEqual(first);
    seen.push(...page.rows.map((r) => r.index));
    if (!page.hasNextPage) {
      expect(page.endCursor).toBe(page.rows.at(-1)?.cursor ?? null);
      return seen;
    }
    expect(page.rows).toHaveLength(first);
    after = page.endCursor;
  }
  throw new Error('paging did not end');
}

interface Generated {
  n: number | null;
  s: string | null;
}

/** The order the contract gives: by each key, nulls last in both directions, ties in table order. */
function referenceOrder(rows: Generated[], orderBy: RowOrder[]): number[] {
  const indexes = rows.map((_, i) => i);
  return indexes.sort((a, b) => {
    for (const { column, direction } of orderBy) {
      const x = rows[a]?.[column as keyof Generated] ?? null;
      const y = rows[b]?.[column as keyof Generated] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return x === null ? 1 : -1;
      }
      const c = typeof x === 'number' ? x - (y as number) : compareCodePoints(x, y as string);
      if (c !== 0) return direction === 'DESC' ? -c : c;
    }
    return a - b;
  });
}

const generatedRows = fc.array(
  fc.record({
    n: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
    s: fc.option(fc.constantFrom('a', 'B', 'b', 'é', '😀', '～', 'ab'), { nil: null }),
  }),
  { minLength: 0, maxLength: 60 },
);

const orderBys = fc.constantFrom<RowOrder[]>(
  [{ column: 'n' }],
  [{ column: 'n', direction: 'DESC' }],
  [{ column: 's' }],
  [{ column: 's', direction: 'DESC' }],
  [{ column: 's' }, { column: 'n', direction: 'DESC' }],
  [
    { column: 'n', direction: 'DESC' },
    { column: 's', direction: 'ASC' },
  ],
);

function csvOf(rows: Generated[]): string {
  // A first row with both columns filled makes the sample infer INT and STRING.
  return encodeDelimited({ columns: ['n', 's'], rows: [[0, 'x'], ...rows.map((r) => [r.n, r.s])] }, '.csv', ',').toString('utf8');
}

describe('paging', () => {
  it('with orderBy reaches every row exactly once, in the contract’s order (property, cached and streamed, small samples)', async () => {
    await fc.assert(
      fc.asyncProperty(generatedRows, orderBys, fc.integer({ min: 1, max: 7 }), fc.boolean(), async (rows, orderBy, first, streamed) => {
        const all = [{ n: 0, s: 'x' }, ...rows];
        const reader = tableOf(csvOf(rows), {
          codec: csvCodec,
          cacheTableBytes: streamed ? 0 : 1 << 20,
          inferRows: streamed ? 3 : 1000,
          chunkSize: 7,
        });
        expect(await pageThrough(reader, { orderBy }, first)).toEqual(referenceOrder(all, orderBy));
      }),
      { numRuns: 60 },
    );
  });

  it('without orderBy reaches every row exactly once, in table order, with and without a filter (property)', async () => {
    await fc.assert(
      fc.asyncProperty(generatedRows, fc.integer({ min: 1, max: 7 }), fc.boolean(), async (rows, first, streamed) => {
        const all = [{ n: 0, s: 'x' }, ...rows];
        const reader = tableOf(csvOf(rows), {
          codec: csvCodec,
          cacheTableBytes: streamed ? 0 : 1 << 20,
          inferRows: streamed ? 3 : 1000,
          chunkSize: 5,
        });
        expect(await pageThrough(reader, {}, first)).toEqual(all.map((_, i) => i));
        const where = { column: 'n', op: 'GT' as const, value: 0 };
        const expected = all.flatMap((r, i) => (r.n !== null && r.n > 0 ? [i] : []));
        expect(await pageThrough(reader, { where }, first)).toEqual(expected);
        expect(await countRows(reader, where)).toBe(expected.length);
        expect(await countRows(reader, null)).toBe(all.length);
      }),
      { numRuns: 60 },
    );
  });

  it('resumes an NDJSON table at the byte offset its cursor carries', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, name: `행 ${i}` })).join('\n');
    const reader = tableOf(lines, { codec: ndjsonCodec, cacheTableBytes: 0, inferRows: 5 });
    const first = await readPage(reader, { first: 20 });
    const opensBefore = reader.source.opens.length;
    const second = await readPage(reader, { first: 20, after: first.endCursor });
    expect(second.rows.map((r) => r.values.i)).toEqual(Array.from({ length: 20 }, (_, i) => 20 + i));
    const resumedAt = reader.source.opens.slice(opensBefore);
    expect(resumedAt).toHaveLength(1);
    expect(resumedAt[0]).toBe(Buffer.byteLength(`${lines.split('\n').slice(0, 20).join('\n')}\n`));
  });

  it('pages hold `first` rows and say whether more follow', async () => {
    const reader = tableOf('a\n1\n2\n3\n', { codec: csvCodec });
    const page = await readPage(reader, { first: 2 });
    expect(page.rows.map((r) => r.values)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(page.hasNextPage).toBe(true);
    const rest = await readPage(reader, { first: 2, after: page.endCursor });
    expect(rest.rows.map((r) => r.values)).toEqual([{ a: 3 }]);
    expect(rest.hasNextPage).toBe(false);
    const empty = await readPage(tableOf('a\n', { codec: csvCodec }), { first: 5 });
    expect(empty).toEqual({ rows: [], hasNextPage: false, endCursor: null });
  });

  it('refuse `first` outside 1..10000', async () => {
    const reader = tableOf('a\n1\n', { codec: csvCodec });
    for (const first of [0, -1, 10_001, 1.5]) expect((await pageError(reader, { first })).extensions.code).toBe('BAD_USER_INPUT');
    expect((await readPage(reader, { first: 10_000 })).rows).toHaveLength(1);
  });

  it('refuse cursors that are malformed, from another table or from another ordering', async () => {
    const reader = tableOf('a,b\n1,x\n2,y\n3,z\n', { codec: csvCodec });
    const other = tableOf('a,b\n1,x\n2,y\n3,z\n', { codec: csvCodec, etag: 'another-version' });
    const plain = (await readPage(reader, { first: 1 })).endCursor as string;
    const ordered = (await readPage(reader, { first: 1, orderBy: [{ column: 'b' }] })).endCursor as string;
    // Checksummed but not a cursor: what a hand-made cursor could hold.
    const forged = (c: unknown) =>
      Buffer.from(JSON.stringify({ v: 1, t: reader.id, c, h: digest({ v: 1, t: reader.id, c }).slice(0, 8) })).toString('base64url');
    const malformed = [
      'nonsense',
      '',
      'eyJ2IjoxfQ',
      `${plain}x`,
      `${plain.slice(0, -2)}`,
      forged(null),
      forged({ kind: 'position', next: -1 }),
      forged({ kind: 'position', next: 1.5 }),
      forged({ kind: 'order', order: 'x', key: 'not a list', index: 0 }),
      forged({ kind: 'other' }),
    ];
    for (const after of malformed) {
      expect((await pageError(reader, { first: 1, after })).extensions.code, after).toBe('BAD_USER_INPUT');
    }
    expect((await pageError(other, { first: 1, after: plain })).message).toMatch(/another table|older version/);
    expect((await pageError(reader, { first: 1, after: ordered })).message).toMatch(/orderBy/);
    expect((await pageError(reader, { first: 1, after: plain, orderBy: [{ column: 'b' }] })).message).toMatch(/orderBy/);
    expect((await pageError(reader, { first: 1, after: ordered, orderBy: [{ column: 'a' }] })).message).toMatch(/orderBy/);
    expect((await pageError(reader, { first: 1, after: ordered, orderBy: [{ column: 'b', direction: 'DESC' }] })).message).toMatch(
      /orderBy/,
    );
  });

  it('refuse unknown columns in orderBy and in the projection', async () => {
    const reader = tableOf('a,b\n1,x\n', { codec: csvCodec });
    expect((await pageError(reader, { first: 1, orderBy: [{ column: 'c' }] })).extensions.code).toBe('BAD_USER_INPUT');
    expect((await pageError(reader, { first: 1, columns: ['b', 'c'] })).extensions.code).toBe('BAD_USER_INPUT');
  });

  it('project columns: values and cells hold those columns, in that order', async () => {
    const reader = tableOf('a,b,c\n1,x,2024-01-15\n', { codec: csvCodec });
    const page = await readPage(reader, { first: 1, columns: ['c', 'a'] });
    expect(page.rows[0]?.values).toEqual({ c: '2024-01-15T00:00:00.000Z', a: 1 });
    expect(Object.keys(page.rows[0]?.values ?? {})).toEqual(['c', 'a']);
    expect(page.rows[0]?.cells).toEqual(['2024-01-15T00:00:00.000Z', 1]);
  });
});
