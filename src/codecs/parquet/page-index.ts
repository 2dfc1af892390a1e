// Page indexes of a row group (the column index and the offset index of each column
// chunk, which parquet-mr, Arrow and hyparquet-writer write after the row groups): where
// each data page of a chunk lies and which rows it holds, and each page's min/max and
// null count. A row group that statistics and Bloom filters could not skip is cut into
// row ranges at the filter columns' page boundaries: ranges whose pages rule out every
// row are skipped, ranges whose pages prove every row passes are taken without their
// filter columns, and the rest read only the pages that hold them (./read.ts).
import type { ColumnChunk, ColumnMetaData, SchemaElement } from 'hyparquet';
import { readColumnIndex, readOffsetIndex } from 'hyparquet';
import { DecodeFailed } from '../../errors.js';
import type { BlockCells, ValueRange } from '../types.js';
import { PARSERS, type ParquetColumn } from './columns.js';
import { PARQUET_MAX_PAGE_INDEX_BYTES } from './limits.js';
import type { RangeReader } from './source.js';

/** A data page of a chunk: where its bytes lie (its header included) and its first row in the row group. */
export interface PageSpan {
  offset: number;
  size: number;
  firstRow: number;
}

/** What the page indexes tell of one column chunk. */
export interface ChunkPages {
  /** The chunk's data pages in order; the first starts at row 0. */
  pages: PageSpan[];
  /** Where the chunk starts (its dictionary page, if any, lies before the first data page). */
  start: number;
  /** Each page's value range, from the column index; null when the chunk has none. */
  ranges: (ValueRange | null)[] | null;
}

/** A column chunk whose page indexes are wanted, and whether its column index is wanted too. */
export interface IndexRequest {
  index: number;
  chunk: ColumnChunk;
  meta: ColumnMetaData;
  column: ParquetColumn;
  /** The schema element the footer's statistics were converted with. */
  element: SchemaElement;
  withRanges: boolean;
}

/** Index spans closer than this are read in one ranged read (writers put a row group's indexes side by side). */
const INDEX_GAP_BYTES = 64 * 1024;

/** A span of the file that holds an index, checked against the limit and the file's size. */
function indexSpan(offset: bigint | undefined, length: number | undefined, what: string, size: number): [number, number] | null {
  if (offset === undefined || length === undefined) return null;
  const start = Number(offset);
  if (length > PARQUET_MAX_PAGE_INDEX_BYTES) {
    throw new DecodeFailed(
      `Parquet: ${what} declares ${length} bytes; page indexes of at most ${PARQUET_MAX_PAGE_INDEX_BYTES} bytes are read`,
      {
        limit: PARQUET_MAX_PAGE_INDEX_BYTES,
      },
    );
  }
  if (!(start >= 0 && length > 0 && start + length <= size)) {
    throw new DecodeFailed(`Parquet: ${what} lies outside the ${size}-byte file`);
  }
  return [start, start + length];
}

/**
 * Reads byte ranges of the file, those overlapping or less than `gap` bytes apart in one
 * ranged read each (in parallel); returns a lookup of a range's bytes.
 */
export async function readRanges(
  read: RangeReader,
  spans: [number, number][],
  gap: number,
  what: string,
): Promise<(span: [number, number]) => Uint8Array> {
  const runs: { start: number; end: number; bytes?: Buffer }[] = [];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = runs[runs.length - 1];
    if (last && start <= last.end + gap) last.end = Math.max(last.end, end);
    else runs.push({ start, end });
  }
  await Promise.all(
    runs.map(async (run) => {
      run.bytes = await read(run.start, run.end);
      if (run.bytes.length !== run.end - run.start) throw new DecodeFailed(`Parquet: the file ends before ${what} does`);
    }),
  );
  return ([start, end]) => {
    const run = runs.find((r) => r.start <= start && end <= r.end) as { start: number; bytes: Buffer };
    return run.bytes.subarray(start - run.start, end - run.start);
  };
}

/**
 * The page indexes of the requested chunks of one row group, read together (one ranged
 * read where they lie side by side). Chunks without an offset index, or whose offset
 * index does not fit their chunk, are left out: they are read whole.
 */
export async function readPageIndexes(
  read: RangeReader,
  size: number,
  group: number,
  groupRows: number,
  requests: IndexRequest[],
): Promise<Map<number, ChunkPages>> {
  const wanted: { request: IndexRequest; offsets: [number, number]; ranges: [number, number] | null }[] = [];
  for (const request of requests) {
    const { chunk, meta } = request;
    const name = JSON.stringify(meta.path_in_schema.join('.'));
    const offsets = indexSpan(
      chunk.offset_index_offset,
      chunk.offset_index_length,
      `the offset index of column ${name} in row group ${group}`,
      size,
    );
    if (!offsets) continue;
    const ranges = request.withRanges
      ? indexSpan(chunk.column_index_offset, chunk.column_index_length, `the column index of column ${name} in row group ${group}`, size)
      : null;
    wanted.push({ request, offsets, ranges });
  }
  const out = new Map<number, ChunkPages>();
  if (wanted.length === 0) return out;
  const bytesOf = await readRanges(
    read,
    wanted.flatMap((w) => (w.ranges ? [w.offsets, w.ranges] : [w.offsets])),
    INDEX_GAP_BYTES,
    'its page indexes',
  );
  const reader = (span: [number, number]) => {
    const bytes = bytesOf(span);
    return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  };
  for (const { request, offsets, ranges } of wanted) {
    const { meta, column, element } = request;
    const name = JSON.stringify(meta.path_in_schema.join('.'));
    let pages: PageSpan[];
    try {
      pages = readOffsetIndex(reader(offsets)).page_locations.map((p) => ({
        offset: Number(p.offset),
        size: p.compressed_page_size,
        firstRow: Number(p.first_row_index),
      }));
    } catch {
      throw new DecodeFailed(`Parquet: the offset index of column ${name} in row group ${group} is malformed`);
    }
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    if (!fitsChunk(pages, start, start + Number(meta.total_compressed_size), groupRows)) continue;
    out.set(request.index, { pages, start, ranges: ranges ? pageRanges(reader(ranges), element, column, pages, groupRows) : null });
  }
  return out;
}

