// Tables larger than the memory budget on the disk tier (spill.ts): the first full scan
// keeps the table in segments; later questions on the same ETag read the segments back
// one after another without reading the object; a deep cursor starts at its segment; a
// changed object, a damaged or removed segment, an incomplete scan all end in reads of
// the object with the right answers; two caches share a set.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvCodec } from '../../src/codecs/csv.js';
import { aggregate } from '../../src/tables/aggregate.js';
import { TableCache } from '../../src/tables/cache.js';
import { DiskTables } from '../../src/tables/disk-cache.js';
import { countRows, readPage } from '../../src/tables/query.js';
import { summarizeColumn } from '../../src/tables/summary.js';
import { tableOf } from '../support/tables.js';

const CITIES = ['서울', 'Busan', '"Quoted, city"', '대구', '', '😀 emoji'];
const ROWS = 100_000;

/** Numbers with misfits, a dictionary, unique text, booleans, dates, nulls, a ragged last row. */
function csv(rows: number, seed = 0): string {
  const lines = ['id,name,city,amount,active,when'];
  for (let i = 0; i < rows; i++) {
    const amount = i % 997 === 5 ? 'n/a' : i % 13 === 0 ? '' : ((i * 1.37 + seed) % 1000).toFixed(2);
    lines.push(
      `${i},user_${i + seed},${CITIES[i % CITIES.length]},${amount},${i % 3 === 0},2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:30`,
    );
  }
  lines.push('1,x,y,1.5,true,not a date,extra cell');
  return `${lines.join('\n')}\n`;
}

