// The table engine's shared types: column types and typed values (what the engine
// makes of a codec's raw cells), tables' schemas and rows, the objects behind them,
// and the consumers that scans feed.
import type { Readable } from 'node:stream';
import type { BlockCells, Codec, Compression, FieldBatch, Format, LineEnd, RawCell } from '../codecs/types.js';
import type { ColumnarTable, ColumnSpan } from './columnar.js';
import type { StringReading } from './infer.js';
import type { RangeTest } from './prune.js';

export const COLUMN_TYPES = ['STRING', 'INT', 'FLOAT', 'BOOLEAN', 'DATETIME', 'JSON', 'NULL'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A cell after typing: what `Row.values` and `Row.cells` hold. DATETIME values are Dates until serialised. */
export type TypedValue = string | number | boolean | Date | null | readonly unknown[] | { readonly [key: string]: unknown };

export interface Column {
  name: string;
  index: number;
  type: ColumnType;
  nullable: boolean;
}

export interface TableRow {
  /** 0-based position among the table's data rows. */
  index: number;
  cells: RawCell[];
  /** The source proved this row passes the scan's filter without reading it (a Parquet row group's statistics). */
  matched?: boolean | undefined;
  /** Cells beyond the schema's columns (keys or positions first seen after the sample). */
  extra?: Record<string, unknown> | undefined;
  /** Set on rows a columnar table hands out: their `cells` are empty, values are read from it. */
  columns?: ColumnarTable | undefined;
}

export interface TableSchema {
  format: Format;
  sheet: string | null;
  sheets: string[];
  columns: Column[];
  /** For record sources (JSON, NDJSON): the key each column reads, by column index. */
  keys: string[] | null;
  reading: StringReading;
  encoding?: string | undefined;
  delimiter?: string | undefined;
  /** CSV/TSV: the line end the first read found, which a resumed read keeps. */
  newline?: LineEnd | undefined;
}

export interface TableOptions {
  format: Format;
  header: boolean;
  delimiter?: string | undefined;
  encoding?: string | undefined;
  sheet?: string | undefined;
}

/** The object behind a table: its identity, and a way to open its bytes. */
export interface TableObject {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  compression: Compression;
  codec: Codec;
  /** Opens the stored bytes (still compressed) from `start`. */
  openStored(start: number, signal: AbortSignal): Promise<Readable>;
  /**
   * Opens the bytes ready for the codec (decompressed) from `start`. `toEnd`: the
   * reader takes every byte to the end (no early stop to bound), so one GET may do.
   */
  open(start: number, signal: AbortSignal, toEnd?: boolean): Promise<Readable>;
  /** Reads bytes `start` to `end` (exclusive) in one ranged read; absent when the bytes are decompressed on the way. */
  read?(start: number, end: number, signal: AbortSignal): Promise<Buffer>;
}

export interface TableLimits {
  inferRows: number;
  /**
   * Objects up to this stored size are read on to their end (after the rows a first page
   * needs) and kept in the cache; larger ones are kept on their first full scan.
   */
  cacheTableBytes: number;
}

export interface ScanStart {
  index: number;
  /** Byte offset where row `index` starts, for formats that can resume there. */
  offset?: number | undefined;
}

/**
 * What a consumer reads of each row, so that columnar sources read no more: the
 * columns (by name; null for all) and a test that rules out spans of rows its filter
 * cannot want (null: every row is wanted).
 */
export interface ScanNeeds {
  columns: ReadonlySet<string> | null;
  mayMatch: RangeTest | null;
  /**
   * False when the consumer never looks at `row.index` (counts): a dataset may then
   * skip an object its filter rules out without learning how many rows it holds.
   */
  indexes?: boolean | undefined;
  /**
   * For consumers that only count: true when every row of a span surely passes their
   * filter, and the columns read only to test it (`columns` holds the rest). Rows of
   * such spans come with `matched` set and those columns possibly unread.
   */
  allMatch?: RangeTest | null | undefined;
  filterColumns?: ReadonlySet<string> | undefined;
  /** Every consumer takes blocks (`takeBlock`): a columnar source may hand rows over column by column. */
  blocks?: boolean | undefined;
}

/** Rows handed over column by column: `cells[c]` holds column c's raw cells, maybe dictionary-coded (undefined: not read). */
export interface RowBlock {
  /** Index of the block's first row. */
  index: number;
  length: number;
  cells: (BlockCells | undefined)[];
  /** Every row passes the scan's filter (as TableRow.matched). */
  matched: boolean;
}

/** One consumer of a scan: takes rows until it returns false. */
export interface ScanConsumer {
  start: ScanStart;
  /** What it reads; everything when absent. Rows it cannot want may then be left out of the scan. */
  needs?: ScanNeeds | undefined;
  /** Reads every row (counts, aggregates, ordered pages): may wait for a table built elsewhere. */
  whole?: boolean;
  /**
   * `offsetAfter(i)`, when the source knows it, gives the byte offset where the row after
   * this one starts; `i` is the row's place in its batch. (Passed apart rather than as a
   * closure a row: scans call take() a million times.)
   */
  take(row: TableRow, offsetAfter: ((i: number) => number) | undefined, i: number): boolean;
  /** Takes a block of rows at once (consumers whose needs say `blocks`); false when it wants no more. */
  takeBlock?(block: RowBlock): boolean;
  /**
   * Takes rows `from` to `to` (exclusive) of a columnar table at once, reading their
   * columns (no row objects); false when it wants no more. A pass hands spans over when
   * every consumer of it takes them, rows otherwise.
   */
  takeColumns?(table: ColumnarTable, from: number, to: number): boolean;
}

export interface RowBatch {
  rows: TableRow[];
  /**
   * A scan that asked for them: rows as a CSV field batch instead of `rows` (which is
   * then empty), the batch's row `i` being the table's row `first + i`.
   */
  fields?: { batch: FieldBatch; first: number } | undefined;
  /** Rows as a block instead (`rows` then empty), for passes whose consumers all take blocks. */
  block?: RowBlock | undefined;
  /**
   * Rows of a columnar table instead (`rows` then empty): the pass hands the span to
   * consumers that take spans, or makes its rows; `offsetAfter(i)` counts from `from`.
   */
  span?: ColumnSpan | undefined;
  /** Where the row after rows[i] starts, for sources that can resume there. */
  offsetAfter?: ((i: number) => number) | undefined;
}
