// What a column chunk's Bloom filter tells (src/codecs/parquet/bloom.ts): every value
// the chunk holds is reported present, and a value it does not hold is reported absent
// (false positives are possible, so a few absent values are allowed through); for
// filters parquet-mr wrote, with and without their length in the footer, and DuckDB.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { readBloom } from '../../src/codecs/parquet/bloom.js';
import { readParquetTable } from '../../src/codecs/parquet/read.js';
import type { ByteSource, RawCell } from '../../src/codecs/types.js';

const TESTING = join(import.meta.dirname, '../fixtures/parquet/parquet-testing/data');

const sourceOf = (bytes: Buffer, id: string): ByteSource => ({
  size: bytes.length,
  id,
  open: () => Promise.reject(new Error('ranged reads only')),
  read: async (start, end) => Buffer.from(bytes.subarray(start, end)),
});

async function column(bytes: Buffer, index: number): Promise<RawCell[]> {
  const cells: RawCell[] = [];
  for await (const event of readParquetTable(sourceOf(bytes, `cells:${Math.random()}`), { header: true } as never)) {
    if (event.type === 'rows') for (const row of event.rows) cells.push(row[index] ?? null);
  }
  return cells;
}

/** Each row group's filter of column `index`, as membership tests. */
async function filters(bytes: Buffer, index: number) {
  const metadata = parquetMetadata(new Uint8Array(bytes).buffer);
  const element = parquetSchema(metadata).children[index]?.element;
  const read = async (start: number, end: number) => Buffer.from(bytes.subarray(start, end));
  return Promise.all(
    metadata.row_groups.map(
      async (g) => (await readBloom(read, g.columns[index]?.meta_data as never, element as never, bytes.length))?.contains,
    ),
  );
}

describe('Parquet Bloom filters', () => {
  it('report every value of a chunk parquet-mr wrote present, and values it lacks absent', async () => {
    for (const name of ['data_index_bloom_encoding_stats.parquet', 'data_index_bloom_encoding_with_length.parquet']) {
      const bytes = readFileSync(join(TESTING, name));
      const values = (await column(bytes, 0)).filter((v): v is string => typeof v === 'string');
      expect(values.length, name).toBeGreaterThan(5);
      const [contains] = await filters(bytes, 0);
      expect(contains, name).toBeTypeOf('function');
      for (const value of values) expect(contains?.(value), `${name}: ${value}`).toBe(true);
      const absent = Array.from({ length: 200 }, (_, i) => `absent value ${i}`).filter((v) => contains?.(v));
      expect(absent.length, name).toBeLessThan(20);
    }
  });

  it('read DuckDB filters of text and integer columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bucketql-bloom-'));
    try {
      const file = join(dir, 'bloom.parquet');
      const db = await DuckDBInstance.create(':memory:');
      const duck = await db.connect();
      await duck.run(
        `COPY (SELECT 'city_' || (i % 50) AS city, (i % 40) * 1000 AS code FROM range(5000) t(i)) TO '${file}' (FORMAT parquet)`,
      );
      duck.closeSync();
      const bytes = readFileSync(file);
      const [city] = await filters(bytes, 0);
      const [code] = await filters(bytes, 1);
      for (let i = 0; i < 50; i++) expect(city?.(`city_${i}`)).toBe(true);
      expect(Array.from({ length: 100 }, (_, i) => `city_${50 + i}`).filter((v) => city?.(v)).length).toBeLessThan(10);
      for (let i = 0; i < 40; i++) expect(code?.(i * 1000)).toBe(true);
      expect(Array.from({ length: 100 }, (_, i) => i * 1000 + 1).filter((v) => code?.(v)).length).toBeLessThan(10);
      // A value the filter cannot hash (not an integer, for an integer column) is never reported absent.
      expect(code?.(0.5)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with the read that fails (a network error or an abort is not "no filter")', async () => {
    const bytes = readFileSync(join(TESTING, 'data_index_bloom_encoding_stats.parquet'));
    const metadata = parquetMetadata(new Uint8Array(bytes).buffer);
    const meta = metadata.row_groups[0]?.columns[0]?.meta_data;
    const element = parquetSchema(metadata).children[0]?.element;
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    await expect(readBloom(() => Promise.reject(reset), meta as never, element as never, bytes.length)).rejects.toBe(reset);
  });

  it('is null for a chunk without a filter, or with its offset outside the file', async () => {
    const bytes = readFileSync(join(TESTING, 'data_index_bloom_encoding_stats.parquet'));
    const metadata = parquetMetadata(new Uint8Array(bytes).buffer);
    const meta = metadata.row_groups[0]?.columns[0]?.meta_data;
    const element = parquetSchema(metadata).children[0]?.element;
    const read = async (start: number, end: number) => Buffer.from(bytes.subarray(start, end));
    expect(await readBloom(read, { ...meta, bloom_filter_offset: undefined } as never, element as never, bytes.length)).toBeNull();
    expect(
      await readBloom(read, { ...meta, bloom_filter_offset: BigInt(bytes.length + 10) } as never, element as never, bytes.length),
    ).toBeNull();
  });
});
