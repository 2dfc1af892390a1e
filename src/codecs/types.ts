// The codec interface: one module per format turns bytes into table events or a
// value, and values back into bytes. Codecs know nothing of S3 or GraphQL: they are
// pure, and testable with a Buffer or a Readable.
import type { Readable } from 'node:stream';

export const FORMATS = ['CSV', 'TSV', 'XLSX', 'JSON', 'NDJSON', 'PICKLE', 'PARQUET', 'TEXT', 'BINARY'] as const;
export type Format = (typeof FORMATS)[number];

export type Compression = 'NONE' | 'GZIP';

/** A column type a codec may declare (the table layer's ColumnType). */
export type ColumnTypeName = 'STRING' | 'INT' | 'FLOAT' | 'BOOLEAN' | 'DATETIME' | 'JSON';

/**
 * A cell as a codec reads it, before type inference. Text formats (CSV, TSV) give
 * strings (empty string for an empty cell); typed formats give numbers, booleans,
 * Dates, strings, null, bigint (integers beyond 2^53) or nested JSON values.
 */
export type RawCell = string | number | boolean | Date | bigint | null | readonly unknown[] | { readonly [key: string]: unknown };

/**
 * A column's cells in a 'columns' event: an array of cells (a Float64Array holds numbers,
 * NaN for null), or a dictionary and one code a row (-1 for null), which a count tests
 * once an entry rather than once a row.
 */
export type BlockCells = ArrayLike<RawCell> | CodedCells;

export interface CodedCells {
  readonly dictionary: readonly RawCell[];
  readonly codes: Int32Array;
}

/** The stored bytes of an object, opened as often as needed. */
export interface ByteSource {
  /** Stored size in bytes. */
  readonly size: number;
  /** Opens the bytes from `start` (inclusive) to the end. Destroying the stream aborts the read. */
  open(start?: number): Promise<Readable>;
  /**
   * Reads the bytes from `start` (inclusive) to `end` (exclusive) in one ranged read.
   * Columnar formats (Parquet) read their footer and column chunks with it.
   */
  read?(start: number, end: number): Promise<Buffer>;
  /** Names the object version (a digest with its ETag): formats may cache what they parsed of it under this. */
  readonly id?: string;
}

/**
 * What a span of rows (a Parquet row group) is known to hold in one column, as the
 * table layer types it: the smallest and largest non-null value, how many nulls.
 * Unknown bounds are absent.
 */
export interface ValueRange {
  rows: number;
  min?: string | number | boolean | Date | undefined;
  max?: string | number | boolean | Date | undefined;
  nulls?: number | undefined;
  /** False when no cell of the span equals the value (a Parquet chunk's Bloom filter says so); absent when unknown. */
  contains?: ((value: string | number | boolean | Date) => boolean) | undefined;
}

/** What a codec's table read can tell of the table without reading its rows (columnar formats). */
export interface TableDescription {
  names: string[];
  types: ColumnTypeName[];
  nullable: boolean[];
  rowCount: number;
}

/** Where rows of a delimited text end: LF (a CR before it dropped), or CR alone in old Mac files. */
export type LineEnd = '\n' | '\r';

