// Reading a Parquet table through ranged reads: the footer with one or two, then for
// each row group only the column chunks a question needs, skipping the row groups
// before `startRow` and those whose statistics or Bloom filters rule out every row
// (`mayMatch`). Counts take whole row groups column by column ('columns' events).

import {
  type AsyncBuffer,
  type ColumnMetaData,
  type FileMetaData,
  parquetMetadata,
  parquetRead,
  parquetSchema,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { LRUCache } from 'lru-cache';
import { DecodeFailed, isBucketqlError, PayloadTooLarge } from '../../errors.js';
import { isNetworkErrorCode } from '../../storage/errors.js';
import type {
  BlockCells,
  ByteSource,
  ColumnTypeName,
  RawCell,
  TableDescription,
  TableEvent,
  TableReadOptions,
  ValueRange,
} from '../types.js';
import { decodeBlockColumn } from './blocks.js';
import { type Contains, readBloom } from './bloom.js';
import { ChunkReader, type ColumnDecoder, chunkValues, columnDecoder, isFlatChunk } from './chunks.js';
import { PARSERS, type ParquetColumn, parquetColumns } from './columns.js';
import { COMPRESSORS } from './compressors.js';
import { PARQUET_FOOTER_GUESS_BYTES, PARQUET_MAX_FOOTER_BYTES, PARQUET_MAX_ROW_GROUP_BYTES } from './limits.js';
import {
  type ChunkPages,
  type IndexRequest,
  type PageRun,
  type PageSpan,
  pageRuns,
  pagesFor,
  readPageIndexes,
  readRanges,
  sliceCells,
} from './page-index.js';
import { asyncBufferOf, type RangeReader, rangeReaderOf } from './source.js';

/** Rows per 'rows' event. */
const BATCH_ROWS = 1000;

/** A file opened for reading: its footer, columns, and the buffer its chunks are read through. */
export interface ParquetFile {
  metadata: FileMetaData;
  /** The schema of `metadata` (after the rewrite of parquetColumns) as a tree. */
  tree: SchemaTree;
  /** Each column's schema element as the footer's statistics were converted with (before parquetColumns' rewrite). */
  statsElements: SchemaElement[];
  columns: ParquetColumn[];
  file: AsyncBuffer;
  read: RangeReader;
  size: number;
  /** Bloom filters read of this object version (by row group and column), kept with its footer. */
  blooms: KeptBlooms;
}

interface KeptBlooms {
  filters: Map<string, Contains | null>;
  bytes: number;
}

/**
 * Errors of hyparquet (malformed data) become DECODE_FAILED; those of the reads behind it
 * (network failures, aborts) pass. Node's own coded errors from decoding damaged bytes
 * (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ...) are malformed data too.
 */
export function decodeFailure(error: unknown): unknown {
  if (isBucketqlError(error)) return error;
  const e = error as { code?: unknown; name?: string; message?: string };
  if (isNetworkErrorCode(e?.code) || e?.name === 'AbortError' || e?.name === 'TimeoutError') return error;
  const message = (e?.message ?? String(error)).replace(/^parquet /, '');
  return new DecodeFailed(`Parquet: cannot decode the file (${message})`);
}

const MAGIC = 0x31524150; // "PAR1"
const ENCRYPTED_MAGIC = 0x45524150; // "PARE"

/** A file's footer as parsed, the end of the file it came in (Bloom filters often lie there), and the Bloom filters read. */
interface Footer {
  metadata: FileMetaData;
  size: number;
  tail: Buffer;
  blooms: KeptBlooms;
}

/** The tail kept with a footer: at most this many bytes. */
const MAX_TAIL_BYTES = 2 * PARQUET_FOOTER_GUESS_BYTES;

async function readFooter(size: number, read: RangeReader): Promise<{ metadata: FileMetaData; tail: Buffer }> {
  if (size < 12) throw new DecodeFailed(`not a Parquet file: ${size} bytes, fewer than the 12 of the smallest Parquet file`);
  const guess = Math.min(size, PARQUET_FOOTER_GUESS_BYTES);
  let tail = await read(size - guess, size);
  const magic = tail.readUInt32LE(tail.length - 4);
  if (magic === ENCRYPTED_MAGIC) throw new DecodeFailed('Parquet: encrypted files (footer "PARE") are not supported');
  if (magic !== MAGIC) throw new DecodeFailed('not a Parquet file: it does not end with "PAR1"');
  const length = tail.readUInt32LE(tail.length - 8);
  if (length + 12 > size) {
    throw new DecodeFailed(`Parquet: the footer declares ${length} bytes, more than the ${size}-byte file holds`, { footerBytes: length });
  }
  if (length > PARQUET_MAX_FOOTER_BYTES) {
    throw new PayloadTooLarge(`Parquet: the footer is ${length} bytes; footers of at most ${PARQUET_MAX_FOOTER_BYTES} bytes are read`, {
      limit: PARQUET_MAX_FOOTER_BYTES,
    });
  }
  if (length + 8 > tail.length) tail = Buffer.concat([await read(size - length - 8, size - guess), tail]);
  try {
    const metadata = parquetMetadata(tail.subarray(tail.length - length - 8), { parsers: PARSERS, geoparquet: false });
    return { metadata, tail: tail.length > MAX_TAIL_BYTES ? tail.subarray(tail.length - MAX_TAIL_BYTES) : tail };
  } catch (error) {
    throw decodeFailure(error);
  }
}

/** Footers parsed lately, by object version: a question's several reads parse one once. */
const footers = new LRUCache<string, Promise<Footer>>({ max: 64 });

/** Reads the end of the file from the tail read with the footer, the rest through `read`. */
function withTail(read: RangeReader, size: number, tail: Buffer): RangeReader {
  const tailStart = size - tail.length;
  return (start, end) =>
    start >= tailStart && end <= size ? Promise.resolve(tail.subarray(start - tailStart, end - tailStart)) : read(start, end);
}

function checkChunks(metadata: FileMetaData, size: number): void {
  for (const [g, group] of metadata.row_groups.entries()) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (chunk.crypto_metadata || chunk.encrypted_column_metadata) {
        const name = meta?.path_in_schema.join('.') ?? '?';
        throw new DecodeFailed(`Parquet: column ${JSON.stringify(name)} is encrypted; encrypted Parquet files are not supported`);
      }
      if (!meta)
        throw new DecodeFailed(`Parquet: row group ${g} has a column chunk without metadata (encrypted columns are not supported)`);
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      const end = Number(meta.data_page_offset) + Number(meta.total_compressed_size);
      if (
        !(
          start >= 0 &&
          Number(meta.total_compressed_size) >= 0 &&
          start + Number(meta.total_compressed_size) <= size &&
          end <= size + Number(meta.total_compressed_size)
        )
      ) {
        throw new DecodeFailed(
          `Parquet: column ${JSON.stringify(meta.path_in_schema.join('.'))} of row group ${g} lies outside the ${size}-byte file`,
        );
      }
    }
  }
}

