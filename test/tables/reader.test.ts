// TableReader: the schema from a sample of leading rows (cells beyond it that do not
// fit come back as written, columns beyond it ride along in `values`), small tables
// kept whole in the shared cache, larger ones streamed and resumed where the sample
// ended, and codec-declared column types respected.
import { describe, expect, it, vi } from 'vitest';
import { csvCodec } from '../../src/codecs/csv.js';
import { jsonCodec } from '../../src/codecs/json.js';
import { ndjsonCodec } from '../../src/codecs/ndjson.js';
import type { Codec, TableEvent } from '../../src/codecs/types.js';
import { TableCache } from '../../src/tables/cache.js';
import { ColumnarBuilder } from '../../src/tables/columnar.js';
import { countRows, readPage } from '../../src/tables/query.js';
import { allValues, tableOf } from '../support/tables.js';

describe('the sample', () => {
  const csv = `n,when,flag\n1,2024-01-15,true\n2,2024-01-16,false\n${Array.from({ length: 20 }, (_, i) => `${i + 3},2024-02-01,TRUE`).join('\n')}\nabc,2024-02-30,yes\n007,soon,1\n`;

  it('decides the types; later cells that do not fit come back as written', async () => {
    for (const cacheTableBytes of [0, 1 << 20]) {
      const reader = tableOf(csv, { codec: csvCodec, inferRows: 5, cacheTableBytes });
      expect((await reader.schema()).columns.map((c) => c.type)).toEqual(['INT', 'DATETIME', 'BOOLEAN']);
      const values = await allValues(reader);
      expect(values.at(-2)).toEqual({ n: 'abc', when: '2024-02-30', flag: 'yes' });
      expect(values.at(-1)).toEqual({ n: '007', when: 'soon', flag: '1' });
      expect(values[0]).toEqual({ n: 1, when: '2024-01-15T00:00:00.000Z', flag: true });
    }
  });

  it('names the record keys of JSON lines; keys first seen later ride along in values, not columns', async () => {
    const lines = [...Array.from({ length: 10 }, (_, i) => JSON.stringify({ a: i })), JSON.stringify({ a: 10, late: 'x' })].join('\n');
    const reader = tableOf(lines, { codec: ndjsonCodec, inferRows: 5, cacheTableBytes: 0 });
    expect((await reader.schema()).columns.map((c) => c.name)).toEqual(['a']);
    const last = (await readPage(reader, { first: 1, where: { column: 'a', op: 'EQ', value: 10 } })).rows[0];
    expect(last?.values).toEqual({ a: 10, late: 'x' });
    expect(last?.cells).toEqual([10]);
  });

  it('small tables kept whole know every key of every record as a column', async () => {
    const lines = [JSON.stringify({ a: 1 }), JSON.stringify({ b: 2 })].join('\n');
    const reader = tableOf(lines, { codec: ndjsonCodec, inferRows: 1 });
    expect((await reader.schema()).columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('a small JSON array typed as it is read: keys first seen after the sample are NULL columns, values as written', async () => {
    const records: Record<string, unknown>[] = Array.from({ length: 3000 }, (_, i) => ({ n: i, city: i % 2 ? '서울' : 'Busan' }));
    Object.assign(records[1500] as object, { late: 'x', n: 'not a number' });
    records[2999] = JSON.parse('{"__proto__": {"p": 1}, "n": 2999, "later": [1]}');
    const text = JSON.stringify(records);
    const cache = new TableCache(64 * 1024 * 1024);
    const reader = tableOf(text, { codec: jsonCodec, inferRows: 100, chunkSize: 4096, cache });
    const schema = await reader.schema();
    expect(schema.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ['n', 'INT', false],
      ['city', 'STRING', false],
      ['late', 'NULL', true],
      ['__proto__', 'NULL', true],
      ['later', 'NULL', true],
    ]);
    expect(
      await countRows(reader, {
        and: [
          { column: 'city', op: 'EQ', value: '서울' },
          { column: 'n', op: 'GTE', value: 1000 },
        ],
      }),
    ).toBe(999);
    expect(await countRows(reader, { column: 'late', op: 'IS_NOT_NULL' })).toBe(1);
    expect(reader.source.opens).toEqual([0]);
    const values = await allValues(reader);
    // Own `__proto__` keys, as JSON.parse makes them (an object literal would set the prototype).
    expect(values[0]).toEqual(JSON.parse('{"n": 0, "city": "Busan", "late": null, "__proto__": null, "later": null}'));
    expect(values[1500]).toEqual(JSON.parse('{"n": "not a number", "city": "Busan", "late": "x", "__proto__": null, "later": null}'));
    expect(values[2999]).toEqual(JSON.parse('{"n": 2999, "city": null, "late": null, "__proto__": {"p": 1}, "later": [1]}'));
    // Kept: a second reader of the same version reads nothing.
    const again = tableOf(text, { codec: jsonCodec, inferRows: 100, cache });
    expect(await countRows(again, { column: 'n', op: 'LT', value: 10 })).toBe(10);
    expect(again.source.opens).toEqual([]);
  });

  it('a small JSON array that outgrows the cache while typed is not kept: its schema has the keys seen, and it still answers', async () => {
    const records = Array.from({ length: 70_000 }, (_, i) => ({ id: i, name: `name ${i}`, ...(i === 60_000 ? { late: 1 } : {}) }));
    const text = JSON.stringify(records);
    const cache = new TableCache(256 * 1024);
    const reader = tableOf(text, { codec: jsonCodec, inferRows: 100, cache });
    expect((await reader.schema()).columns.map((c) => c.name)).toEqual(['id', 'name', 'late']);
    expect(await countRows(reader, { column: 'id', op: 'GTE', value: 69_990 })).toBe(10);
    expect(cache.getColumns(reader.id)).toBeUndefined();
    const again = tableOf(text, { codec: jsonCodec, inferRows: 100, cache });
    expect((await readPage(again, { first: 1, after: null, where: { column: 'late', op: 'EQ', value: 1 } })).rows[0]?.values).toEqual({
      id: 60_000,
      name: 'name 60000',
      late: 1,
    });
  });

  it('a small JSON array allocates its columns once, for the records its first bytes foretell', async () => {
    const text = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ id: i, amount: i / 4, city: '서울' })));
    const reserve = vi.spyOn(ColumnarBuilder.prototype, 'reserve');
    try {
      expect(await countRows(tableOf(text, { codec: jsonCodec, inferRows: 100 }), null)).toBe(20_000);
      expect(reserve).toHaveBeenCalledTimes(1);
      const rows = reserve.mock.calls[0]?.[0] as number;
      expect(rows).toBeGreaterThanOrEqual(20_000);
      expect(rows).toBeLessThan(20_000 * 1.1);
    } finally {
      reserve.mockRestore();
    }
  });
});

