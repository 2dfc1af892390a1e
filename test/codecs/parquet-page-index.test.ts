// What a row group's page indexes give (src/codecs/parquet/page-index.ts): each page's
// place and first row and its value range, as row-group statistics type them; hostile
// index lengths and places are DECODE_FAILED naming the limit; an offset index that does
// not fit its chunk is not used; and a row group is cut into runs of rows to skip, to
// count unread and to read, joined where pieces agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ColumnChunk, parquetMetadata, parquetSchema } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { parquetColumns } from '../../src/codecs/parquet/columns.js';
import { PARQUET_MAX_PAGE_INDEX_BYTES } from '../../src/codecs/parquet/limits.js';
import { type ChunkPages, type IndexRequest, pageRuns, readPageIndexes } from '../../src/codecs/parquet/page-index.js';
import { readParquetTable } from '../../src/codecs/parquet/read.js';
import type { ValueRange } from '../../src/codecs/types.js';
import { isBucketqlError } from '../../src/errors.js';

const TESTING = join(import.meta.dirname, '../fixtures/parquet/parquet-testing/data');

function open(name: string) {
  const bytes = readFileSync(join(TESTING, name));
  const metadata = parquetMetadata(new Uint8Array(bytes).buffer);
  const tree = parquetSchema(metadata);
  const { columns } = parquetColumns(metadata, tree);
  const read = async (start: number, end: number) => Buffer.from(bytes.subarray(start, end));
  const request = (index: number, chunk: Partial<ColumnChunk> = {}): IndexRequest => {
    const original = metadata.row_groups[0]?.columns[index] as ColumnChunk;
    return {
      index,
      chunk: { ...original, ...chunk },
      meta: original.meta_data as NonNullable<ColumnChunk['meta_data']>,
      column: columns[index] as (typeof columns)[number],
      element: tree.children[index]?.element as IndexRequest['element'],
      withRanges: true,
    };
  };
  return { bytes, metadata, read, request, rows: Number(metadata.row_groups[0]?.num_rows) };
}

describe('Parquet page indexes', () => {
  it("give each page's place, first row and range, typed as statistics are", async () => {
    const file = open('alltypes_tiny_pages.parquet');
    const pages = await readPageIndexes(file.read, file.bytes.length, 0, file.rows, [file.request(0)]);
    const id = pages.get(0) as ChunkPages;
    expect(id.pages.length).toBeGreaterThan(100);
    expect(id.pages[0]?.firstRow).toBe(0);
    expect(id.ranges).toHaveLength(id.pages.length);
    for (let p = 1; p < id.pages.length; p++) {
      expect(id.pages[p]?.firstRow).toBeGreaterThan(id.pages[p - 1]?.firstRow as number);
      expect(id.pages[p]?.offset).toBe((id.pages[p - 1]?.offset as number) + (id.pages[p - 1]?.size as number));
    }
    const first = id.ranges?.[0] as ValueRange;
    expect(typeof first.min).toBe('number');
    expect(first.nulls).toBe(0);
    expect(first.rows).toBe((id.pages[1]?.firstRow as number) - 0);
  });

  it('give null pages as ranges of nulls only', async () => {
    const file = open('int32_with_null_pages.parquet');
    const pages = (await readPageIndexes(file.read, file.bytes.length, 0, file.rows, [file.request(0)])).get(0) as ChunkPages;
    const nullPages = (pages.ranges ?? []).filter((r) => r !== null && r.nulls === r.rows && r.min === undefined);
    expect(nullPages.length).toBeGreaterThan(0);
  });

  it('refuse an index longer than the limit, or lying outside the file, naming them', async () => {
    const file = open('alltypes_tiny_pages.parquet');
    const long = file.request(0, { offset_index_length: PARQUET_MAX_PAGE_INDEX_BYTES + 1 });
    const error = await readPageIndexes(file.read, file.bytes.length, 0, file.rows, [long]).catch((e: unknown) => e);
    expect(isBucketqlError(error) && error.code).toBe('DECODE_FAILED');
    expect(String((error as Error).message)).toContain(`${PARQUET_MAX_PAGE_INDEX_BYTES} bytes`);
    expect((error as { extensions?: Record<string, unknown> }).extensions?.limit).toBe(PARQUET_MAX_PAGE_INDEX_BYTES);

    const outside = file.request(0, { column_index_offset: BigInt(file.bytes.length - 10), column_index_length: 100 });
    const error2 = await readPageIndexes(file.read, file.bytes.length, 0, file.rows, [outside]).catch((e: unknown) => e);
    expect(isBucketqlError(error2) && error2.code).toBe('DECODE_FAILED');
    expect(String((error2 as Error).message)).toMatch(/column index of column "id" in row group 0 lies outside the \d+-byte file/);
  });

  it('leave out a chunk whose offset index does not fit it (it is then read whole)', async () => {
    const file = open('alltypes_tiny_pages.parquet');
    // Another column's offset index: its pages lie outside this chunk.
    const other = file.metadata.row_groups[0]?.columns[2] as ColumnChunk;
    const wrong = file.request(0, { offset_index_offset: other.offset_index_offset, offset_index_length: other.offset_index_length });
    const pages = await readPageIndexes(file.read, file.bytes.length, 0, file.rows, [wrong]);
    expect(pages.has(0)).toBe(false);
  });
});