export async function openParquet(source: ByteSource): Promise<ParquetFile> {
  const { size: sizeOf, read } = rangeReaderOf(source);
  const load = async (): Promise<Footer> => {
    const size = await sizeOf();
    const { metadata, tail } = await readFooter(size, read);
    checkChunks(metadata, size);
    return { metadata, size, tail, blooms: { filters: new Map(), bytes: 0 } };
  };
  let footer: Promise<Footer>;
  if (source.id && source.read) {
    const cached = footers.get(source.id);
    footer = cached ?? load();
    if (!cached) {
      footers.set(source.id, footer);
      footer.catch(() => footers.delete(source.id as string));
    }
  } else footer = load();
  const { metadata, size, tail, blooms } = await footer;
  const reader = withTail(read, size, tail);
  let tree: ReturnType<typeof parquetSchema>;
  try {
    tree = parquetSchema(metadata);
  } catch (error) {
    throw decodeFailure(error);
  }
  const prepared = parquetColumns(metadata, tree);
  return {
    metadata: prepared.metadata,
    tree: prepared.metadata === metadata ? tree : parquetSchema(prepared.metadata),
    statsElements: tree.children.map((child) => child.element),
    columns: prepared.columns,
    file: asyncBufferOf(size, reader),
    read: reader,
    size,
    blooms,
  };
}

export async function describeParquet(source: ByteSource): Promise<TableDescription> {
  const { metadata, columns } = await openParquet(source);
  return {
    names: columns.map((c) => c.name),
    types: columns.map((c) => c.type),
    nullable: columns.map((c) => c.nullable),
    rowCount: metadata.row_groups.reduce((sum, group) => sum + Number(group.num_rows), 0),
  };
}

