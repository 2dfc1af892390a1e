// TableReader: one object read as a table with one set of options. It infers the
// schema from the leading rows, keeps small tables whole in the shared cache, and
// runs scans: every scan asked for in the same tick shares one pass over the object,
// which stops (and aborts the S3 download) as soon as no scan wants more rows.
import type { Readable } from 'node:stream';
import type {
  ByteSource,
  Codec,
  ColumnTypeName,
  Compression,
  Format,
  RawCell,
  TableEvent,
  TableReadOptions,
  ValueRange,
} from '../codecs/types.js';
import { BadUserInput, DecodeFailed, isBucketqlError, UpstreamUnavailable } from '../errors.js';
import type { TableCache } from './cache.js';
import { extendColumnNames, uniqueColumnNames } from './columns.js';
import { digest } from './cursor.js';
import { ColumnSample, convert, type StringReading } from './infer.js';
import { type RowBatch, SharedPasses } from './passes.js';
import type { RangeTest } from './prune.js';
import type { RowSource } from './source.js';
import type { Column, ColumnType, TypedValue } from './types.js';

/** The most columns a table may have: as many as an Excel sheet holds. */
export const MAX_COLUMNS = 16_384;

export interface TableRow {
  /** 0-based position among the table's data rows. */
  index: number;
  cells: RawCell[];
  /** The source proved this row passes the scan's filter without reading it (a Parquet row group's statistics). */
  matched?: boolean;
  /** Cells beyond the schema's columns (keys or positions first seen after the sample). */
  extra?: Record<string, unknown>;
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
  /** Opens the bytes ready for the codec (decompressed) from `start`. */
  open(start: number, signal: AbortSignal): Promise<Readable>;
  /** Reads bytes `start` to `end` (exclusive) in one ranged read; absent when the bytes are decompressed on the way. */
  read?(start: number, end: number, signal: AbortSignal): Promise<Buffer>;
}

export interface TableLimits {
  inferRows: number;
  /** Objects up to this stored size are read whole once and kept in the cache. */
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
}

/** One consumer of a scan: takes rows until it returns false. */
export interface ScanConsumer {
  start: ScanStart;
  /** What it reads; everything when absent. Rows it cannot want may then be left out of the scan. */
  needs?: ScanNeeds | undefined;
  /**
   * `offsetAfter(i)`, when the source knows it, gives the byte offset where the row after
   * this one starts; `i` is the row's place in its batch. (Passed apart rather than as a
   * closure a row: scans call take() a million times.)
   */
  take(row: TableRow, offsetAfter: ((i: number) => number) | undefined, i: number): boolean;
}

export function readingOf(format: Format): StringReading {
  if (format === 'CSV' || format === 'TSV') return 'text';
  if (format === 'JSON' || format === 'NDJSON') return 'json';
  return 'literal';
}

/**
 * A type the codec declares wins over the sampled one when the sample agrees with it:
 * all empty, the same, or integers in a declared FLOAT column (a float array holding
 * 1.0, 2.0). Anything else keeps the sampled type, so no value becomes a misfit.
 */
function respectDeclared(declared: ColumnTypeName | null, sampled: ColumnType): ColumnType {
  if (!declared) return sampled;
  if (sampled === 'NULL' || sampled === declared || (declared === 'FLOAT' && sampled === 'INT')) return declared;
  return sampled;
}

/** Rough bytes a row takes in memory, to bound the cache. */
function rowBytes(cells: RawCell[]): number {
  let bytes = 64 + cells.length * 16;
  for (const cell of cells) if (typeof cell === 'string') bytes += cell.length * 2;
  return bytes;
}

/** Turns codec events into numbered rows, mapping record keys to column positions. */
class RowAssembler {
  header: string[] | null = null;
  /** Types the codec declares for the header's columns (pickled float arrays: FLOAT). */
  declared: (ColumnTypeName | null)[] | null = null;
  sheets: string[] = [];
  sheet: string | null = null;
  encoding: string | undefined;
  delimiter: string | undefined;
  private keyIndex: Map<string, number> | null = null;
  readonly keys: string[] = [];

