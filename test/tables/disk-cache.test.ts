// The table cache's disk tier (BUCKETQL_CACHE_DIR): a table kept in memory is also
// written to disk, and answers from there after a restart or an eviction from memory
// without reading the object; a changed object (another ETag) is never answered from
// it; a damaged file is ignored and removed; the folder stays within its bytes, least
// recently used out; files appear whole (temporary name, then rename); two caches may
// share one folder.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvCodec } from '../../src/codecs/csv.js';
import { ndjsonCodec } from '../../src/codecs/ndjson.js';
import { aggregate } from '../../src/tables/aggregate.js';
import { TableCache } from '../../src/tables/cache.js';
import { DiskTables } from '../../src/tables/disk-cache.js';
import { countRows, readPage } from '../../src/tables/query.js';
import { allValues, tableOf } from '../support/tables.js';

const CITIES = ['서울', 'Busan', '"Quoted, city"', '대구', '', '😀 emoji'];

/** Numbers with misfits, repeated strings (a dictionary), unique strings (text), booleans, dates, nulls, a ragged last row. */
function csv(rows: number, seed = 0): string {
  const lines = ['id,name,city,amount,active,when,note'];
  for (let i = 0; i < rows; i++) {
    const amount = i % 997 === 5 ? 'n/a' : i % 13 === 0 ? '' : ((i * 1.37 + seed) % 1000).toFixed(2);
    const note = i % 11 === 0 ? '' : `노트 ${i} — ${i % 7 === 0 ? '"quoted"' : 'plain'}`;
    lines.push(
      `${i},user_${i + seed},${CITIES[i % CITIES.length]},${amount},${i % 3 === 0},2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:30,"${note.replaceAll('"', '""')}"`,
    );
  }
  lines.push('1,x,y,1.5,true,not a date,z,extra cell');
  return `${lines.join('\n')}\n`;
}