/** Reads rows `rowStart` to `rowEnd` (file positions) of the named columns, as hyparquet's arrays. */
function readRows(parquet: ParquetFile, names: string[], rowStart: number, rowEnd: number): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    parquetRead({
      file: parquet.file,
      metadata: parquet.metadata,
      columns: names,
      rowStart,
      rowEnd,
      rowFormat: 'array',
      utf8: false,
      parsers: PARSERS,
      compressors: COMPRESSORS,
      onComplete: (rows) => resolve(rows as unknown[][]),
    }).catch((error: unknown) => reject(decodeFailure(error)));
  });
}

/** What a row group's chunks of these columns take, compressed and not. */
function groupBytes(parquet: ParquetFile, group: number, names: ReadonlySet<string>): number {
  let bytes = 0;
  for (const chunk of parquet.metadata.row_groups[group]?.columns ?? []) {
    const meta = chunk.meta_data;
    if (meta && names.has(meta.path_in_schema[0] as string))
      bytes += Math.max(Number(meta.total_compressed_size), Number(meta.total_uncompressed_size));
  }
  return bytes;
}

/** A flat column's chunk in a row group. */
function flatChunk(parquet: ParquetFile, group: number, index: number) {
  const column = parquet.columns[index];
  const rowGroup = parquet.metadata.row_groups[group];
  if (!column || !rowGroup) return undefined;
  return rowGroup.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === column.name);
}

/** The range of column `index` in row group `group`, from its statistics (flat columns only). */
function rangeOf(parquet: ParquetFile, group: number, index: number): ValueRange | null {
  const chunk = flatChunk(parquet, group, index);
  const rows = Number(parquet.metadata.row_groups[group]?.num_rows);
  return chunk ? (parquet.columns[index] as ParquetColumn).range(chunk.meta_data?.statistics, rows) : null;
}

/**
 * Whether a row group may hold rows `mayMatch` wants, from its statistics and then, where
 * they cannot tell and the test asks whether a value is present (EQ, IN), from the Bloom
 * filters of the chunks it asks about, read only then.
 */
async function groupMayMatch(parquet: ParquetFile, group: number, mayMatch: NonNullable<TableReadOptions['mayMatch']>): Promise<boolean> {
  const asked = new Set<number>();
  const probed = (index: number): ValueRange | null => {
    const range = rangeOf(parquet, group, index);
    if (!parquet.columns[index]?.bloom || flatChunk(parquet, group, index)?.meta_data?.bloom_filter_offset === undefined) return range;
    // Asked about: its filter is read only if the statistics leave the answer open.
    const contains = () => {
      asked.add(index);
      return true;
    };
    return { ...(range ?? { rows: Number(parquet.metadata.row_groups[group]?.num_rows) }), contains };
  };
  if (!mayMatch(probed)) return false;
  if (asked.size === 0) return true;
  const filters = new Map<number, Contains>();
  await Promise.all(
    [...asked].map(async (index) => {
      const contains = await bloomOf(parquet, group, index);
      if (contains) filters.set(index, contains);
    }),
  );
  if (filters.size === 0) return true;
  return mayMatch((index) => {
    const range = rangeOf(parquet, group, index);
    const contains = filters.get(index);
    return contains ? { ...(range ?? { rows: Number(parquet.metadata.row_groups[group]?.num_rows) }), contains } : range;
  });
}

/** Bloom filters kept with a footer: each of at most BLOOM_KEPT_BYTES, together at most BLOOM_KEPT_TOTAL_BYTES. */
const BLOOM_KEPT_BYTES = 64 * 1024;
const BLOOM_KEPT_TOTAL_BYTES = 4 * 1024 * 1024;

/** The Bloom filter of a row group's chunk of a column; small ones are kept with the footer for later questions. */
async function bloomOf(parquet: ParquetFile, group: number, index: number): Promise<Contains | null> {
  const key = `${group}:${index}`;
  const kept = parquet.blooms.filters.get(key);
  if (kept !== undefined) return kept;
  const meta = flatChunk(parquet, group, index)?.meta_data;
  const element = parquet.tree.children[index]?.element;
  const bloom = meta && element ? await readBloom(parquet.read, meta, element, parquet.size) : null;
  const bytes = bloom?.bytes ?? 0;
  if (bytes <= BLOOM_KEPT_BYTES && parquet.blooms.bytes + bytes <= BLOOM_KEPT_TOTAL_BYTES) {
    parquet.blooms.filters.set(key, bloom?.contains ?? null);
    parquet.blooms.bytes += bytes;
  }
  return bloom?.contains ?? null;
}