describe('damaged page indexes', () => {
  // Indexes are trusted as statistics are: a damaged minimum can rule out a page that holds matches (a wrong count).
  it('give a count or DECODE_FAILED, never another error', async () => {
    const file = open('alltypes_tiny_pages.parquet');
    const id = file.metadata.row_groups[0]?.columns[0] as ColumnChunk;
    const spans = [
      [Number(id.offset_index_offset), id.offset_index_length as number],
      [Number(id.column_index_offset), id.column_index_length as number],
    ];
    // A filtered count of `id < 300` (by pages) on a copy with some index bytes changed.
    const count = async (bytes: Buffer) => {
      const source = {
        size: bytes.length,
        open: () => Promise.reject(new Error('ranged reads only')),
        read: async (start: number, end: number) => Buffer.from(bytes.subarray(start, end)),
      };
      const below = (rangeOf: (i: number) => ValueRange | null) => {
        const min = rangeOf(0)?.min;
        return typeof min !== 'number' || min < 300;
      };
      let n = 0;
      for await (const event of readParquetTable(source, { header: true, columns: [0], mayMatch: below, columnBlocks: true })) {
        if (event.type !== 'columns') continue;
        const cells = event.columns[0] as ArrayLike<number>;
        for (let i = 0; i < event.rows; i++) if ((cells[i] as number) < 300) n++;
      }
      return n;
    };
    expect(await count(file.bytes)).toBe(300);
    let seed = 99;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const outcomes = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const bytes = Buffer.from(file.bytes);
      const [start, length] = spans[i % 2] as [number, number];
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) bytes[start + Math.floor(random() * length)] = Math.floor(random() * 256);
      const outcome = await count(bytes).then(
        (n) => `count ${n}`,
        (error: unknown) => (isBucketqlError(error) ? error.code : `other: ${String(error)}`),
      );
      outcomes.add(outcome);
      expect(outcome).toMatch(/^(count \d+|DECODE_FAILED)$/);
    }
    expect(outcomes.has('DECODE_FAILED')).toBe(true);
  });
});

describe('runs of a row group from its pages', () => {
  // Column 0: pages of rows [0, 10), [10, 20), [20, 30); column 1: [0, 15), [15, 30).
  const chunk = (firstRows: number[], ranges: ValueRange[]): ChunkPages => ({
    start: 0,
    pages: firstRows.map((firstRow, p) => ({ offset: 100 * p, size: 100, firstRow })),
    ranges,
  });
  const chunks = new Map<number, ChunkPages>([
    [
      0,
      chunk(
        [0, 10, 20],
        [
          { rows: 10, min: 0, max: 9, nulls: 0 },
          { rows: 10, min: 10, max: 19, nulls: 0 },
          { rows: 10, min: 20, max: 29, nulls: 0 },
        ],
      ),
    ],
    [
      1,
      chunk(
        [0, 15],
        [
          { rows: 15, min: 'a', max: 'a', nulls: 0 },
          { rows: 15, min: 'b', max: 'c', nulls: 0 },
        ],
      ),
    ],
  ]);
  const none = () => null;
  /** `id >= low` on column 0 and `name = value` on column 1, as a range test would ask. */
  const atLeast = (low: number) => (rangeOf: (i: number) => ValueRange | null) => ((rangeOf(0)?.max as number) ?? Infinity) >= low;
  const provedAtLeast = (low: number) => (rangeOf: (i: number) => ValueRange | null) => ((rangeOf(0)?.min as number) ?? -1) >= low;
  const named = (value: string) => (rangeOf: (i: number) => ValueRange | null) => {
    const r = rangeOf(1);
    return !r || ((r.min as string) <= value && value <= (r.max as string));
  };

  it('skip pages that cannot match and prove those that all match', () => {
    expect(pageRuns(chunks, 0, 30, none, atLeast(12), provedAtLeast(12))).toEqual([
      { kind: 'skip', from: 0, to: 10 },
      { kind: 'read', from: 10, to: 20 },
      { kind: 'matched', from: 20, to: 30 },
    ]);
  });

  it('cut at the boundaries of every column asked about (and: both must allow)', () => {
    const both = (r: (i: number) => ValueRange | null) => atLeast(12)(r) && named('a')(r);
    expect(pageRuns(chunks, 0, 30, none, both, null)).toEqual([
      { kind: 'skip', from: 0, to: 10 },
      { kind: 'read', from: 10, to: 15 },
      { kind: 'skip', from: 15, to: 30 },
    ]);
    const either = (r: (i: number) => ValueRange | null) => atLeast(25)(r) || named('a')(r);
    expect(pageRuns(chunks, 0, 30, none, either, null)).toEqual([
      { kind: 'read', from: 0, to: 15 },
      { kind: 'skip', from: 15, to: 20 },
      { kind: 'read', from: 20, to: 30 },
    ]);
  });

  it('start at the row a cursor resumes at', () => {
    expect(pageRuns(chunks, 12, 30, none, atLeast(0), null)).toEqual([{ kind: 'read', from: 12, to: 30 }]);
    expect(pageRuns(chunks, 12, 30, none, atLeast(25), null)).toEqual([
      { kind: 'skip', from: 12, to: 20 },
      { kind: 'read', from: 20, to: 30 },
    ]);
  });
});