const TEXT = csv(ROWS);
const SEOUL = {
  and: [
    { column: 'city', op: 'EQ' as const, value: '서울' },
    { column: 'amount', op: 'GTE' as const, value: 500 },
  ],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engine-spill-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Memory for 256 KiB of tables (the 100k-row table takes a few MiB), segments of 512 KiB of columns. */
function cacheOn(discarded: string[] = [], diskBytes = 1024 * 1024 * 1024) {
  return new TableCache(256 * 1024, new DiskTables(dir, diskBytes, { discarded: (file) => discarded.push(file) }, 512 * 1024));
}
const reader = (cache: TableCache, text = TEXT, etag = 'v1') =>
  tableOf(text, { codec: csvCodec, cache, etag, cacheTableBytes: 0, inferRows: 100, chunkSize: 64 * 1024 });
const streamed = (text = TEXT) => reader(new TableCache(1), text);
const files = (suffix: string) => readdirSync(dir).filter((f) => f.endsWith(suffix));

async function spillOnce(cache = cacheOn()): Promise<void> {
  await countRows(reader(cache), null);
  await cache.disk?.flushed();
}

const ORDER = [{ column: 'amount', direction: 'DESC' as const }, { column: 'name' }];
async function answers(r: ReturnType<typeof reader>) {
  const sorted = await readPage(r, { first: 30, orderBy: ORDER, where: { column: 'active', op: 'EQ', value: true } });
  const sortedNext = await readPage(r, { first: 30, orderBy: ORDER, after: sorted.endCursor });
  const first = await readPage(r, { first: 5 });
  return {
    count: await countRows(r, SEOUL),
    sorted: [...sorted.rows, ...sortedNext.rows].map((row) => [row.index, row.values, row.cells]),
    first: first.rows.map((row) => [row.index, row.values]),
    aggregate: await aggregate(r, { groupBy: ['city'], columns: ['amount'] }),
    summary: await summarizeColumn(r, { column: 'when' }),
  };
}

describe('tables larger than memory on the disk tier', { timeout: 120_000 }, () => {
  it('keeps a table too large for memory in segments, and answers later questions from them without reading the object', async () => {
    await spillOnce();
    expect(files('.spill')).toHaveLength(1);
    expect(files('.part').length).toBeGreaterThan(2);
    expect(files('.tmp')).toEqual([]);

    const later = reader(cacheOn()); // a restart: nothing in memory
    const expected = await answers(streamed());
    expect(await answers(later)).toEqual(expected);
    expect(later.source.opens).toEqual([]);
    // The same process, the set found again for each question.
    const cache = cacheOn();
    await spillOnce(cache);
    const again = reader(cache);
    expect(await answers(again)).toEqual(expected);
    expect(again.source.opens).toEqual([]);
  });

  it('makes a whole question asked while the table is spilling wait for the set instead of reading the object', async () => {
    const cache = cacheOn();
    const one = reader(cache);
    const two = reader(cache);
    const counting = countRows(one, null);
    let counted = false;
    void counting.finally(() => {
      counted = true;
    });
    while (!cache.inFlight(one.id) && !counted) await new Promise((resolve) => setImmediate(resolve));
    expect(cache.inFlight(one.id)).toBeDefined(); // the spill is under way
    const delivered = two.source.delivered;
    expect(await countRows(two, SEOUL)).toBe(await countRows(streamed(), SEOUL));
    expect(await counting).toBe(ROWS + 1);
    // The second question read at most the first rows for its schema, not the object.
    expect(two.source.delivered - delivered).toBeLessThan(TEXT.length / 4);
    expect(files('.spill')).toHaveLength(1);
  });

  it('starts a deep cursor page at the segment that holds its row', async () => {
    await spillOnce();
    const deep = async (r: ReturnType<typeof reader>) => {
      let page = await readPage(r, { first: 10 });
      const rows = [];
      for (const after of [90_000, 99_995]) {
        // A position cursor (with the byte offset of the row after) from a page that ended at row `after - 1`.
        const probe = await readPage(streamed(), { first: 1, where: { column: 'id', op: 'EQ', value: after - 1 } });
        page = await readPage(r, { first: 10, after: probe.endCursor });
        rows.push(...page.rows.map((row) => [row.index, row.values]));
      }
      return rows;
    };
    const later = reader(cacheOn());
    const fromDisk = await deep(later);
    expect(fromDisk[0]?.[0]).toBe(90_000);
    expect(fromDisk).toEqual(await deep(streamed()));
    expect(later.source.opens).toEqual([]);
  });

  it('never answers a changed object (another ETag) from the old set', async () => {
    await spillOnce();
    const changedText = csv(ROWS, 1);
    const changed = reader(cacheOn(), changedText, 'v2');
    expect((await readPage(changed, { first: 1 })).rows[0]?.values.name).toBe('user_1');
    expect(await countRows(changed, SEOUL)).toBe(await countRows(streamed(changedText), SEOUL));
    expect(changed.source.opens.length).toBeGreaterThan(0);
  });

  it('falls back to the object when a segment is damaged or removed, with the right answers, and drops the set', async () => {
    const expected = await answers(streamed());
    for (const damage of ['flip', 'remove'] as const) {
      await spillOnce();
      const parts = files('.part').sort();
      const victim = join(dir, parts[Math.floor(parts.length / 2)] as string);
      if (damage === 'remove') rmSync(victim);
      else {
        const bytes = readFileSync(victim);
        const at = Math.floor(bytes.length / 2);
        bytes[at] = (bytes[at] as number) ^ 0xff;
        writeFileSync(victim, bytes);
      }
      const discarded: string[] = [];
      const later = reader(cacheOn(discarded));
      expect(await countRows(later, SEOUL)).toBe(expected.count);
      expect(later.source.opens.length).toBeGreaterThan(0);
      expect(discarded).toHaveLength(1);
      expect(files('.spill')).toEqual([]);
      expect(await answers(later)).toEqual(expected);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no usable set, and no files, after a scan that stopped before the end', async () => {
    const cache = cacheOn();
    const r = tableOf(TEXT, { codec: csvCodec, cache, cacheTableBytes: 0, inferRows: 100, chunkSize: 64 * 1024 });
    // A count whose consumer fails half-way: the pass ends there.
    let seen = 0;
    await expect(
      r.run({
        start: { index: 0 },
        whole: true,
        take: () => {
          seen++;
          if (seen > 80_000) throw new Error('stopped');
          return true;
        },
      }),
    ).rejects.toThrow('stopped');
    await cache.disk?.flushed();
    expect(files('.spill')).toEqual([]);
    expect(files('.part')).toEqual([]);
    const later = reader(cacheOn());
    expect(await countRows(later, SEOUL)).toBe(await countRows(streamed(), SEOUL));
    expect(later.source.opens.length).toBeGreaterThan(0);
  });

  it('lets two caches share one folder: both scan, one set is kept, either reads it', async () => {
    const one = cacheOn();
    const two = cacheOn();
    await Promise.all([countRows(reader(one), null), countRows(reader(two), null)]);
    await Promise.all([one.disk?.flushed(), two.disk?.flushed()]);
    expect(files('.spill')).toHaveLength(1);
    const [manifest] = files('.spill');
    const named = readFileSync(join(dir, manifest as string), 'utf8');
    for (const part of files('.part')) expect(named).toContain(part); // the other writer's files are gone
    for (const cache of [one, two]) {
      const r = reader(cache);
      expect(await countRows(r, { column: 'active', op: 'EQ', value: false })).toBe(
        await countRows(streamed(), { column: 'active', op: 'EQ', value: false }),
      );
      expect(r.source.opens).toEqual([]);
    }
  });

  it('trusts no file name a manifest gives: a segment named as another file of the folder makes the set unreadable, and that file is neither read nor removed', async () => {
    await spillOnce();
    const [manifest] = files('.spill');
    const path = join(dir, manifest as string);
    const file = readFileSync(path);
    const set = JSON.parse(file.subarray(0, file.length - 8).toString('utf8')) as { segments: { file: string }[] };
    // A folder shared by instances: a manifest (damaged, or another version's) naming a file that is not its segment.
    writeFileSync(join(dir, 'another-table.arrow'), 'another table');
    (set.segments[0] as { file: string }).file = 'another-table.arrow';
    const json = Buffer.from(JSON.stringify(set));
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(json), 0);
    trailer.write('BQC1', 4);
    writeFileSync(path, Buffer.concat([json, trailer]));
    const again = reader(new TableCache(256 * 1024, new DiskTables(dir, 1024 * 1024 * 1024, {}, 512 * 1024)));
    expect(await countRows(again, SEOUL)).toBe(await countRows(streamed(), SEOUL));
    expect(again.source.opens.length).toBeGreaterThan(0); // the object was read: the set was not trusted
    expect(readFileSync(join(dir, 'another-table.arrow'), 'utf8')).toBe('another table');
  });

  it('evicts a set whole when the folder is over its bound', async () => {
    await spillOnce();
    const setBytes = readdirSync(dir).reduce((sum, f) => sum + readFileSync(join(dir, f)).length, 0);
    // Room for one set: a second table pushes the first out, all of its files.
    const cache = cacheOn([], Math.floor(setBytes * 1.5));
    await countRows(reader(cache, csv(ROWS, 2), 'v2'), null);
    await cache.disk?.flushed();
    expect(files('.spill')).toHaveLength(1);
    const named = readFileSync(join(dir, files('.spill')[0] as string), 'utf8');
    for (const part of files('.part')) expect(named).toContain(part);
  });
});