/** Row groups a count reads ahead of the one it decodes, while they take at most COUNT_READ_AHEAD_BYTES. */
const COUNT_READ_AHEAD = 3;
const COUNT_READ_AHEAD_BYTES = 64 * 1024 * 1024;

/** Rows a first page reads from the heads of the chunks of the first row group it reads. */
export const PARQUET_LEAD_ROWS = 1000;

/** A row group to read: its place, the rows wanted of it and the columns they need. */
interface GroupRead {
  group: number;
  start: number;
  from: number;
  end: number;
  wanted: number[];
  matched: boolean;
  /** Flat columns' chunks by column position; nested columns are read through hyparquet's row reader. */
  chunks: Map<number, ChunkReader>;
  /** What the wanted columns' chunks take in the file. */
  bytes: number;
}

function groupRead(
  parquet: ParquetFile,
  read: GroupRead['group'],
  start: number,
  from: number,
  end: number,
  wanted: number[],
  matched: boolean,
  counting: boolean,
): GroupRead {
  const chunks = new Map<number, ChunkReader>();
  const group = parquet.metadata.row_groups[read] as FileMetaData['row_groups'][number];
  const metas = new Map<number, FileMetaData['row_groups'][number]['columns'][number]['meta_data']>();
  for (const index of wanted) {
    const column = parquet.columns[index] as ParquetColumn;
    const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === column.name);
    if (chunk?.meta_data) metas.set(index, chunk.meta_data);
  }
  // A count reads chunks whole: those lying next to each other in one GET. A page may read only their heads.
  const whole = counting
    ? adjacentChunks(
        parquet.read,
        [...metas.values()].map((meta) => chunkSpan(meta as NonNullable<typeof meta>)),
      )
    : parquet.read;
  for (const [index, meta] of metas) {
    if (!meta) continue;
    const decoder = columnDecoder(parquet.tree, meta, { parsers: PARSERS, compressors: COMPRESSORS, utf8: false });
    if (isFlatChunk(decoder)) chunks.set(index, new ChunkReader(whole, meta, decoder, end - start));
  }
  const bytes = [...metas.values()].reduce((sum, meta) => sum + Number(meta?.total_compressed_size ?? 0), 0);
  return { group: read, start, from, end, wanted, matched, chunks, bytes };
}

const chunkSpan = (meta: ColumnMetaData): [number, number] => {
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return [start, start + Number(meta.total_compressed_size)];
};

/**
 * A reader that reads whole chunks lying next to each other in the file (writers put a
 * row group's columns one after another) in one ranged read, when the first of them is
 * read whole; other reads (the heads of chunks, for a first page) go through as asked.
 */
function adjacentChunks(read: RangeReader, spans: [number, number][]): RangeReader {
  const runs: { start: number; end: number; bytes?: Promise<Buffer> }[] = [];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = runs[runs.length - 1];
    if (last && last.end === start) last.end = end;
    else runs.push({ start, end });
  }
  const isChunk = new Set(spans.map(([start, end]) => `${start}:${end}`));
  return (start, end) => {
    const run = isChunk.has(`${start}:${end}`) ? runs.find((r) => r.start <= start && end <= r.end) : undefined;
    if (!run || run.end - run.start === end - start) return read(start, end);
    run.bytes ??= read(run.start, run.end);
    return run.bytes.then((bytes) => bytes.subarray(start - run.start, end - run.start));
  };
}

