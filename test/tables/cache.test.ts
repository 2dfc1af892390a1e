// The columnar table cache: the first full scan of a table keeps its columns, keyed by
// the object's ETag; later questions run on them without reading the object; a changed
// ETag is never answered from them; least recently used tables are evicted first; a
// table that outgrows the cache is not kept; concurrent first scans share one read;
// and answers from the columns are the answers a streamed read gives.
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { csvCodec } from '../../src/codecs/csv.js';
import { jsonCodec } from '../../src/codecs/json.js';
import { ndjsonCodec } from '../../src/codecs/ndjson.js';
import type { ByteSource, TableReadOptions } from '../../src/codecs/types.js';
import { aggregate } from '../../src/tables/aggregate.js';
import { TableCache } from '../../src/tables/cache.js';
import { ColumnarBuilder } from '../../src/tables/columnar.js';
import { countRows, readPage } from '../../src/tables/query.js';
import { TableReader } from '../../src/tables/reader.js';
import { summarizeColumn } from '../../src/tables/summary.js';
import { allValues, tableOf } from '../support/tables.js';

const CITIES = ['서울', 'Busan', '"Quoted, city"', '대구', ''];

function csv(rows: number, seed = 0): string {
  const lines = ['id,name,city,amount,active,when,code'];
  for (let i = 0; i < rows; i++) {
    const amount = i > 1000 && i % 997 === 0 ? 'n/a' : ((i * 1.37 + seed) % 1000).toFixed(2);
    lines.push(
      `${i},user_${i + seed},${CITIES[i % CITIES.length]},${amount},${i % 3 === 0},2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:30,${String(i % 5000).padStart(5, '0')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A reader of a larger table (not read whole up front), as one request would make it. */
const larger = (text: string, cache: TableCache, etag = 'v1') =>
  tableOf(text, { codec: csvCodec, cache, etag, cacheTableBytes: 0, inferRows: 100, chunkSize: 16 * 1024 });

/** A reader whose bytes arrive a chunk a macrotask, as from a network: scans of several readers overlap. */
function slowReader(text: string, cache: TableCache) {
  const bytes = Buffer.from(text);
  const source = { delivered: 0, opens: [] as number[] };
  const open = async (start: number) => {
    source.opens.push(start);
    async function* chunks() {
      for (let at = start; at < bytes.length; at += 16 * 1024) {
        await new Promise((resolve) => setImmediate(resolve));
        const chunk = bytes.subarray(at, Math.min(at + 16 * 1024, bytes.length));
        source.delivered += chunk.length;
        yield chunk;
      }
    }
    return Readable.from(chunks());
  };
  const object = {
    bucket: 'unit',
    key: 'slow.csv',
    etag: 'v1',
    size: bytes.length,
    compression: 'NONE' as const,
    codec: csvCodec,
    open,
    openStored: open,
  };
  const reader = new TableReader(
    object,
    { format: 'CSV', header: true },
    { inferRows: 100, cacheTableBytes: 0 },
    cache,
    new AbortController().signal,
  );
  return Object.assign(reader, { source });
}

const SEOUL = {
  and: [
    { column: 'city', op: 'EQ' as const, value: '서울' },
    { column: 'amount', op: 'GTE' as const, value: 500 },
  ],
};

// Scans of tens of thousands of rows: slow on a busy machine, whatever the cache does.
describe('the columnar cache', { timeout: 120_000 }, () => {
  const text = csv(60_000);
  const size = Buffer.byteLength(text);

  it('concurrent first scans of a table share one read, and later questions read nothing', async () => {
    const cache = new TableCache(256 * 1024 * 1024);
    const readers = [slowReader(text, cache), slowReader(text, cache), slowReader(text, cache)];
    const [count, groups, summary] = await Promise.all([
      countRows(readers[0] as never, SEOUL),
      aggregate(readers[1] as never, { groupBy: ['city'], columns: ['amount'] }),
      summarizeColumn(readers[2] as never, { column: 'amount' }),
    ]);
    const delivered = readers.map((r) => r.source.delivered);
    // One reader read the object to its end; the others only their samples.
    expect(delivered.filter((d) => d >= size).length).toBe(1);
    expect(delivered.reduce((a, b) => a + b, 0)).toBeLessThan(size * 1.5);

    // The same answers as readers that cannot keep anything.
    const nothingKept = () => larger(text, new TableCache(1));
    expect(count).toBe(await countRows(nothingKept(), SEOUL));
    expect(groups).toEqual(await aggregate(nothingKept(), { groupBy: ['city'], columns: ['amount'] }));
    expect(summary).toEqual(await summarizeColumn(nothingKept(), { column: 'amount' }));

    const later = slowReader(text, cache);
    const sortedPage = (reader: TableReader) =>
      readPage(reader, { first: 5, orderBy: [{ column: 'amount', direction: 'DESC' }] }).then((p) => p.rows.map((r) => r.values));
    const sorted = await sortedPage(later);
    expect(typeof sorted[0]?.amount).toBe('number');
    expect(sorted).toEqual(await sortedPage(nothingKept()));
    expect(await countRows(later, { column: 'name', op: 'ENDS_WITH', value: '77' })).toBe(600);
    expect(later.source.opens).toEqual([]);
  });

  it('never answers a changed object (another ETag) from the columns of the old one', async () => {
    const cache = new TableCache(256 * 1024 * 1024);
    const old = larger(text, cache, 'v1');
    expect(await countRows(old, null)).toBe(60_000);
    const changedText = csv(60_000, 1); // same rows, other names and amounts
    const changed = larger(changedText, cache, 'v2');
    const first = await readPage(changed, { first: 1 });
    expect(first.rows[0]?.values.name).toBe('user_1');
    expect(await countRows(changed, SEOUL)).toBe(await countRows(larger(changedText, new TableCache(1)), SEOUL));
    expect(changed.source.opens.length).toBeGreaterThan(0);
  });

  it('evicts the least recently used table when another needs the room, and reads it again after', async () => {
    const probe = new TableCache(256 * 1024 * 1024);
    const measured = larger(text, probe);
    await countRows(measured, null);
    const bytes = probe.getColumns(measured.id)?.bytes ?? 0;
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(size * 2); // compact: the CSV text, as columns, takes less than twice its bytes

    const cache = new TableCache(Math.ceil(bytes * 1.5));
    await countRows(larger(text, cache, 'a'), null);
    const againA = larger(text, cache, 'a');
    expect(await countRows(againA, SEOUL)).toBeGreaterThan(0);
    expect(againA.source.opens).toEqual([]);
    await countRows(larger(text, cache, 'b'), null); // evicts a
    const afterEviction = larger(text, cache, 'a');
    expect(await countRows(afterEviction, { column: 'active', op: 'EQ', value: true })).toBe(20_000);
    expect(afterEviction.source.opens.length).toBeGreaterThan(0);
    const againB = larger(text, cache, 'b');
    await countRows(againB, null);
    expect(againB.source.opens.length).toBeGreaterThan(0); // b made room for a in its turn
  });

  it('does not keep a table that outgrows the cache, and still answers', async () => {
    const cache = new TableCache(200 * 1024);
    expect(await countRows(larger(text, cache), SEOUL)).toBe(await countRows(larger(text, new TableCache(1)), SEOUL));
    const again = larger(text, cache);
    await countRows(again, null);
    expect(again.source.opens.length).toBeGreaterThan(0);
  });

  it('answers pages, cursors, misfits, nulls and extra cells as a streamed read does', async () => {
    const ragged = `${csv(3000)}1,x,y,1.5,true,2024-01-01,00001,extra one\n`;
    const cache = new TableCache(64 * 1024 * 1024);
    await countRows(larger(ragged, cache), null);
    const cached = larger(ragged, cache);
    const streamed = larger(ragged, new TableCache(1));
    expect(await allValues(cached, 700)).toEqual(await allValues(streamed, 700));
    const order = [{ column: 'amount', direction: 'DESC' as const }, { column: 'city' }];
    const page = async (reader: ReturnType<typeof larger>) => {
      const one = await readPage(reader, { first: 50, orderBy: order, where: { column: 'code', op: 'STARTS_WITH', value: '00' } });
      const two = await readPage(reader, { first: 50, orderBy: order, after: one.endCursor });
      return [...one.rows, ...two.rows].map((r) => [r.index, r.values, r.cells]);
    };
    expect(await page(cached)).toEqual(await page(streamed));
    expect(cached.source.opens).toEqual([]);
  });

  it('keeps small JSON-lines tables with every key of every record as a column', async () => {
    const lines = [JSON.stringify({ a: 1, when: '2024-01-01' }), JSON.stringify({ b: [1, 2], a: 'x' }), JSON.stringify({ a: null })].join(
      '\n',
    );
    const cache = new TableCache(1024 * 1024);
    const first = tableOf(lines, { codec: ndjsonCodec, inferRows: 1, cache });
    const values = await allValues(first);
    const again = tableOf(lines, { codec: ndjsonCodec, inferRows: 1, cache });
    expect(await allValues(again)).toEqual(values);
    expect(values).toEqual([
      { a: 1, when: '2024-01-01T00:00:00.000Z', b: null },
      { a: 'x', when: null, b: [1, 2] },
      { a: null, when: null, b: null },
    ]);
    expect(again.source.opens).toEqual([]);
  });

  it('keeps small JSON arrays as a streamed read answers them: keys first seen late, a `__proto__` key, nested values', async () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ id: i, when: '2024-01-02 03:04:05', ...(i === 40 ? { late: [i] } : {}) }));
    const text = `[${records.map((r, i) => (i === 45 ? JSON.stringify(r).replace('{', '{"__proto__":{"x":1},') : JSON.stringify(r))).join(',')}]`;
    const kept = tableOf(text, { codec: jsonCodec, inferRows: 10 });
    expect((await kept.schema()).columns.map((c) => c.name)).toEqual(['id', 'when', 'late', '__proto__']);
    const values = await allValues(kept, 7);
    // Compared as JSON: in an object literal, `__proto__` would set the prototype, not a key.
    expect(JSON.stringify(values[45])).toBe('{"id":45,"when":"2024-01-02T03:04:05.000Z","late":null,"__proto__":{"x":1}}');
    expect(JSON.stringify(values[40])).toBe('{"id":40,"when":"2024-01-02T03:04:05.000Z","late":[40],"__proto__":null}');
    expect(JSON.stringify(values[0])).toBe('{"id":0,"when":"2024-01-02T03:04:05.000Z","late":null,"__proto__":null}');
    expect(await countRows(kept, { column: 'id', op: 'GTE', value: 40 })).toBe(10);
  });
});

describe('a small table, read whole as its first page is asked for', () => {
  /** csvCodec, telling which events it handed out, and whether it was asked for field batches. */
  function spyCodec() {
    const seen: string[] = [];
    const asked: boolean[] = [];
    const codec = {
      ...csvCodec,
      readTable: async function* (source: ByteSource, options: TableReadOptions) {
        asked.push(options.fieldBatches === true);
        for await (const event of csvCodec.readTable?.(source, options) ?? []) {
          seen.push(event.type);
          yield event;
        }
      },
    };
    return { codec, seen, asked };
  }
  // CRLF line ends, quoted cells, a misfit, a row with a cell beyond the header.
  const text = `${csv(3000).replaceAll('\n', '\r\n')}1,x,y,1.5,true,2024-01-01,00001,extra one\r\n`;

  it('is typed from field batches (no rows of strings past the sample) and answers as a streamed read does', async () => {
    const spy = spyCodec();
    const small = tableOf(text, { codec: spy.codec, inferRows: 100, chunkSize: 8 * 1024 });
    const streamed = larger(text, new TableCache(1));
    const page = await readPage(small, { first: 10 });
    expect(page.rows.map((r) => r.values)).toEqual((await readPage(streamed, { first: 10 })).rows.map((r) => r.values));
    expect(await countRows(small, SEOUL)).toBe(await countRows(streamed, SEOUL));
    expect(await allValues(small, 700)).toEqual(await allValues(streamed, 700));
    expect(spy.asked).toEqual([true]);
    expect(spy.seen).toContain('fields');
    expect(spy.seen).not.toContain('rows');
    expect(small.source.opens).toEqual([0]);
  });

  it('answers its first page before the read goes on: the rest of the object is background work', async () => {
    const spy = spyCodec();
    // About 1.2 MB: batches of about 64 KiB (field batches; papaparse takes 24 to 48 KiB), the 100-row sample in the first.
    const small = tableOf(csv(20_000), { codec: spy.codec, inferRows: 100 });
    const batches = () => spy.seen.filter((type) => type === 'fields' || type === 'rows').length;
    const page = await readPage(small, { first: 10 });
    const batchesWhenAnswered = batches();
    expect(page.rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await countRows(small, null)).toBe(20_000);
    expect(batches()).toBeGreaterThan(15);
    // The sample's batch, and at most the one the read had taken when the schema was known.
    expect(batchesWhenAnswered).toBeLessThanOrEqual(2);
  });

  it('keeps the order of rows of text when the batch that completes the sample holds more', async () => {
    // Not UTF-8 (windows-1252): papaparse's rows of text; a one-row sample ends inside the first batch.
    const bytes = Buffer.from('id,name\n1,a\n2,b\n3,\xe9\n4,d\n', 'latin1');
    const small = tableOf(bytes, { codec: csvCodec, inferRows: 1 });
    const streamed = tableOf(bytes, { codec: csvCodec, inferRows: 1, cacheTableBytes: 0 });
    expect((await readPage(small, { first: 1 })).rows.map((r) => r.values)).toEqual([{ id: 1, name: 'a' }]);
    const values = await allValues(streamed, 10);
    expect(values.map((v) => v.id)).toEqual([1, 2, 3, 4]);
    expect(await allValues(small, 10)).toEqual(values);
  });

  it('types its leading rows from their bytes too, after its first page has been answered', async () => {
    const streamed = larger(text, new TableCache(1));
    const expectedPage = (await readPage(streamed, { first: 10 })).rows.map((r) => r.values);
    const expected = await allValues(streamed, 3001);
    const addRow = vi.spyOn(ColumnarBuilder.prototype, 'add');
    const addFields = vi.spyOn(ColumnarBuilder.prototype, 'addFields');
    try {
      // The 300-row sample spans several batches of 8 KiB; the text has CRLF line ends and a wide last row.
      const small = tableOf(text, { codec: csvCodec, inferRows: 300, chunkSize: 8 * 1024 });
      const page = await readPage(small, { first: 10 });
      // Nothing went into the columns before the page: the schema was all it waited for.
      expect(addRow).not.toHaveBeenCalled();
      expect(addFields).not.toHaveBeenCalled();
      expect(page.rows.map((r) => r.values)).toEqual(expectedPage);
      expect(await allValues(small, 3001)).toEqual(expected);
      // Every row of the small table, the sample's included, was typed from a field batch.
      expect(addRow).not.toHaveBeenCalled();
      expect(addFields.mock.calls.reduce((rows, [batch]) => rows + batch.rows, 0)).toBe(3001);
    } finally {
      addRow.mockRestore();
      addFields.mockRestore();
    }
  });
});
