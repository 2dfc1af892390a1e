// What a count's column blocks promise: row for row the same cells as the rows a page
// reads, whether a column comes as cells, as a Float64Array (NaN for null) or as a
// dictionary with codes (-1 for null); for every file of the Apache parquet-testing
// set that reads, every codec bucketql's fixtures hold, and DuckDB files with nulls,
// dictionaries and several row groups. Dictionary-encoded and number columns come
// compactly.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { decodeBlockColumn } from '../../src/codecs/parquet/blocks.js';
import { columnDecoder } from '../../src/codecs/parquet/chunks.js';
import { PARSERS, type ParquetColumn } from '../../src/codecs/parquet/columns.js';
import { COMPRESSORS } from '../../src/codecs/parquet/compressors.js';
import { openParquet, readParquetTable } from '../../src/codecs/parquet/read.js';
import type { BlockCells, ByteSource, RawCell, TableEvent } from '../../src/codecs/types.js';
import { DecodeFailed } from '../../src/errors.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/parquet');
const TESTING = join(FIXTURES, 'parquet-testing/data');

function sourceOf(bytes: Buffer, id: string): ByteSource {
  return {
    size: bytes.length,
    id,
    open: () => Promise.reject(new Error('ranged reads only')),
    read: async (start, end) => Buffer.from(bytes.subarray(start, end)),
  };
}

/** A block column's cell at row `r`, as rows give it (numbers that are not finite read as null either way). */
function cellAt(cells: BlockCells | undefined, r: number): RawCell {
  if (cells === undefined) return null;
  if ('codes' in cells) {
    const code = cells.codes[r] as number;
    return code < 0 ? null : normal(cells.dictionary[code] ?? null);
  }
  return normal((cells as ArrayLike<RawCell>)[r] ?? null);
}

const normal = (cell: RawCell): RawCell => (typeof cell === 'number' && !Number.isFinite(cell) ? null : cell);

async function collect(events: AsyncIterable<TableEvent>) {
  const rows: RawCell[][] = [];
  const blocks: { rows: number; columns: (BlockCells | undefined)[] }[] = [];
  let width = 0;
  for await (const event of events) {
    if (event.type === 'header') width = event.names.length;
    if (event.type === 'rows') rows.push(...event.rows);
    if (event.type === 'columns') blocks.push(event);
    if (event.type === 'skip') throw new Error('no row is skipped without a filter');
  }
  return { rows, blocks, width };
}

/** Reads the file as rows and as blocks, and compares them cell for cell; returns the kinds of block column seen. */
async function compare(bytes: Buffer, name: string): Promise<Set<string>> {
  const options = { header: true, size: bytes.length, compression: 'NONE' as const } as never;
  const asRows = await collect(readParquetTable(sourceOf(bytes, `${name}:rows`), options));
  const asBlocks = await collect(
    readParquetTable(sourceOf(bytes, `${name}:blocks`), { ...(options as object), columnBlocks: true } as never),
  );
  const kinds = new Set<string>();
  let at = 0;
  for (const block of asBlocks.blocks) {
    for (let c = 0; c < asRows.width; c++) {
      const cells = block.columns[c];
      kinds.add(cells === undefined ? 'unread' : 'codes' in cells ? 'coded' : cells instanceof Float64Array ? 'numbers' : 'cells');
      for (let r = 0; r < block.rows; r++) {
        const expected = normal((asRows.rows[at + r] as RawCell[])[c] ?? null);
        const got = cellAt(cells, r);
        if (got !== expected) expect(got, `${name} row ${at + r} column ${c}`).toEqual(expected);
      }
    }
    at += block.rows;
  }
  expect(at, name).toBe(asRows.rows.length);
  return kinds;
}