export async function* readParquetTable(source: ByteSource, options: TableReadOptions): AsyncGenerator<TableEvent> {
  const parquet = await openParquet(source);
  const { columns, metadata } = parquet;
  const width = columns.length;
  yield { type: 'header', names: columns.map((c) => c.name), types: columns.map((c): ColumnTypeName => c.type) };
  const valid = (list: readonly number[]) => [...new Set(list)].filter((i) => i >= 0 && i < width).sort((a, b) => a - b);
  const always = options.columns ? valid(options.columns) : columns.map((_, i) => i);
  // Columns read only to test the filter: skipped in row groups whose statistics prove every row passes.
  const withFilter = options.allMatch && options.filterColumns ? valid([...always, ...options.filterColumns]) : always;
  const startRow = options.startRow ?? 0;
  // What each row group contributes, decided from the footer alone: skipped rows, rows known to match, or rows to read.
  // Row groups whose page indexes may prune are planned once those are read, a few row groups ahead of the one read.
  const planned: (Step | (() => Promise<Step>))[] = [];
  let groupStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const groupRows = Number((metadata.row_groups[g] as FileMetaData['row_groups'][number]).num_rows);
    const groupEnd = groupStart + groupRows;
    const from = Math.max(startRow, groupStart);
    const start = groupStart;
    groupStart = groupEnd;
    if (groupRows === 0) continue;
    if (from >= groupEnd) {
      planned.push({ skip: groupRows });
      continue;
    }
    if (from > start) planned.push({ skip: from - start });
    const rangeOfGroup = (index: number) => rangeOf(parquet, g, index);
    if (options.mayMatch && !(await groupMayMatch(parquet, g, options.mayMatch))) {
      planned.push({ skip: groupEnd - from });
      continue;
    }
    const matched = withFilter !== always && options.allMatch?.(rangeOfGroup) === true;
    const wanted = matched ? always : withFilter;
    if (wanted.length === 0) {
      planned.push({ matchedRows: groupEnd - from });
      continue;
    }
    const names = new Set(wanted.map((i) => (columns[i] as ParquetColumn).name));
    const bytes = groupBytes(parquet, g, names);
    if (bytes > PARQUET_MAX_ROW_GROUP_BYTES) {
      throw new PayloadTooLarge(
        `Parquet: row group ${g} holds ${bytes} bytes of the columns asked for; at most ${PARQUET_MAX_ROW_GROUP_BYTES} bytes are read at once (ask for fewer columns)`,
        { limit: PARQUET_MAX_ROW_GROUP_BYTES },
      );
    }
    const counting = options.columnBlocks === true;
    const mayMatch = options.mayMatch ?? null;
    // Page indexes may prune a filtered read, and let a page of rows resumed inside a row group start at its page.
    const resumed = !counting && from > start;
    if (!matched && (mayMatch || resumed) && hasPageIndexes(parquet, g, withFilter, mayMatch !== null && !resumed)) {
      const allMatch = withFilter !== always ? (options.allMatch ?? null) : null;
      const rangeColumns = new Set(mayMatch ? (options.filterColumns ?? withFilter) : []);
      planned.push(() => pagePlan(parquet, g, start, from, groupEnd, { withFilter, rangeColumns, mayMatch, allMatch, counting }));
      continue;
    }
    planned.push({ read: groupRead(parquet, g, start, from, groupEnd, wanted, matched, counting) });
  }
  const steps: (Step | undefined)[] = planned.map((step) => (typeof step === 'function' ? undefined : step));
  const plans = new Map<number, Promise<Step>>();
  /** Starts the page plans of the next PLAN_AHEAD row groups that need one, from step `at`. */
  const planAhead = (at: number) => {
    for (let k = at, n = 0; k < planned.length && n < PLAN_AHEAD; k++) {
      const plan = planned[k];
      if (typeof plan !== 'function') continue;
      n++;
      if (steps[k] || plans.has(k)) continue;
      const promise = plan();
      promise.catch(() => {}); // seen when its step is reached; a read stopped before then leaves it
      plans.set(k, promise);
    }
  };
  /** The row groups read whole, as far as they are planned (a count reads those ahead while it decodes). */
  let reads: GroupRead[] = [];
  const blocks = options.columnBlocks === true;
  // A first page starts with the heads of the first row group's chunks; a read that counts reads them whole.
  let first = !blocks;
  for (let position = 0; position < planned.length; position++) {
    options.signal?.throwIfAborted();
    planAhead(position);
    let step: Step | undefined = steps[position];
    if (!step) {
      step = await (plans.get(position) as Promise<Step>);
      steps[position] = step;
      plans.delete(position);
    }
    reads = steps.flatMap((known) => (known && 'read' in known ? [known.read] : []));
    if ('skip' in step) {
      yield { type: 'skip', rows: step.skip };
      continue;
    }
    if ('matchedRows' in step) {
      yield* matchedEvents(step.matchedRows, blocks, width);
      continue;
    }
    if ('pages' in step) {
      first = false;
      yield* pageEvents(parquet, step.pages, always, withFilter, blocks, options.signal);
      continue;
    }
    const read = step.read;
    const flags = read.matched ? { matched: true } : {};
    let from = read.from;
    // The first row group read starts with the heads of its chunks: a first page needs no more.
    const lead = from - read.start + PARQUET_LEAD_ROWS;
    if (first && lead < read.end - read.start && read.chunks.size === read.wanted.length) {
      const heads = await Promise.all(read.wanted.map((index) => (read.chunks.get(index) as ChunkReader).head(lead).catch(failed)));
      const to = read.start + Math.min(...heads.map((values) => values.length));
      for (const rows of cellBatches(parquet, read.wanted, heads, from - read.start, to - read.start))
        yield { type: 'rows', rows, ...flags };
      from = to;
    }
    first = false;
    // Once half this group's rows are taken the reader goes on: the next group's chunks are read meanwhile.
    const next = reads[reads.indexOf(read) + 1];
    if (blocks && from === read.start) {
      // A count reads the next group's chunks while it decodes this one's, and more groups ahead while they are small.
      for (const chunk of read.chunks.values()) chunk.prefetch();
      let budget = COUNT_READ_AHEAD_BYTES;
      for (const ahead of reads.slice(reads.indexOf(read) + 1, reads.indexOf(read) + 1 + COUNT_READ_AHEAD)) {
        for (const chunk of ahead.chunks.values()) chunk.prefetch();
        budget -= ahead.bytes;
        if (budget <= 0) break;
      }
      const columns = await blockColumns(parquet, read);
      yield { type: 'columns', rows: read.end - from, columns, ...flags };
      continue;
    }
    const values = await Promise.all(
      read.wanted.map(async (index) => {
        const chunk = read.chunks.get(index);
        if (chunk) return chunk.rest(from - read.start).catch(failed);
        const rows = await readRows(parquet, [(columns[index] as ParquetColumn).name], from, read.end);
        return rows.map((row) => row[0]);
      }),
    );
    if (blocks) {
      if (next) for (const chunk of next.chunks.values()) chunk.prefetch();
      yield { type: 'columns', rows: read.end - from, columns: cellColumns(parquet, read.wanted, values), ...flags };
      continue;
    }
    const half = (read.start + read.end) / 2;
    let at = from;
    for (const rows of cellBatches(parquet, read.wanted, values, 0, read.end - from)) {
      if (next && at <= half && at + rows.length > half) for (const chunk of next.chunks.values()) chunk.prefetch();
      at += rows.length;
      yield { type: 'rows', rows, ...flags };
    }
  }
}