export interface TableReadOptions {
  /** The first row (XLSX: the first non-empty row) holds the column names. */
  header: boolean;
  /** CSV/TSV field delimiter; the format's own when undefined. */
  delimiter?: string | undefined;
  /** A text encoding label (WHATWG labels plus cp949); detected when undefined. */
  encoding?: string | undefined;
  /**
   * CSV/TSV: the line end the first read of the object found (its 'dialect' event). A
   * read resumed mid-object takes it rather than looking at the bytes that follow, so
   * that it reads rows as the read from the top does.
   */
  newline?: LineEnd | undefined;
  /** XLSX worksheet name; the first visible worksheet when undefined. */
  sheet?: string | undefined;
  /**
   * The reader takes every row to the end (a small object read whole in the
   * background): a codec may then parse the bytes in one piece rather than stream.
   */
  readsAll?: boolean | undefined;
  /**
   * Resume a line-based read at this byte offset, where a data row starts (taken from
   * an earlier read's `offsetAfter`). The read then emits no header event.
   */
  startOffset?: number | undefined;
  /**
   * Formats that `seeksRows`: the first row to emit (0-based). Rows before it are
   * announced with 'skip' events rather than read.
   */
  startRow?: number | undefined;
  /**
   * Columnar formats: the columns (by position) the reader needs; others may be
   * emitted as null. All columns when undefined.
   */
  columns?: readonly number[] | undefined;
  /**
   * Columnar formats: false when no row of a span whose columns hold these ranges
   * (by column position) can be wanted; such spans are skipped with 'skip' events.
   */
  mayMatch?: ((rangeOf: (column: number) => ValueRange | null) => boolean) | undefined;
  /**
   * Columnar formats: true when every row of a span with these ranges surely passes
   * the reader's filter. Such spans may skip `filterColumns` and emit their rows with
   * `matched: true`.
   */
  allMatch?: ((rangeOf: (column: number) => ValueRange | null) => boolean) | undefined;
  /** Columns (by position) read only to test the filter: not needed in spans `allMatch` proves. */
  filterColumns?: readonly number[] | undefined;
  /**
   * Text formats that can: data rows may come as 'fields' events (byte positions of their
   * fields in the UTF-8 bytes) rather than 'rows' of strings, for a reader that types
   * cells straight from the bytes. A codec may mix both kinds of event in one read.
   */
  fieldBatches?: boolean | undefined;
  /**
   * Columnar formats may emit their rows as 'columns' events (a column's cells in one
   * array) rather than row arrays: the reader only counts them.
   */
  columnBlocks?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Data rows as positions in UTF-8 bytes, no string made: the fields of row `r` are
 * `rowFields[r]` to `rowFields[r + 1]` (exclusive), field `f` is `bytes[starts[f]..ends[f])`.
 * A quoted field's positions are inside its quotes, and `quoted[f]` is 2 when it holds
 * doubled quotes (`""`, one quote each), 1 when it holds none, 0 when unquoted. The
 * bytes and arrays may be reused by the codec once the reader asks for the next event.
 */
export interface FieldBatch {
  bytes: Buffer;
  rows: number;
  rowFields: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  quoted: Uint8Array;
}

/** What a codec's table reader emits, in this order: encoding/sheets, header, then rows. */
export type TableEvent =
  /**
   * Text formats: the encoding and delimiter the reader uses (detected or given). A
   * read resumed at `startOffset` must be given both, since it cannot detect them.
   */
  | { type: 'dialect'; encoding: string; delimiter?: string; newline?: LineEnd }
  /** XLSX: every worksheet name in workbook order, and the one being read. */
  | { type: 'sheets'; sheets: string[]; sheet: string }
  /**
   * Column names from the header row, as written (possibly empty or duplicated), and
   * for typed sources the types their columns declare (pickled float arrays: FLOAT),
   * which inference then respects.
   */
  | { type: 'header'; names: string[]; types?: (ColumnTypeName | null)[] }
  /**
   * Data rows as arrays of cells. `offsetAfter(i)`, when present, is the byte offset
   * (in the stored object) where the row after `rows[i]` starts: a later read can
   * resume there with `startOffset`.
   */
  | {
      type: 'rows';
      rows: RawCell[][];
      offsetAfter?: (i: number) => number;
      /** Every row passes the reader's filter (`allMatch` proved it); their filter columns may be null. */
      matched?: boolean;
    }
  /** Data rows as field positions in bytes (asked for with `fieldBatches`); `offsetAfter` as for 'rows'. */
  | { type: 'fields'; batch: FieldBatch; offsetAfter?: (i: number) => number }
  /**
   * Data rows column by column (only when `columnBlocks` asked for them): `columns[i]`
   * holds column i's cells of the `rows` rows, undefined for columns not read.
   */
  | { type: 'columns'; rows: number; columns: (BlockCells | undefined)[]; matched?: boolean }
  /**
   * Data rows as objects (JSON, NDJSON): columns are the union of their keys. `bytesRead`,
   * when present, is how many bytes of the object were read through the last of them.
   */
  | { type: 'records'; records: Record<string, unknown>[]; offsetAfter?: (i: number) => number; bytesRead?: number }
  /** Rows that were not read (before `startRow`, or in spans `mayMatch` ruled out): they keep their places. */
  | { type: 'skip'; rows: number };

export interface ValueDecodeOptions {
  encoding?: string | undefined;
}

export interface EncodeOptions {
  /** XLSX: the worksheet name to write. */
  sheet?: string | undefined;
}

export interface Codec {
  readonly format: Format;
  /** Lower-case extensions with the dot (".csv"), without any ".gz". */
  readonly extensions: readonly string[];
  /** The content type objects of this format are stored with. */
  readonly contentType: string;
  /**
   * Reads a table from the bytes as a stream of events. Absent for formats that are
   * never tables. Stops reading when the consumer stops iterating.
   * `supportsOffsets`: a read can resume at a byte offset (line-based formats).
   */
  readTable?(source: ByteSource, options: TableReadOptions): AsyncIterable<TableEvent>;
  readonly supportsOffsets?: boolean;
  /** A read can start at a row (`startRow`) without reading the rows before it. */
  readonly seeksRows?: boolean;
  /**
   * The table's columns, declared types and row count, without reading rows (from a
   * Parquet footer). The table layer then trusts the declared types and samples nothing.
   */
  describeTable?(source: ByteSource, options: TableReadOptions): Promise<TableDescription>;
  /** Decodes the whole object to a value (for `json` / `content`). */
  decodeValue?(bytes: Buffer, options: ValueDecodeOptions): unknown;
  /** Encodes a JSON value given to putObject; throws BadUserInput when it does not fit. */
  encode?(content: unknown, options: EncodeOptions): Buffer | Promise<Buffer>;
}