describe('reading', () => {
  const big = `id,text\n${Array.from({ length: 5000 }, (_, i) => `${i},"row ${i}, 한글"`).join('\n')}\n`;

  it('a small table is read once and kept: a second reader of the same version reads nothing', async () => {
    const cache = new TableCache(64 * 1024 * 1024);
    const first = tableOf(big, { codec: csvCodec, cache });
    expect(await countRows(first, null)).toBe(5000);
    expect(first.source.opens).toEqual([0]);
    const second = tableOf(big, { codec: csvCodec, cache });
    expect((await readPage(second, { first: 3 })).rows.map((r) => r.values.id)).toEqual([0, 1, 2]);
    expect(await countRows(second, null)).toBe(5000);
    expect(second.source.opens).toEqual([]);
    const changed = tableOf(big, { codec: csvCodec, cache, etag: 'other' });
    await countRows(changed, null);
    expect(changed.source.opens).toEqual([0]);
  });

  it('a larger table reads its sample, serves leading pages from it, and reads on from where it ended', async () => {
    const reader = tableOf(big, { codec: csvCodec, inferRows: 100, cacheTableBytes: 0, chunkSize: 1024 });
    const page = await readPage(reader, { first: 50 });
    expect(page.rows.map((r) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(reader.source.opens).toEqual([0]);
    const next = await readPage(reader, { first: 200, after: page.endCursor });
    expect(next.rows.map((r) => r.values.id)).toEqual(Array.from({ length: 200 }, (_, i) => 50 + i));
    expect(reader.source.opens).toHaveLength(2);
    expect(reader.source.opens[1]).toBe(Buffer.byteLength(big.split('\n').slice(0, 101).join('\n')) + 1);
  });

  it('questions asked in the same tick share one pass', async () => {
    const reader = tableOf(big, { codec: csvCodec, inferRows: 10, cacheTableBytes: 0 });
    await reader.schema();
    const opensBefore = reader.source.opens.length;
    const [count, filtered, page] = await Promise.all([
      countRows(reader, null),
      countRows(reader, { column: 'id', op: 'LT', value: 10 }),
      readPage(reader, { first: 5 }),
    ]);
    expect([count, filtered, page.rows.length]).toEqual([5000, 10, 5]);
    expect(reader.source.opens.length - opensBefore).toBe(1);
  });

  it('a full scan by a reader whose schema came from the cache allocates its columns once, for the rows its first batch foretells', async () => {
    const cache = new TableCache(64 * 1024 * 1024);
    // A first page through one reader leaves the schema in the cache; a count through another (the next request) has no sample.
    await readPage(tableOf(big, { codec: csvCodec, inferRows: 100, cacheTableBytes: 0, cache }), { first: 5 });
    const reader = tableOf(big, { codec: csvCodec, inferRows: 100, cacheTableBytes: 0, cache });
    const reserve = vi.spyOn(ColumnarBuilder.prototype, 'reserve');
    try {
      expect(await countRows(reader, { column: 'id', op: 'GTE', value: 4990 })).toBe(10);
      expect(reserve).toHaveBeenCalledTimes(1);
      const rows = reserve.mock.calls[0]?.[0] as number;
      expect(rows).toBeGreaterThanOrEqual(5000);
      expect(rows).toBeLessThan(5000 * 1.1);
    } finally {
      reserve.mockRestore();
    }
  });

  it('reads on from a cursor with the line end of the first bytes, not of the bytes after the cursor', async () => {
    // LF rows, then more than the sniffed 64 KiB with CR line ends only, then LF again: a read
    // from the top takes the CR stretch as one cell, and so must one resumed just before it.
    const stretch = Array.from({ length: 15_000 }, (_, i) => `c${i}`).join('\r');
    const csv = `id,note\nr1,a\nr2,b\n${stretch}\nr9,z\n`;
    const expected = [
      { id: 'r1', note: 'a' },
      { id: 'r2', note: 'b' },
      { id: stretch, note: null },
      { id: 'r9', note: 'z' },
    ];
    for (const cacheTableBytes of [0, 1 << 20])
      expect(await allValues(tableOf(csv, { codec: csvCodec, inferRows: 1, cacheTableBytes }))).toEqual(expected);
    // The second page, from a new reader: a read resumed at the cursor's byte offset.
    const streamed = { codec: csvCodec, inferRows: 1, cacheTableBytes: 0 };
    const first = await readPage(tableOf(csv, streamed), { first: 2 });
    const reader = tableOf(csv, streamed);
    const second = await readPage(reader, { first: 2, after: first.endCursor });
    expect(reader.source.opens.some((start) => start > 0)).toBe(true);
    expect(second.rows.map((r) => r.values)).toEqual(expected.slice(2));
  });

  it('stops reading when no question wants more rows', async () => {
    const large = `id,text\n${Array.from({ length: 60_000 }, (_, i) => `${i},"row ${i}, 한글"`).join('\n')}\n`;
    const reader = tableOf(large, { codec: csvCodec, inferRows: 10, cacheTableBytes: 0, chunkSize: 4096 });
    await readPage(reader, { first: 20 });
    // The 10-row sample, then on from where it ended for the rest of the page.
    expect(reader.source.opens).toEqual([0, Buffer.byteLength(large.split('\n').slice(0, 11).join('\n')) + 1]);
    expect(reader.source.delivered).toBeLessThan(reader.source.size / 2);
  });
});

describe('declared column types', () => {
  /** A codec that emits a header declaring FLOAT for its first column, then number rows. */
  function declaring(rows: (number | string | null)[][]): Codec {
    return {
      format: 'PICKLE',
      extensions: ['.pkl'],
      contentType: 'application/octet-stream',
      async *readTable(): AsyncGenerator<TableEvent> {
        yield { type: 'header', names: ['x', 'y'], types: ['FLOAT', null] };
        yield { type: 'rows', rows };
      },
    };
  }

  it('win over the sampled type when the sample agrees (1.0 read as 1 is still FLOAT)', async () => {
    const reader = tableOf('', {
      codec: declaring([
        [1, 1],
        [2, 2],
        [null, 3],
      ]),
    });
    expect((await reader.schema()).columns.map((c) => [c.type, c.nullable])).toEqual([
      ['FLOAT', true],
      ['INT', false],
    ]);
  });

  it('give way when the sample holds values of another type', async () => {
    const reader = tableOf('', { codec: declaring([['text', 1]]) });
    expect((await reader.schema()).columns.map((c) => c.type)).toEqual(['STRING', 'INT']);
  });
});