/** Rows every one of which passes the filter, none of whose columns is wanted: counted, not read. */
function* matchedEvents(rows: number, blocks: boolean, width: number): Generator<TableEvent> {
  if (blocks) {
    yield { type: 'columns', rows, columns: [], matched: true };
    return;
  }
  for (let at = 0; at < rows; at += BATCH_ROWS) {
    const count = Math.min(BATCH_ROWS, rows - at);
    yield { type: 'rows', rows: Array.from({ length: count }, () => new Array<RawCell>(width).fill(null)), matched: true };
  }
}

/** Row groups whose page indexes are read ahead of the one read. */
const PLAN_AHEAD = 4;

/** Whether every wanted column's chunk in the row group has an offset index (and, when `ranged`, one at least a column index). */
function hasPageIndexes(parquet: ParquetFile, group: number, wanted: number[], ranged: boolean): boolean {
  let ranges = false;
  for (const index of wanted) {
    const chunk = flatChunk(parquet, group, index);
    if (chunk?.offset_index_offset === undefined) return false;
    if (chunk.column_index_offset !== undefined) ranges = true;
  }
  return ranges || !ranged;
}

/** A row group read page by page: its runs of rows and, for each wanted column, its pages and decoder. */
interface PageRead {
  group: number;
  start: number;
  end: number;
  runs: PageRun[];
  chunks: Map<number, { pages: ChunkPages; meta: ColumnMetaData; decoder: ColumnDecoder }>;
}

type Step = { skip: number } | { matchedRows: number } | { read: GroupRead } | { pages: PageRead };

/**
 * A row group's step from its page indexes: skipped when no page range may match, read
 * by pages when some rows are ruled out or proved to match, else read as before.
 */