describe('Parquet column blocks for counts', () => {
  it('hold the same cells as rows in every parquet-testing file that reads', async () => {
    const seen = new Set<string>();
    let compared = 0;
    for (const name of readdirSync(TESTING).filter((n) => n.endsWith('.parquet'))) {
      const bytes = readFileSync(join(TESTING, name));
      try {
        for (const kind of await compare(bytes, name)) seen.add(kind);
        compared++;
      } catch (error) {
        // Files bucketql refuses are refused either way (test/api/parquet.test.ts lists them).
        if ((error as { code?: string }).code !== 'DECODE_FAILED' && (error as { code?: string }).code !== 'PAYLOAD_TOO_LARGE') throw error;
      }
    }
    expect(compared).toBeGreaterThan(60);
    expect([...seen].sort()).toEqual(['cells', 'coded', 'numbers']);
  });

  it('hold the same cells as rows in files of every codec, with nulls and dictionaries', async () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.parquet'))) {
      await compare(readFileSync(join(FIXTURES, name)), name);
    }
  });

  it('hold 64-bit integers at the edges of the safe range exactly, and those beyond it as rows do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bucketql-blocks-'));
    try {
      const edges = [
        '-9007199254740991',
        '9007199254740991',
        '-4294967296',
        '-4294967295',
        '-1',
        '0',
        '4294967295',
        '4294967296',
        '-2147483648',
      ];
      const file = join(dir, 'edges.parquet');
      const db = await DuckDBInstance.create(':memory:');
      const duck = await db.connect();
      const values = (list: string[]) => list.map((v) => `(${v}::BIGINT)`).join(', ');
      await duck.run(`COPY (SELECT * FROM (VALUES ${values(edges)}) t(v)) TO '${file}' (FORMAT parquet, DICTIONARY_SIZE_LIMIT 1)`);
      await duck.run(`COPY (SELECT * FROM (VALUES ${values([...edges, '-9007199254740992'])}) t(v)) TO '${file}.beyond' (FORMAT parquet)`);
      duck.closeSync();
      expect(await compare(readFileSync(file), 'edges')).toEqual(new Set(['numbers']));
      expect(await compare(readFileSync(`${file}.beyond`), 'beyond')).not.toContain('numbers');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('give a dictionary-encoded column as its dictionary and codes, and a number column as numbers', async () => {
    const bytes = readFileSync(join(FIXTURES, 'row-groups.parquet'));
    const { blocks } = await collect(
      readParquetTable(sourceOf(bytes, 'kinds'), { header: true, size: bytes.length, compression: 'NONE', columnBlocks: true } as never),
    );
    const first = blocks[0]?.columns ?? [];
    expect(first[0]).toBeInstanceOf(Float64Array); // id
    expect(first[1]).toHaveProperty('codes'); // city, 5 values
  });

  it('decode a chunk handed as a view into a larger read, and refuse a page that runs past the view', async () => {
    // A count reads a row group's adjacent chunks in one GET and decodes each as a view into it.
    for (const name of ['codec-uncompressed.parquet', 'codec-snappy.parquet', 'row-groups.parquet']) {
      const bytes = readFileSync(join(FIXTURES, name));
      const parquet = await openParquet(sourceOf(bytes, `view:${name}`));
      const group = parquet.metadata.row_groups[0] as (typeof parquet.metadata.row_groups)[number];
      for (const [index, chunk] of group.columns.entries()) {
        const meta = chunk.meta_data as NonNullable<typeof chunk.meta_data>;
        const decoder = columnDecoder(parquet.tree, meta, { parsers: PARSERS, compressors: COMPRESSORS, utf8: false });
        const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
        const end = start + Number(meta.total_compressed_size);
        const column = parquet.columns[index] as ParquetColumn;
        const rows = Number(group.num_rows);
        const own = decodeBlockColumn(new Uint8Array(bytes.subarray(start, end)), meta, decoder, column, rows);
        const view = decodeBlockColumn(bytes.subarray(start, end), meta, decoder, column, rows);
        for (let r = 0; r < rows; r++) expect(cellAt(view, r), `${name} column ${index} row ${r}`).toEqual(cellAt(own, r));
        // One byte short: the last page's declared size reaches the byte after the view, which the buffer holds.
        expect(() => decodeBlockColumn(bytes.subarray(start, end - 1), meta, decoder, column, rows), `${name} column ${index}`).toThrow(
          DecodeFailed,
        );
      }
    }
  });
});