/** Whether the pages lie in order inside the chunk and start at row 0 with rows in order within the group. */
function fitsChunk(pages: PageSpan[], start: number, end: number, groupRows: number): boolean {
  if (pages.length === 0 || pages[0]?.firstRow !== 0) return false;
  let at = start;
  let row = -1;
  for (const page of pages) {
    if (!(page.offset >= at && page.size > 0 && page.offset + page.size <= end && page.firstRow > row && page.firstRow < groupRows))
      return false;
    at = page.offset + page.size;
    row = page.firstRow;
  }
  return true;
}

/** Rows of page `p`. */
export const pageRows = (pages: PageSpan[], p: number, groupRows: number): number =>
  (pages[p + 1]?.firstRow ?? groupRows) - (pages[p] as PageSpan).firstRow;

/** Each page's range from the column index, typed as row-group statistics are; null when the index does not fit the pages. */
function pageRanges(
  reader: { view: DataView; offset: number },
  element: SchemaElement,
  column: ParquetColumn,
  pages: PageSpan[],
  groupRows: number,
): (ValueRange | null)[] | null {
  let index: ReturnType<typeof readColumnIndex>;
  try {
    index = readColumnIndex(reader, element, PARSERS);
  } catch {
    return null; // a malformed column index prunes nothing; the pages are read
  }
  const { null_pages: nullPages, min_values: mins, max_values: maxes, null_counts: nullCounts } = index;
  if (nullPages?.length !== pages.length || mins?.length !== pages.length || maxes?.length !== pages.length) return null;
  if (nullCounts && nullCounts.length !== pages.length) return null;
  return pages.map((_, p) => {
    const rows = pageRows(pages, p, groupRows);
    const nulls = nullCounts?.[p];
    if (nullPages[p]) return { rows, nulls: rows };
    return column.range({ min_value: mins[p], max_value: maxes[p], null_count: nulls } as never, rows);
  });
}

/** What a span of a row group's rows asks of the reader. */
export type RunKind = 'skip' | 'matched' | 'read';

/** Rows `from` to `to` (within the row group) and what they need. */
export interface PageRun {
  kind: RunKind;
  from: number;
  to: number;
}

/**
 * Cuts rows `from` to `groupRows` of a row group at the page boundaries of the columns
 * whose pages have ranges, and tests each piece with the ranges of the pages holding it
 * (other columns: `groupRange`). Pieces with the same verdict next to each other are joined.
 */
export function pageRuns(
  chunks: Map<number, ChunkPages>,
  from: number,
  groupRows: number,
  groupRange: (index: number) => ValueRange | null,
  mayMatch: (rangeOf: (index: number) => ValueRange | null) => boolean,
  allMatch: ((rangeOf: (index: number) => ValueRange | null) => boolean) | null,
): PageRun[] {
  const ranged = [...chunks].filter(([, c]) => c.ranges !== null);
  const cuts = new Set<number>([from]);
  for (const [, chunk] of ranged) for (const page of chunk.pages) if (page.firstRow > from) cuts.add(page.firstRow);
  const bounds = [...cuts].sort((a, b) => a - b);
  // Each ranged column's page holding the current piece, advanced as the pieces go.
  const at = new Map<number, number>(ranged.map(([index]) => [index, 0]));
  const runs: PageRun[] = [];
  for (let b = 0; b < bounds.length; b++) {
    const start = bounds[b] as number;
    const end = bounds[b + 1] ?? groupRows;
    for (const [index, chunk] of ranged) {
      let p = at.get(index) as number;
      while (p + 1 < chunk.pages.length && (chunk.pages[p + 1] as PageSpan).firstRow <= start) p++;
      at.set(index, p);
    }
    const rangeOf = (index: number): ValueRange | null => {
      const p = at.get(index);
      const ranges = chunks.get(index)?.ranges;
      return p !== undefined && ranges ? (ranges[p] ?? null) : groupRange(index);
    };
    const kind: RunKind = !mayMatch(rangeOf) ? 'skip' : allMatch?.(rangeOf) ? 'matched' : 'read';
    const last = runs[runs.length - 1];
    if (last && last.kind === kind) last.to = end;
    else runs.push({ kind, from: start, to: end });
  }
  return runs;
}

/** The pages of a chunk that hold rows `from` to `to` of the row group: first and last page positions. */
export function pagesFor(chunk: ChunkPages, from: number, to: number): [number, number] {
  const { pages } = chunk;
  let first = 0;
  while (first + 1 < pages.length && (pages[first + 1] as PageSpan).firstRow <= from) first++;
  let last = first;
  while (last + 1 < pages.length && (pages[last + 1] as PageSpan).firstRow < to) last++;
  return [first, last];
}

/** Rows `from` to `to` of a column's cells. */
export function sliceCells(cells: BlockCells, from: number, to: number): BlockCells {
  if ('codes' in cells) return { dictionary: cells.dictionary, codes: cells.codes.subarray(from, to) };
  if (from === 0 && to === cells.length) return cells;
  if (cells instanceof Float64Array) return cells.subarray(from, to);
  return Array.prototype.slice.call(cells, from, to);
}