async function pagePlan(
  parquet: ParquetFile,
  g: number,
  start: number,
  from: number,
  end: number,
  want: {
    withFilter: number[];
    rangeColumns: ReadonlySet<number>;
    mayMatch: TableReadOptions['mayMatch'] | null;
    allMatch: TableReadOptions['allMatch'] | null;
    counting: boolean;
  },
): Promise<Step> {
  const { withFilter, counting } = want;
  const whole = (): Step => ({ read: groupRead(parquet, g, start, from, end, withFilter, false, counting) });
  const groupRows = end - start;
  const requests: IndexRequest[] = [];
  for (const index of withFilter) {
    const chunk = flatChunk(parquet, g, index);
    const meta = chunk?.meta_data;
    const element = parquet.statsElements[index];
    if (!chunk || !meta || !element) return whole();
    requests.push({
      index,
      chunk,
      meta,
      column: parquet.columns[index] as ParquetColumn,
      element,
      withRanges: want.rangeColumns.has(index),
    });
  }
  const pages = await readPageIndexes(parquet.read, parquet.size, g, groupRows, requests);
  const runs: PageRun[] = want.mayMatch
    ? pageRuns(pages, from - start, groupRows, (index) => rangeOf(parquet, g, index), want.mayMatch, want.allMatch ?? null)
    : [{ kind: 'read', from: from - start, to: groupRows }];
  if (runs.every((run) => run.kind === 'skip')) return { skip: end - from };
  // Read whole as before unless pages rule rows out, prove them, or a page of rows resumes inside the group.
  const resumed = !counting && from > start;
  if ((runs.every((run) => run.kind === 'read') && !resumed) || pages.size < withFilter.length) return whole();
  const chunks: PageRead['chunks'] = new Map();
  for (const { index, meta } of requests) {
    const decoder = columnDecoder(parquet.tree, meta, { parsers: PARSERS, compressors: COMPRESSORS, utf8: false });
    if (!isFlatChunk(decoder)) return whole();
    chunks.set(index, { pages: pages.get(index) as ChunkPages, meta, decoder });
  }
  return { pages: { group: g, start, end, runs, chunks } };
}

/**
 * A page of rows reads a run in growing steps (PARQUET_LEAD_ROWS rows first, then twice
 * as many each time), cut at page boundaries, so that a page that needs few rows reads
 * few pages; a column's page that straddles a cut is read by both steps.
 */
function rowRuns(read: PageRead): PageRun[][] {
  const bounds = new Set<number>();
  for (const { pages } of read.chunks.values()) for (const page of pages.pages) bounds.add(page.firstRow);
  const cuts = [...bounds].sort((a, b) => a - b);
  const out: PageRun[][] = [];
  for (const run of read.runs) {
    if (run.kind === 'skip') {
      out.push([run]);
      continue;
    }
    let from = run.from;
    let step = PARQUET_LEAD_ROWS;
    while (from < run.to) {
      const cut = cuts.find((c) => c >= from + step && c < run.to) ?? run.to;
      out.push([{ kind: run.kind, from, to: cut }]);
      from = cut;
      step *= 2;
    }
  }
  return out;
}

/** Byte ranges of pages closer than this are read in one ranged read. */
const PAGE_GAP_BYTES = 16 * 1024;

/**
 * The events of a row group read page by page: each run skipped, counted, or read from
 * the pages of the wanted columns that hold its rows (with the chunk's dictionary page).
 * A count reads every run's pages at once; a page of rows reads run by run, as it goes.
 */