  constructor(
    private nextIndex: number,
    /** Record keys of the schema; null while sampling (keys are discovered). */
    fixedKeys: string[] | null,
    private readonly width: number | null,
  ) {
    if (fixedKeys) {
      this.keys = [...fixedKeys];
      this.keyIndex = new Map(fixedKeys.map((k, i) => [k, i]));
      this.frozen = true;
    }
  }
  private frozen = false;

  freeze(): void {
    this.frozen = true;
  }

  get keyed(): boolean {
    return this.keyIndex !== null;
  }

  /** Returns the rows an event carries, or null for events that carry none. */
  accept(event: TableEvent): RowBatch | null {
    switch (event.type) {
      case 'dialect':
        this.encoding = event.encoding;
        this.delimiter = event.delimiter;
        return null;
      case 'sheets':
        this.sheets = event.sheets;
        this.sheet = event.sheet;
        return null;
      case 'skip':
        this.nextIndex += event.rows;
        return null;
      case 'header':
        this.header = event.names.map((n) => (n == null ? '' : String(n)));
        this.declared = event.types ?? null;
        return null;
      case 'rows': {
        const rows = event.rows.map((cells) => this.arrayRow(cells));
        if (event.matched) for (const row of rows) row.matched = true;
        return { rows, offsetAfter: event.offsetAfter };
      }
      case 'records': {
        this.keyIndex ??= new Map();
        const rows = event.records.map((record) => this.recordRow(record));
        return { rows, offsetAfter: event.offsetAfter };
      }
    }
  }

  private arrayRow(cells: RawCell[]): TableRow {
    const row: TableRow = { index: this.nextIndex++, cells };
    if (this.width !== null && cells.length > this.width) {
      row.extra = {};
      for (let i = this.width; i < cells.length; i++) if (cells[i] !== null && cells[i] !== '') row.extra[`column_${i + 1}`] = cells[i];
      row.cells = cells.slice(0, this.width);
    }
    return row;
  }

  private recordRow(record: Record<string, unknown>): TableRow {
    const keyIndex = this.keyIndex as Map<string, number>;
    const cells: RawCell[] = new Array(this.keys.length).fill(null);
    let extra: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      let at = keyIndex.get(key);
      if (at === undefined) {
        if (this.frozen) {
          extra ??= {};
          extra[key] = record[key];
          continue;
        }
        at = this.keys.length;
        this.keys.push(key);
        keyIndex.set(key, at);
      }
      cells[at] = (record[key] ?? null) as RawCell;
    }
    const row: TableRow = { index: this.nextIndex++, cells };
    if (extra) row.extra = extra;
    return row;
  }
}