const TEXT = csv(12_000);
const SEOUL = {
  and: [
    { column: 'city', op: 'EQ' as const, value: '서울' },
    { column: 'amount', op: 'GTE' as const, value: 500 },
  ],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engine-cache-disk-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A cache of `memory` bytes over the test's folder, as a fresh server process would make it. */
function cacheOn(memory = 256 * 1024 * 1024, diskBytes = 1024 * 1024 * 1024, discarded: string[] = []) {
  return new TableCache(memory, new DiskTables(dir, diskBytes, { discarded: (file) => discarded.push(file) }));
}
const larger = (text: string, cache: TableCache, etag = 'v1', key?: string) => {
  const reader = tableOf(text, { codec: csvCodec, cache, etag, cacheTableBytes: 0, inferRows: 100, chunkSize: 16 * 1024 });
  if (key) Object.assign(reader.object, { key });
  return reader;
};
const streamedOnly = (text: string) => larger(text, new TableCache(1));
const arrowFiles = () => readdirSync(dir).filter((f) => f.endsWith('.arrow'));

describe('the disk tier of the table cache', { timeout: 120_000 }, () => {
  it('answers after a restart from disk, as a streamed read does, without reading the object', async () => {
    const first = cacheOn();
    await countRows(larger(TEXT, first), null);
    await first.disk?.flushed();
    expect(arrowFiles()).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const restarted = cacheOn(); // a new process: nothing in memory
    const reader = larger(TEXT, restarted);
    const streamed = streamedOnly(TEXT);
    expect(await allValues(reader, 3000)).toEqual(await allValues(streamed, 3000));
    const order = [{ column: 'amount', direction: 'DESC' as const }, { column: 'note' }];
    const page = async (r: ReturnType<typeof larger>) => {
      const one = await readPage(r, { first: 40, orderBy: order, where: { column: 'note', op: 'CONTAINS', value: 'quoted' } });
      const two = await readPage(r, { first: 40, orderBy: order, after: one.endCursor });
      return [...one.rows, ...two.rows].map((row) => [row.index, row.values, row.cells]);
    };
    expect(await page(reader)).toEqual(await page(streamed));
    expect(await countRows(reader, SEOUL)).toBe(await countRows(streamed, SEOUL));
    expect(await aggregate(reader, { groupBy: ['city'], columns: ['amount'] })).toEqual(
      await aggregate(streamed, { groupBy: ['city'], columns: ['amount'] }),
    );
    expect(reader.source.opens).toEqual([]);
  });

  it('keeps JSON values, dates and keys of records through a restart', async () => {
    const lines = [
      JSON.stringify({ a: 1, when: '2024-01-01', deep: { x: [1, 'two'] } }),
      JSON.stringify({ b: [1, 2], a: 'x', when: 'soon' }),
      JSON.stringify({ a: null, big: 1e308 }),
    ].join('\n');
    const ndjson = (cache: TableCache) => tableOf(lines, { codec: ndjsonCodec, inferRows: 1, cache });
    const first = cacheOn();
    const values = await allValues(ndjson(first));
    await first.disk?.flushed();
    const again = ndjson(cacheOn());
    expect(await allValues(again)).toEqual(values);
    expect(again.source.opens).toEqual([]);
  });

  it('keeps strings UTF-8 cannot carry (lone surrogates, from JSON) through a restart, or writes no file', async () => {
    // Past the dictionary's 4,096 words the column is text; a lone surrogate is kept aside by row.
    const text = Array.from({ length: 5000 }, (_, i) => `{"s": "${i === 10 ? '\\ud800 lone' : `word ${i}`}"}`).join('\n');
    const ndjson = (source: string, cache: TableCache, etag = 'v1') => tableOf(source, { codec: ndjsonCodec, inferRows: 100, cache, etag });
    const first = cacheOn();
    const values = await allValues(ndjson(text, first), 5000);
    expect(values[10]).toEqual({ s: '\ud800 lone' });
    await first.disk?.flushed();
    expect(arrowFiles()).toHaveLength(1);
    const again = ndjson(text, cacheOn());
    expect(await allValues(again, 5000)).toEqual(values);
    expect(again.source.opens).toEqual([]);

    // A dictionary word with one: Arrow's Utf8 cannot hold it, so the table stays in memory only.
    const words = Array.from({ length: 50 }, (_, i) => `{"s": "${i % 2 === 0 ? '\\udc00' : 'b'}"}`).join('\n');
    const cache = cacheOn();
    const kept = await allValues(ndjson(words, cache, 'v2'), 50);
    await cache.disk?.flushed();
    expect(kept[0]).toEqual({ s: '\udc00' });
    expect(arrowFiles()).toHaveLength(1); // the first table's file only
  });

  it('answers a table pushed out of memory from disk', async () => {
    const probe = new TableCache(256 * 1024 * 1024);
    const measured = larger(TEXT, probe);
    await countRows(measured, null);
    const bytes = probe.getColumns(measured.id)?.bytes ?? 0;
    const cache = cacheOn(Math.ceil(bytes * 1.5));
    await countRows(larger(TEXT, cache, 'a'), null);
    await countRows(larger(TEXT, cache, 'b'), null); // pushes a out of memory
    await cache.disk?.flushed();
    const a = larger(TEXT, cache, 'a');
    expect(cache.getColumns(a.id)).toBeUndefined();
    expect(await countRows(a, { column: 'active', op: 'EQ', value: true })).toBe(4001);
    expect(a.source.opens).toEqual([]);
  });

  it('never answers a changed object (another ETag) from the old one’s file', async () => {
    const first = cacheOn();
    await countRows(larger(TEXT, first, 'v1'), null);
    await first.disk?.flushed();
    const changedText = csv(12_000, 1);
    const changed = larger(changedText, cacheOn(), 'v2');
    expect((await readPage(changed, { first: 1 })).rows[0]?.values.name).toBe('user_1');
    expect(await countRows(changed, SEOUL)).toBe(await countRows(streamedOnly(changedText), SEOUL));
    expect(changed.source.opens.length).toBeGreaterThan(0);
  });

  it('ignores and removes a truncated or corrupt file, reads the object, and writes the file again', async () => {
    const first = cacheOn();
    await countRows(larger(TEXT, first), null);
    await first.disk?.flushed();
    const [name] = arrowFiles();
    const path = join(dir, name as string);
    const whole = readFileSync(path);
    const flipped = Buffer.from(whole);
    const middle = Math.floor(whole.length / 3);
    flipped[middle] = (flipped[middle] as number) ^ 0xff; // one flipped byte in the middle
    const damaged = [whole.subarray(0, Math.floor(whole.length / 2)), flipped];
    const expected = await countRows(streamedOnly(TEXT), SEOUL);
    for (const bytes of damaged) {
      writeFileSync(path, bytes);
      const discarded: string[] = [];
      const cache = cacheOn(256 * 1024 * 1024, 1024 * 1024 * 1024, discarded);
      const reader = larger(TEXT, cache);
      expect(await countRows(reader, SEOUL)).toBe(expected);
      expect(reader.source.opens.length).toBeGreaterThan(0);
      expect(discarded).toEqual([path]);
      await countRows(reader, null);
      await cache.disk?.flushed();
      expect(readFileSync(path).equals(whole)).toBe(true);
    }
  });

  it('stays within its bytes, removing the least recently used files first', async () => {
    const probe = cacheOn();
    await countRows(larger(TEXT, probe, 'probe'), null);
    await probe.disk?.flushed();
    const fileBytes = statSync(join(dir, arrowFiles()[0] as string)).size;
    rmSync(join(dir, arrowFiles()[0] as string));

    const cache = cacheOn(256 * 1024 * 1024, Math.floor(fileBytes * 2.5));
    const keep = async (etag: string) => {
      await countRows(larger(TEXT, cache, etag), null);
      await cache.disk?.flushed();
    };
    await keep('a');
    await keep('b');
    const ids = Object.fromEntries(['a', 'b', 'c'].map((etag) => [etag, `${larger(TEXT, cache, etag).id}.arrow`]));
    // a is older by its time, but then read again (from disk, after a restart): b becomes the least recent.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, ids.a as string), past, past);
    utimesSync(join(dir, ids.b as string), new Date(past.getTime() + 1000), new Date(past.getTime() + 1000));
    const a = larger(TEXT, cacheOn(), 'a');
    await countRows(a, null);
    expect(a.source.opens).toEqual([]);
    await keep('c');
    expect(arrowFiles().sort()).toEqual([ids.a, ids.c].sort());
  });

  it('lets two caches share one folder: one writes, the other reads, neither sees a partial file', async () => {
    const one = cacheOn();
    const two = cacheOn();
    const writes = [countRows(larger(TEXT, one), null), countRows(larger(TEXT, two), null)];
    await Promise.all(writes);
    await Promise.all([one.disk?.flushed(), two.disk?.flushed()]);
    expect(arrowFiles()).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.arrow'))).toEqual([]);
    const reader = larger(TEXT, cacheOn());
    expect(await countRows(reader, SEOUL)).toBe(await countRows(streamedOnly(TEXT), SEOUL));
    expect(reader.source.opens).toEqual([]);
  });
});