async function* pageEvents(
  parquet: ParquetFile,
  read: PageRead,
  always: number[],
  withFilter: number[],
  blocks: boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<TableEvent> {
  const width = parquet.columns.length;
  const groupRows = read.end - read.start;
  const wantedOf = (run: PageRun) => (run.kind === 'matched' ? always : withFilter);
  /** The bytes of column `index`'s pages holding a run's rows (its dictionary page first), and the first row they hold. */
  const spansOf = (run: PageRun, index: number) => {
    const chunk = read.chunks.get(index)?.pages as ChunkPages;
    const { pages } = chunk;
    const [p0, p1] = pagesFor(chunk, run.from, run.to);
    const first = pages[p0] as PageSpan;
    const last = pages[p1] as PageSpan;
    const body: [number, number] = [first.offset, last.offset + last.size];
    const head: [number, number] | null = (pages[0] as PageSpan).offset > chunk.start ? [chunk.start, (pages[0] as PageSpan).offset] : null;
    const rows = (pages[p1 + 1]?.firstRow ?? groupRows) - first.firstRow;
    return { head, body, firstRow: first.firstRow, rows };
  };
  const batches = blocks ? [read.runs] : rowRuns(read);
  for (const batch of batches) {
    signal?.throwIfAborted();
    const spans = batch.flatMap((run) =>
      run.kind === 'skip'
        ? []
        : wantedOf(run).flatMap((index) => {
            const { head, body } = spansOf(run, index);
            return head ? [head, body] : [body];
          }),
    );
    const bytesAt = await readRanges(parquet.read, spans, PAGE_GAP_BYTES, 'a column chunk');
    for (const run of batch) {
      const rows = run.to - run.from;
      if (run.kind === 'skip') {
        yield { type: 'skip', rows };
        continue;
      }
      const wanted = wantedOf(run);
      const flags = run.kind === 'matched' ? { matched: true } : {};
      if (wanted.length === 0) {
        yield* matchedEvents(rows, blocks, width);
        continue;
      }
      const decoded = wanted.map((index) => {
        const { head, body, firstRow, rows: pageRows } = spansOf(run, index);
        const { meta, decoder } = read.chunks.get(index) as { meta: ColumnMetaData; decoder: ColumnDecoder };
        const bytes = concat(head ? [bytesAt(head), bytesAt(body)] : [bytesAt(body)]);
        return { index, meta, decoder, bytes, firstRow, pageRows };
      });
      if (blocks) {
        const columns: (BlockCells | undefined)[] = new Array(width);
        try {
          for (const { index, meta, decoder, bytes, firstRow, pageRows } of decoded) {
            const cells = decodeBlockColumn(bytes, meta, decoder, parquet.columns[index] as ParquetColumn, pageRows);
            columns[index] = sliceCells(cells, run.from - firstRow, run.to - firstRow);
          }
        } catch (error) {
          throw decodeFailure(error);
        }
        yield { type: 'columns', rows, columns, ...flags };
        continue;
      }
      const values = decoded.map(({ decoder, bytes, firstRow }) => {
        let cells: ArrayLike<unknown>;
        try {
          cells = chunkValues(bytes, decoder, run.to - firstRow, run.from - firstRow);
        } catch (error) {
          throw decodeFailure(error);
        }
        if (cells.length !== rows)
          throw new DecodeFailed(`Parquet: a page of row group ${read.group} holds fewer rows than its offset index says`);
        return cells;
      });
      // cellBatches words its own errors.
      for (const batchRows of cellBatches(parquet, wanted, values, 0, rows)) yield { type: 'rows', rows: batchRows, ...flags };
    }
  }
}

/** The parts in one buffer of their own (a page's declared size can then not read past them). */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A whole row group's wanted columns for a count, compactly where their chunks allow (./blocks.ts). */
async function blockColumns(parquet: ParquetFile, read: GroupRead): Promise<(BlockCells | undefined)[]> {
  const out: (BlockCells | undefined)[] = new Array(parquet.columns.length);
  await Promise.all(
    read.wanted.map(async (index) => {
      const column = parquet.columns[index] as ParquetColumn;
      const chunk = read.chunks.get(index);
      if (chunk) {
        out[index] = await chunk.block(column).catch(failed);
        return;
      }
      const rows = await readRows(parquet, [column.name], read.start, read.end);
      out[index] = cellColumns(parquet, [index], [rows.map((row) => row[0])])[index];
    }),
  );
  return out;
}

/** The wanted columns' values as columns of cells, by column position. */
function cellColumns(parquet: ParquetFile, wanted: number[], values: ArrayLike<unknown>[]): (RawCell[] | undefined)[] {
  const out: (RawCell[] | undefined)[] = new Array(parquet.columns.length);
  try {
    for (let c = 0; c < wanted.length; c++) {
      const index = wanted[c] as number;
      const cell = (parquet.columns[index] as ParquetColumn).cell;
      const source = values[c] as ArrayLike<unknown>;
      const cells = new Array<RawCell>(source.length);
      for (let r = 0; r < source.length; r++) cells[r] = cell(source[r]);
      out[index] = cells;
    }
  } catch (error) {
    throw decodeFailure(error);
  }
  return out;
}

function failed(error: unknown): never {
  throw decodeFailure(error);
}

/** Rows `from` to `to` of the wanted columns' values, as full-width rows of cells in batches. */
function* cellBatches(
  parquet: ParquetFile,
  wanted: number[],
  values: ArrayLike<unknown>[],
  from: number,
  to: number,
): Generator<RawCell[][]> {
  const { columns } = parquet;
  const width = columns.length;
  const converters = wanted.map((index) => (columns[index] as ParquetColumn).cell);
  for (let at = from; at < to; at += BATCH_ROWS) {
    const end = Math.min(to, at + BATCH_ROWS);
    const batch: RawCell[][] = new Array(end - at);
    try {
      for (let r = at; r < end; r++) {
        const cells = new Array<RawCell>(width).fill(null);
        for (let c = 0; c < wanted.length; c++)
          cells[wanted[c] as number] = (converters[c] as ParquetColumn['cell'])((values[c] as ArrayLike<unknown>)[r]);
        batch[r - at] = cells;
      }
    } catch (error) {
      throw decodeFailure(error);
    }
    yield batch;
  }
}