/** Translates errors that escape a read into the contract's codes. */
export function readFailure(error: unknown, what: string): Error {
  if (isBucketqlError(error)) return error;
  const e = error as { code?: string; message?: string; name?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return new DecodeFailed(`${what}: not valid gzip data (${e.code})`, {});
  if (e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return new UpstreamUnavailable(`The read of ${what} was aborted`);
  if (
    typeof e?.code === 'string' &&
    ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET'].includes(e.code)
  ) {
    return new UpstreamUnavailable(`S3 stopped sending ${what} (${e.code})`);
  }
  if (e?.name === 'TimeoutError') return new UpstreamUnavailable(`S3 timed out sending ${what}`);
  return error instanceof Error ? error : new Error(String(error));
}

export class TableReader implements RowSource {
  /** Digest of object, version and options: keys the cache and stamps cursors. */
  readonly id: string;
  private schemaPromise: Promise<TableSchema> | null = null;
  private full: TableRow[] | null = null;
  private sample: { rows: TableRow[]; complete: boolean; resumeOffset: number | undefined } | null = null;
  private readonly passes = new SharedPasses((start, needs) => this.scan(start, needs));
  private readonly what: string;

  constructor(
    readonly object: TableObject,
    readonly options: TableOptions,
    private readonly limits: TableLimits,
    private readonly cache: TableCache,
    private readonly signal: AbortSignal,
  ) {
    this.id = digest(object.bucket, object.key, object.etag, object.compression, options, limits.inferRows);
    this.what = `${object.bucket}/${object.key}`;
  }

  /**
   * Whether a read can start at a byte offset (line formats). Offsets are positions in
   * the decompressed bytes (`open` takes them): a gzipped table resumed there is
   * decompressed from the top but not parsed again, which is most of the work.
   */
  get resumable(): boolean {
    return Boolean(this.object.codec.supportsOffsets);
  }

  schema(): Promise<TableSchema> {
    this.schemaPromise ??= this.loadSchema();
    return this.schemaPromise;
  }

  private readOptions(extra: Partial<TableReadOptions> = {}): TableReadOptions {
    return {
      header: this.options.header,
      delimiter: this.options.delimiter,
      encoding: this.options.encoding,
      sheet: this.options.sheet,
      signal: this.signal,
      ...extra,
    };
  }

  private events(start: number, extra: Partial<TableReadOptions> = {}): AsyncIterable<TableEvent> {
    const readTable = this.object.codec.readTable;
    if (!readTable) throw new BadUserInput(`${this.what} is not a table`);
    const source = this.byteSource();
    return readTable.call(this.object.codec, source, this.readOptions({ ...extra, startOffset: start > 0 ? start : undefined }));
  }

  private byteSource(): ByteSource {
    const { object, signal } = this;
    const read = object.read;
    return {
      size: object.size,
      id: this.id,
      open: (from = 0) => object.open(from, signal),
      ...(read ? { read: (start: number, end: number) => read.call(object, start, end, signal) } : {}),
    };
  }

  /** Columnar formats: the schema from what the codec declares (a Parquet footer), no rows sampled. */
  private async describedSchema(): Promise<TableSchema> {
    const cached = this.cache.getSchema(this.id);
    if (cached) return cached;
    const describe = this.object.codec.describeTable as NonNullable<Codec['describeTable']>;
    let description: Awaited<ReturnType<typeof describe>>;
    try {
      description = await describe.call(this.object.codec, this.byteSource(), this.readOptions());
    } catch (error) {
      throw readFailure(error, this.what);
    }
    const names = uniqueColumnNames(description.names);
    if (names.length > MAX_COLUMNS) {
      throw new DecodeFailed(`${this.what} has ${names.length} columns; a table may have at most ${MAX_COLUMNS}`, { limit: MAX_COLUMNS });
    }
    const schema: TableSchema = {
      format: this.options.format,
      sheet: null,
      sheets: [],
      columns: names.map((name, index) => ({
        name,
        index,
        type: description.types[index] as ColumnType,
        nullable: description.nullable[index] ?? true,
      })),
      keys: null,
      reading: readingOf(this.options.format),
    };
    this.cache.setSchema(this.id, schema);
    this.cache.setCount(this.id, 'all', description.rowCount);
    return schema;
  }

  private async loadSchema(): Promise<TableSchema> {
    if (this.object.codec.describeTable) return this.describedSchema();
    const cachedRows = this.cache.getRows(this.id);
    const cachedSchema = this.cache.getSchema(this.id);
    if (cachedSchema && cachedRows) {
      this.full = cachedRows;
      return cachedSchema;
    }
    const wantsWhole = this.object.size <= this.limits.cacheTableBytes;
    if (cachedSchema && !wantsWhole) return cachedSchema;

    const assembler = new RowAssembler(0, null, null);
    const rows: TableRow[] = [];
    let lastOffsetAfter: (() => number) | undefined;
    let complete = true;
    let bytes = 0;
    const budget = this.limits.cacheTableBytes * 4;
    let keepWhole = wantsWhole;
    try {
      for await (const event of this.events(0)) {
        const batch = assembler.accept(event);
        if (!batch) continue;
        for (let i = 0; i < batch.rows.length; i++) {
          const row = batch.rows[i] as TableRow;
          if (!keepWhole && rows.length >= this.limits.inferRows) {
            complete = false;
            break;
          }
          rows.push(row);
          if (keepWhole) {
            bytes += rowBytes(row.cells);
            if (bytes > budget) keepWhole = false; // too big in memory: stream it instead
          }
          const offsetAfter = batch.offsetAfter;
          lastOffsetAfter = offsetAfter ? () => offsetAfter(i) : undefined;
        }
        if (!complete) break;
      }
    } catch (error) {
      throw readFailure(error, this.what);
    }

    const sampleRows = rows.slice(0, this.limits.inferRows);
    const schema = this.buildSchema(assembler, sampleRows);
    if (complete && keepWhole) {
      this.full = this.shape(rows, schema);
      this.cache.setRows(this.id, this.full, bytes);
    } else {
      // Keep the sample: a scan from the top replays it, then reads on from where it ended.
      const kept = complete ? rows : sampleRows;
      const resumeOffset =
        !complete && this.resumable && lastOffsetAfter && rows.length === sampleRows.length ? lastOffsetAfter() : undefined;
      this.sample = { rows: this.shape(kept, schema), complete: complete && kept.length === rows.length, resumeOffset };
    }
    this.cache.setSchema(this.id, schema);
    return schema;
  }

  /** Moves cells beyond the schema's width into `extra`, as later reads will. */
  private shape(rows: TableRow[], schema: TableSchema): TableRow[] {
    const width = schema.columns.length;
    if (schema.keys) return rows;
    for (const row of rows) {
      if (row.cells.length > width) {
        row.extra = {};
        for (let i = width; i < row.cells.length; i++) row.extra[`column_${i + 1}`] = row.cells[i];
        row.cells = row.cells.slice(0, width);
      }
    }
    return rows;
  }

  private buildSchema(assembler: RowAssembler, sample: TableRow[]): TableSchema {
    const reading = readingOf(this.options.format);
    let names: string[];
    let keys: string[] | null = null;
    if (assembler.keyed) {
      keys = [...assembler.keys];
      names = uniqueColumnNames(keys);
    } else {
      const width = sample.reduce((max, row) => Math.max(max, row.cells.length), assembler.header?.length ?? 0);
      names = extendColumnNames(assembler.header ? uniqueColumnNames(assembler.header) : [], width);
    }
    if (names.length > MAX_COLUMNS) {
      throw new DecodeFailed(
        `${this.what} has ${names.length} columns; a table may have at most ${MAX_COLUMNS} (as many as an Excel sheet)`,
        {
          limit: MAX_COLUMNS,
        },
      );
    }
    const samples = names.map(() => new ColumnSample());
    for (const row of sample) {
      for (let c = 0; c < samples.length; c++) (samples[c] as ColumnSample).add(row.cells[c] ?? null, reading);
    }
    const columns: Column[] = names.map((name, index) => {
      const s = samples[index] as ColumnSample;
      const type = respectDeclared(assembler.keyed ? null : (assembler.declared?.[index] ?? null), s.type);
      return { name, index, type, nullable: s.sawNull || type === 'NULL' };
    });
    return {
      format: this.options.format,
      sheet: assembler.sheet,
      sheets: assembler.sheets,
      columns,
      keys,
      reading,
      encoding: assembler.encoding,
      delimiter: assembler.delimiter,
    };
  }

  cachedCount(filter: string): number | undefined {
    return this.cache.getCount(this.id, filter);
  }

  storeCount(filter: string, count: number): void {
    this.cache.setCount(this.id, filter, count);
  }

  /** The typed value of one cell. */
  typed(row: TableRow, column: Column, schema: TableSchema): TypedValue {
    return convert(row.cells[column.index] ?? null, column.type, schema.reading);
  }

  /**
   * Runs a consumer over the table's rows from its start. Consumers submitted in the
   * same tick share one pass.
   */
  run(consumer: ScanConsumer): Promise<void> {
    return this.passes.run(consumer);
  }

  /** The table's rows from `start`, in batches; with `needs`, rows no consumer wants may be left out. */
  async *scan(start: ScanStart, needs?: ScanNeeds): AsyncGenerator<RowBatch> {
    const schema = await this.schema();
    if (this.full) {
      const size = 1000;
      for (let i = start.index; i < this.full.length; i += size) yield { rows: this.full.slice(i, i + size) };
      return;
    }
    let index = start.index;
    let offset = start.offset;
    const sample = this.sample;
    if (sample && offset === undefined && index < sample.rows.length + (sample.complete ? Infinity : 0)) {
      if (index < sample.rows.length) yield { rows: sample.rows.slice(index) };
      if (sample.complete) return;
      index = sample.rows.length;
      offset = sample.resumeOffset;
    }
    yield* this.read(schema, index, offset, needs);
  }

  /** Options that let a columnar codec read only what `needs` asks for, and start at a row. */
  private seekOptions(schema: TableSchema, index: number, needs: ScanNeeds | undefined): Partial<TableReadOptions> {
    const codec = this.object.codec;
    if (!codec.seeksRows) return {};
    const options: Partial<TableReadOptions> = { startRow: index };
    const indexesOf = (names: ReadonlySet<string>) => schema.columns.filter((c) => names.has(c.name)).map((c) => c.index);
    const allMatch = needs?.allMatch;
    if (needs?.columns) {
      // Filter columns are read unless spans can be proved to match whole.
      const filterOnly = needs.filterColumns ?? new Set<string>();
      options.columns = indexesOf(allMatch ? needs.columns : new Set([...needs.columns, ...filterOnly]));
      if (allMatch) options.filterColumns = indexesOf(filterOnly);
    }
    const byName = new Map(schema.columns.map((c) => [c.name, c.index]));
    const byIndex = (rangeOf: (column: number) => ValueRange | null) => (name: string) => {
      const at = byName.get(name);
      return at === undefined ? null : rangeOf(at);
    };
    const mayMatch = needs?.mayMatch;
    if (mayMatch) options.mayMatch = (rangeOf) => mayMatch(byIndex(rangeOf));
    if (allMatch && options.filterColumns) options.allMatch = (rangeOf) => allMatch(byIndex(rangeOf));
    return options;
  }

  /** Reads from the object: at `offset` when given, else from the top skipping rows before `index`. */
  private async *read(schema: TableSchema, index: number, offset: number | undefined, needs?: ScanNeeds): AsyncGenerator<RowBatch> {
    const resume = offset !== undefined && this.resumable;
    const assembler = new RowAssembler(resume ? index : 0, schema.keys, schema.keys ? null : schema.columns.length);
    const events = resume
      ? this.events(offset, { encoding: schema.encoding, delimiter: schema.delimiter })
      : this.events(0, {
          ...(schema.encoding ? { encoding: schema.encoding, delimiter: schema.delimiter } : {}),
          ...this.seekOptions(schema, index, needs),
        });
    try {
      for await (const event of events) {
        const batch = assembler.accept(event);
        if (!batch || batch.rows.length === 0) continue;
        const last = (batch.rows[batch.rows.length - 1] as TableRow).index;
        if (last < index) continue;
        const first = (batch.rows[0] as TableRow).index;
        if (first >= index) {
          yield batch;
        } else {
          const skip = index - first;
          const offsetAfter = batch.offsetAfter;
          yield { rows: batch.rows.slice(skip), offsetAfter: offsetAfter ? (i) => offsetAfter(i + skip) : undefined };
        }
      }
    } catch (error) {
      throw readFailure(error, this.what);
    }
  }
}
