// TableReader: one object read as a table with one set of options. It infers the
// schema from the leading rows and runs scans: every scan asked for in the same tick
// shares one pass over the object, which stops (and aborts the S3 download) as soon
// as no scan wants more rows. The first scan that reads the whole object keeps it
// column by column in the shared cache (columnar.ts), and every later question on the
// same ETag runs on that; small objects are read on in the background after the
// leading rows that answer a first page.

import { fieldText } from '../codecs/csv-fields.js';
import type {
  ByteSource,
  Codec,
  ColumnTypeName,
  FieldBatch,
  Format,
  LineEnd,
  RawCell,
  TableDescription,
  TableEvent,
  TableReadOptions,
  ValueRange,
} from '../codecs/types.js';
import { BadUserInput, DecodeFailed } from '../errors.js';
import { metrics } from '../metrics.js';
import { readFailure } from '../objects/read-failure.js';
import type { TableBuild as Build, TableCache } from './cache.js';
import { COLUMNAR_BATCH, ColumnarBuilder, type ColumnarTable } from './columnar.js';
import { extendColumnNames, uniqueColumnNames } from './columns.js';
import { digest } from './cursor.js';
import type { SpillSet } from './disk-cache.js';
import { ColumnSample, convert, type StringReading } from './infer.js';
import { SharedPasses } from './passes.js';
import type { RowSource } from './source.js';
import type { SpillBuild } from './spill.js';
import type {
  Column,
  ColumnType,
  RowBatch,
  ScanConsumer,
  ScanNeeds,
  ScanStart,
  TableLimits,
  TableObject,
  TableOptions,
  TableRow,
  TableSchema,
  TypedValue,
} from './types.js';

// Re-exported for modules not yet moved to importing them from types.ts (summary.ts, the objects service).
export type { ScanConsumer, ScanNeeds, ScanStart, TableLimits, TableObject, TableOptions, TableRow, TableSchema };

/** The most columns a table may have: as many as an Excel sheet holds. */
export const MAX_COLUMNS = 16_384;

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

/** The dialect of a text table's first read, which every later read of it is given, not sniffed again. */
function dialectOf(schema: TableSchema): Pick<TableReadOptions, 'encoding' | 'delimiter' | 'newline'> {
  return { encoding: schema.encoding, delimiter: schema.delimiter, newline: schema.newline };
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
  newline: LineEnd | undefined;
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
        this.newline = event.newline;
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
      case 'fields': {
        const first = this.nextIndex;
        this.nextIndex += event.batch.rows;
        return { rows: [], fields: { batch: event.batch, first }, offsetAfter: event.offsetAfter };
      }
      case 'columns': {
        const block = { index: this.nextIndex, length: event.rows, cells: event.columns, matched: event.matched === true };
        this.nextIndex += event.rows;
        return { rows: [], block };
      }
      case 'records': {
        this.keyIndex ??= new Map();
        const rows = event.records.map((record) => this.recordRow(record));
        return { rows, offsetAfter: event.offsetAfter };
      }
    }
  }

  /** Learns a record's keys without making a row of it (a small table's records wait for every key). */
  noteKeys(record: Record<string, unknown>): void {
    this.keyIndex ??= new Map();
    for (const key in record) {
      if (this.keyIndex.has(key)) continue;
      this.keyIndex.set(key, this.keys.length);
      this.keys.push(key);
    }
  }

  /**
   * A record's cells by key, written into `cells` (reused: no row is made). A key not
   * seen before is noted, and `added` told of it first, so that it gets a column.
   */
  cellsNoting(record: Record<string, unknown>, cells: RawCell[], added: (key: string, index: number) => void): RawCell[] {
    const keyIndex = this.keyIndex as Map<string, number>;
    cells.fill(null);
    for (const key in record) {
      let at = keyIndex.get(key);
      if (at === undefined) {
        at = this.keys.length;
        keyIndex.set(key, at);
        this.keys.push(key);
        added(key, at);
      }
      cells[at] = (record[key] ?? null) as RawCell;
    }
    return cells;
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

/** Rows checked between looks at a build's size. */
const BUDGET_CHECK_ROWS = 65_536;

/**
 * A look at a build's size every BUDGET_CHECK_ROWS rows (it walks the columns): false
 * once the build no longer fits the cache. A build already dropped (null) fits.
 */
function budgetCheck(cache: TableCache): (builder: ColumnarBuilder | null, rows: number) => boolean {
  let sinceCheck = 0;
  return (builder, rows) => {
    sinceCheck += rows;
    if (!builder || sinceCheck < BUDGET_CHECK_ROWS) return true;
    sinceCheck = 0;
    return cache.fits(builder.bytes());
  };
}

/** Rows an object of `size` bytes holds, from `rows` rows taking its first `bytes` (a little over, so columns are allocated once). */
function expectedRows(size: number, bytes: number, rows: number): number {
  return Math.ceil((size / bytes) * rows * 1.02);
}

/** Waits until the event loop has run its pending I/O: background work goes after requests. */
const backgroundTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A field batch's own copy (the scanner reuses its arrays and buffer for the next one):
 * a small table's leading batches, held until the schema is known and then typed from
 * their bytes like every later batch.
 */
function heldFieldBatch(batch: FieldBatch): FieldBatch {
  const fields = batch.rowFields[batch.rows] as number;
  return {
    bytes: Buffer.from(batch.bytes),
    rows: batch.rows,
    rowFields: batch.rowFields.slice(0, batch.rows + 1),
    starts: batch.starts.slice(0, fields),
    ends: batch.ends.slice(0, fields),
    quoted: batch.quoted.slice(0, fields),
  };
}

/** Row `r` of a field batch as the text of its cells. */
function fieldRow(batch: FieldBatch, r: number): RawCell[] {
  const cells: RawCell[] = [];
  for (let f = batch.rowFields[r] as number; f < (batch.rowFields[r + 1] as number); f++) cells.push(fieldText(batch, f));
  return cells;
}

function settle<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a failed build is seen by whoever waits for it, or by no one
  return { promise, resolve, reject };
}

export class TableReader implements RowSource {
  /** Digest of object, version and options: keys the cache and stamps cursors. */
  readonly id: string;
  private schemaPromise: Promise<TableSchema> | null = null;
  /** The table column by column, once this reader has it (from the cache or a build). */
  private columnar: ColumnarTable | null = null;
  /** A build of the table in flight that this reader's scans may wait for. */
  private pending: Build | null = null;
  private sample: { rows: TableRow[]; complete: boolean; resumeOffset: number | undefined } | null = null;
  /** The table's segments on disk, when it was too large for memory (spill.ts). */
  private spillSet: SpillSet | null = null;
  private readonly passes = new SharedPasses((start, whole, needs) => this.passRows(start, whole, needs));
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
    if (!this.schemaPromise) this.cache.noteRead(this.object.bucket, this.object.key);
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
    const source = this.byteSource(extra.readsAll === true);
    return readTable.call(this.object.codec, source, this.readOptions({ ...extra, startOffset: start > 0 ? start : undefined }));
  }

  /** `toEnd`: the read takes every byte (a small object's), so it may come in one GET. */
  private byteSource(toEnd = false): ByteSource {
    const { object, signal } = this;
    const read = object.read;
    return {
      size: object.size,
      id: this.id,
      open: (from = 0) => object.open(from, signal, toEnd),
      ...(read ? { read: (start: number, end: number) => read.call(object, start, end, signal) } : {}),
    };
  }

  /**
   * Columnar formats: the schema (and the row count) from what the codec declares (a
   * Parquet footer), no rows read. Such tables are not read ahead in the background:
   * their questions read only the columns and row groups they need.
   */
  private async describedSchema(): Promise<TableSchema> {
    const cached = this.cache.getSchema(this.id);
    if (cached) return cached;
    const describe = this.object.codec.describeTable as NonNullable<Codec['describeTable']>;
    let description: TableDescription;
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
    const cachedSchema = this.cache.getSchema(this.id);
    const cachedColumns = this.cache.getColumns(this.id);
    if (cachedSchema && cachedColumns) {
      this.columnar = cachedColumns;
      return cachedSchema;
    }
    const kept = cachedColumns ? null : await this.cache.fromDisk(this.id);
    if (kept) {
      this.columnar = kept.table;
      return kept.schema;
    }
    const spilled = await this.spilled();
    if (spilled) return spilled.schema;
    const flight = this.cache.inFlight(this.id);
    if (flight?.kind === 'small') {
      // Another request is reading this small object: share its read.
      this.pending = flight;
      return flight.schema;
    }
    if (this.object.size <= this.limits.cacheTableBytes) {
      const build = this.readSmall();
      this.pending = build;
      this.cache.startBuild(this.id, build);
      return build.schema;
    }
    if (cachedSchema) return cachedSchema;
    return this.readSample();
  }

  /** The schema from the leading rows; they are kept, so that a scan from the top replays them. */
  private async readSample(): Promise<TableSchema> {
    const assembler = new RowAssembler(0, null, null);
    const rows: TableRow[] = [];
    let lastOffsetAfter: (() => number) | undefined;
    let complete = true;
    try {
      for await (const event of this.events(0)) {
        const batch = assembler.accept(event);
        if (!batch) continue;
        for (let i = 0; i < batch.rows.length; i++) {
          if (rows.length >= this.limits.inferRows) {
            complete = false;
            break;
          }
          rows.push(batch.rows[i] as TableRow);
          const offsetAfter = batch.offsetAfter;
          lastOffsetAfter = offsetAfter ? () => offsetAfter(i) : undefined;
        }
        if (!complete) break;
      }
    } catch (error) {
      throw readFailure(error, this.what);
    }
    const schema = this.buildSchema(assembler, rows);
    const resumeOffset = !complete && this.resumable && lastOffsetAfter ? lastOffsetAfter() : undefined;
    this.sample = { rows: this.shape(rows, schema), complete, resumeOffset };
    this.cache.setSchema(this.id, schema);
    return schema;
  }

  /**
   * Reads a small object to its end in one read, building its columnar table. The
   * schema is known after the leading rows (record formats: after all of them, since
   * their columns are the union of every record's keys), so a first page is answered
   * from those while the read goes on. From then on the read is background work: it
   * lets pending I/O (the first page's answer, other requests) go first after each
   * batch. A CSV in UTF-8 comes as field batches, typed into columns from the bytes
   * (as the cold scan does); only the leading rows become rows of text.
   */
  private readSmall(): Build {
    const schemaDone = settle<TableSchema>();
    const done = settle<ColumnarTable | null>();
    const build: Build = { kind: 'small', schema: schemaDone.promise, done: done.promise };
    let schemaKnown = false;
    const run = async () => {
      const assembler = new RowAssembler(0, null, null);
      let rows: TableRow[] = [];
      let builder: ColumnarBuilder | null = null;
      let schema: TableSchema | null = null;
      // The rows read before the schema, in order, as they go into the columns: field
      // batches (typed from their bytes, as every later batch is) or rows of text.
      let leading: (FieldBatch | TableRow)[] = [];
      // The leading rows go into the columns after a turn of the event loop, with the
      // batches after them: a first page waits for the schema only, not for them.
      const addLeading = () => {
        const b = builder as ColumnarBuilder | null;
        if (!b) return;
        for (const part of leading) {
          if ('bytes' in part) b.addFields(part);
          else b.add(part.cells, part.extra);
        }
        leading = [];
      };
      /** `typed`: a builder that already holds these rows (and more); else they are `leading`. */
      const conclude = (complete: boolean, typed: ColumnarBuilder | null = null): TableSchema => {
        const sample = rows.slice(0, this.limits.inferRows);
        const built = this.buildSchema(assembler, sample);
        assembler.freeze();
        this.shape(rows, built);
        this.sample = { rows, complete: complete && rows.length <= this.limits.inferRows, resumeOffset: undefined };
        this.cache.setSchema(this.id, built);
        schemaKnown = true;
        schemaDone.resolve(built);
        builder = typed ?? new ColumnarBuilder(built.columns, built.reading);
        if (rows.length > this.limits.inferRows) this.sample.rows = rows.slice(0, this.limits.inferRows);
        rows = [];
        return built;
      };
      // Records (JSON, NDJSON) wait for every key before their schema is known: their
      // columns are the union of all keys. The sample's records are held as parsed and
      // become its rows; each later one is typed into columns as it comes, by the sample's
      // types, through one reused array (a key first seen after the sample, null in every
      // sampled row, is typed NULL: it gets a column of nulls so far). So no record
      // outlives its batch: held to the end, 100k records were promoted to the old
      // generation; typed as they come (with columns reserved once), the in-process
      // count's CPU went 481 -> 404 ms (bench/json-count.ts, medians of 9, interleaved).
      const records: Record<string, unknown>[] = [];
      let typing: ColumnarBuilder | null = null;
      const cells: RawCell[] = [];
      /** Records through the end of the latest event, and the bytes they took (when the codec says). */
      let recordsSeen = 0;
      let bytesRead: number | undefined;
      const startTyping = (): ColumnarBuilder => {
        rows = assembler.accept({ type: 'records', records })?.rows ?? [];
        records.length = 0;
        const sampled = this.buildSchema(assembler, rows);
        const b = new ColumnarBuilder(sampled.columns, sampled.reading);
        // Columns allocated once, for the rows the bytes so far foretell (grown by doubling, then
        // trimmed, they cost a tenth of the count in copies and fresh pages).
        if (bytesRead && this.object.compression === 'NONE') b.reserve(expectedRows(this.object.size, bytesRead, recordsSeen));
        for (const row of rows) b.add(row.cells, row.extra);
        return b;
      };
      const concludeRecords = (): TableSchema => {
        if (!typing) {
          rows = assembler.accept({ type: 'records', records })?.rows ?? [];
          records.length = 0;
          leading = [...rows];
          return conclude(true);
        }
        // The sample's rows were made before the later keys were known: they get their cells.
        const width = assembler.keys.length;
        for (const row of rows) while (row.cells.length < width) row.cells.push(null);
        return conclude(false, typing);
      };
      // False when the table outgrew the cache (the read then stops).
      const fits = budgetCheck(this.cache);
      const withinBudget = (added: number): boolean => fits(builder, added);
      for await (const event of this.events(0, { readsAll: true, fieldBatches: true })) {
        if (event.type === 'records' && !schema) {
          const inferRows = this.limits.inferRows;
          recordsSeen += event.records.length;
          if (!typing) bytesRead = event.bytesRead;
          for (const record of event.records) {
            if (!typing && records.length < inferRows) {
              assembler.noteKeys(record);
              records.push(record);
              continue;
            }
            typing ??= startTyping();
            const b = typing;
            const cellsOf = assembler.cellsNoting(record, cells, (key, index) =>
              b.addColumn({ name: key, index, type: 'NULL', nullable: true }),
            );
            b.add(cellsOf, undefined);
          }
          // Too big to keep: the schema from the keys seen so far, the sample only.
          if (typing && !fits(typing, event.records.length)) return concludeRecords() && null;
          continue;
        }
        const batch = assembler.accept(event);
        if (!batch) continue;
        if (schemaKnown) {
          await backgroundTurn();
          addLeading();
        }
        if (batch.fields) {
          const { batch: fields, first } = batch.fields;
          if (schema) {
            (builder as ColumnarBuilder | null)?.addFields(fields);
            if (!withinBudget(fields.rows)) return null;
            continue;
          }
          // The batch's arrays are reused by the next one: the sample's rows are made now,
          // and the batch is kept as a copy for the columns.
          for (let r = 0; r < fields.rows; r++) rows.push({ index: first + r, cells: fieldRow(fields, r) });
          leading.push(heldFieldBatch(fields));
          if (rows.length >= this.limits.inferRows) schema = conclude(false);
          continue;
        }
        for (const row of batch.rows) {
          if (!schema) {
            // Rows (not records) wait only for the sample.
            rows.push(row);
            leading.push(row);
            if (rows.length >= this.limits.inferRows) schema = conclude(false);
            continue;
          }
          const b = builder as ColumnarBuilder | null;
          if (!b) return null;
          if (!schema.keys && row.cells.length > schema.columns.length) this.shape([row], schema);
          if (leading.length > 0) {
            // The rest of the batch that completed the sample: after the leading rows.
            leading.push(row);
            continue;
          }
          b.add(row.cells, row.extra);
          if (!withinBudget(1)) return null;
        }
      }
      if (!schema) schema = assembler.keyed ? concludeRecords() : conclude(true);
      addLeading();
      const table = (builder as ColumnarBuilder | null)?.finish() ?? null;
      if (table && this.cache.fits(table.bytes)) {
        this.cache.setColumns(this.id, table);
        return table;
      }
      return null;
    };
    run().then(
      (table) => {
        if (!schemaKnown) schemaDone.reject(new Error('the read ended before its schema'));
        done.resolve(table);
      },
      (error: unknown) => {
        const failure = readFailure(error, this.what);
        if (!schemaKnown) schemaDone.reject(failure);
        done.reject(failure);
      },
    );
    return build;
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
      newline: assembler.newline,
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
    if (row.columns) return row.columns.value(row.index, column.index);
    return convert(row.cells[column.index] ?? null, column.type, schema.reading);
  }

  /**
   * Runs a consumer over the table's rows from its start. Consumers submitted in the
   * same tick share one pass.
   */
  run(consumer: ScanConsumer): Promise<void> {
    return this.passes.run(consumer);
  }

  /**
   * The rows of one shared pass: from the columnar table when there is one (or when a
   * build of it, which this pass may wait for, ends with one); else from the object,
   * building the table when the pass starts at the top and reads to the end.
   */
  private async *passRows(start: ScanStart, whole: boolean, needs: ScanNeeds | undefined): AsyncGenerator<RowBatch> {
    const schema = await this.schema();
    let index = start.index;
    this.columnar ??= this.cache.getColumns(this.id) ?? null;
    if (!this.columnar) {
      const flight = this.pending ?? (whole ? this.cache.inFlight(this.id) : undefined);
      if (flight && (flight.kind === 'small' || whole)) {
        // The leading rows answer a first page without waiting for the read to end.
        const sample = flight === this.pending ? this.sample : null;
        if (sample && start.offset === undefined && index < sample.rows.length) {
          yield { rows: sample.rows.slice(index) };
          index = sample.rows.length;
          if (sample.complete) return;
        }
        try {
          this.columnar = await flight.done;
        } catch (error) {
          // A failed read of this table fails this pass too; one elsewhere is only retried here.
          if (flight === this.pending) throw error;
        }
      }
    }
    if (this.columnar) {
      yield* columnarBatches(this.columnar, index);
      return;
    }
    const spilled = await this.spilled();
    if (spilled) {
      const stop = yield* this.cache.readSpilled(spilled, index);
      if (!stop) return;
      // A segment missing or damaged: the rest from the object.
      this.spillSet = null;
      index = stop.index;
      if (index !== start.index) {
        yield* this.scan({ index, offset: stop.offset }, needs);
        return;
      }
    }
    if (index !== start.index) {
      yield* this.scan({ index }, needs);
      return;
    }
    yield* this.scanBuilding(start, schema, whole, needs);
  }

  /** The table's spilled set on disk, when there is one (looked for again while there is none). */
  private async spilled(): Promise<SpillSet | null> {
    this.spillSet ??= await this.cache.spilled(this.id);
    return this.spillSet;
  }

  /**
   * Whether a read for these needs may leave rows or columns out (a columnar codec told
   * which columns and row spans to read): its rows are then not the whole table.
   */
  private partial(needs: ScanNeeds | undefined): boolean {
    if (!needs || !this.object.codec.seeksRows) return false;
    return needs.columns !== null || needs.mayMatch !== null || Boolean(needs.allMatch);
  }

  /** Rows from the object; a pass from the top to the end leaves the columnar table in the cache. */
  private async *scanBuilding(
    start: ScanStart,
    schema: TableSchema,
    whole: boolean,
    needs: ScanNeeds | undefined,
  ): AsyncGenerator<RowBatch> {
    // A projected or pruned read is not the whole table: it is never kept as one.
    const fromTop = start.index === 0 && start.offset === undefined && !this.partial(needs);
    let builder = fromTop ? new ColumnarBuilder(schema.columns, schema.reading) : null;
    // Rows expected from the bytes a sampled row takes: the columns are then allocated once.
    const sample = this.sample;
    let reserved = false;
    if (builder && sample?.resumeOffset && sample.rows.length > 0 && this.object.compression === 'NONE') {
      builder.reserve(expectedRows(this.object.size, sample.resumeOffset, sample.rows.length));
      reserved = true;
    }
    // A pass that reads everything tells other requests they may wait for its table.
    const shared = builder && whole && !this.cache.inFlight(this.id) ? settle<ColumnarTable | null>() : null;
    if (shared) this.cache.startBuild(this.id, { kind: 'scan', schema: Promise.resolve(schema), done: shared.promise });
    // The table will not be whole (or would not fit): stop building it, and let waiters read for themselves.
    const abandon = () => {
      builder = null;
      shared?.resolve(null);
    };
    // Too large for memory, on a pass that reads it all: with a disk tier, built on in segments
    // kept there (waiters then wait for the set); else dropped.
    let spill = null as SpillBuild | null;
    let spilling: Promise<boolean> | null = null;
    const dropSpill = () => {
      spill?.abort();
      spill = null;
      shared?.resolve(null);
    };
    const fits = budgetCheck(this.cache);
    const checkBudget = (rows: number) => {
      if (fits(builder, rows)) return;
      spill = builder && whole && !this.object.codec.seeksRows ? this.cache.spill(this.id, schema, builder) : null;
      if (spill) builder = null;
      else abandon();
    };
    const resumeAt = (offsetAfter: ((i: number) => number) | undefined, last: number) =>
      this.resumable && offsetAfter && last >= 0 ? offsetAfter(last) : undefined;
    try {
      // From the top, a CSV in UTF-8 comes as field batches: typed into columns from its bytes.
      for await (const batch of this.scan(start, needs, { fields: fromTop, blocks: needs?.blocks === true })) {
        if (batch.fields) {
          const { batch: fields, first } = batch.fields;
          if (builder && builder.first + builder.rowCount !== first) abandon();
          if (spill && !spill.continues(first)) dropSpill();
          // No sample here (the schema came from the cache, as for a count after a first page):
          // the first batch tells the bytes a row takes. Columns grown by doubling instead cost
          // a server's cold count 0.35 s in copies and the GC their garbage (a profile, load 9).
          if (builder && !reserved && fields.rows > 0 && batch.offsetAfter && this.object.compression === 'NONE') {
            reserved = true;
            const bytes = batch.offsetAfter(fields.rows - 1);
            if (bytes > 0) builder.reserve(expectedRows(this.object.size, bytes, first + fields.rows));
          }
          // Past the cache's budget, each batch is typed into a part of its own, dropped after it.
          const part = builder ?? spill?.builder ?? new ColumnarBuilder(schema.columns, schema.reading, first);
          part.addFields(fields);
          checkBudget(fields.rows);
          yield { rows: [], span: { table: part.view(), from: first, to: first + fields.rows }, offsetAfter: batch.offsetAfter };
          if (spill && !(await spill.roll(resumeAt(batch.offsetAfter, fields.rows - 1)))) dropSpill();
          continue;
        }
        if (batch.block) {
          // Counted column by column (a columnar codec): not rows a table is built from.
          abandon();
          dropSpill();
          yield batch;
          continue;
        }
        if (builder) {
          for (const row of batch.rows) builder.add(row.cells, row.extra);
          checkBudget(batch.rows.length);
        } else if (spill) {
          for (const row of batch.rows) spill.builder.add(row.cells, row.extra);
        }
        yield batch;
        if (spill && !(await spill.roll(resumeAt(batch.offsetAfter, batch.rows.length - 1)))) dropSpill();
      }
      if (builder) {
        const table = builder.finish();
        if (this.cache.fits(table.bytes)) {
          this.cache.setColumns(this.id, table);
          this.columnar = table;
          shared?.resolve(table);
        } else if (whole && !this.object.codec.seeksRows) {
          spilling = this.cache.spillTable(this.id, schema, table);
        }
      }
      if (spill) {
        // Published in the background; whoever waits for this table then reads the set.
        spilling = spill.finish();
        spill = null;
      }
    } finally {
      spill?.abort(); // stopped early or failed: nothing is published
      const waited = () => shared?.resolve(null);
      if (spilling) spilling.then(waited, waited);
      else shared?.resolve(null); // stopped early or failed: whoever waits reads for itself
    }
  }

  /**
   * The table's raw rows from `start`, in batches, read from the object (datasets map raw
   * cells); with `needs`, rows and columns no consumer wants may be left out. With
   * `blocks`, a columnar codec may hand rows over as blocks (this reader's own counts).
   */
  async *scan(start: ScanStart, needs?: ScanNeeds, kinds: { fields?: boolean; blocks?: boolean } = {}): AsyncGenerator<RowBatch> {
    const schema = await this.schema();
    let index = start.index;
    let offset = start.offset;
    const sample = this.sample;
    if (sample && offset === undefined && index < sample.rows.length + (sample.complete ? Infinity : 0)) {
      if (index < sample.rows.length) yield { rows: sample.rows.slice(index) };
      if (sample.complete) return;
      index = sample.rows.length;
      offset = sample.resumeOffset;
    }
    yield* this.read(schema, index, offset, needs, kinds);
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
  private async *read(
    schema: TableSchema,
    index: number,
    offset: number | undefined,
    needs?: ScanNeeds,
    kinds: { fields?: boolean; blocks?: boolean } = {},
  ): AsyncGenerator<RowBatch> {
    const resume = offset !== undefined && this.resumable;
    const assembler = new RowAssembler(resume ? index : 0, schema.keys, schema.keys ? null : schema.columns.length);
    // Field batches are never cut: only for reads whose first row is wanted.
    const fieldBatches = kinds.fields === true && (resume || index === 0);
    const events = resume
      ? this.events(offset, { ...dialectOf(schema), fieldBatches })
      : this.events(0, {
          fieldBatches,
          ...(schema.encoding ? dialectOf(schema) : {}),
          ...this.seekOptions(schema, index, needs),
          ...(kinds.blocks && index === 0 ? { columnBlocks: true } : {}),
        });
    metrics.scansInFlight.inc();
    try {
      for await (const event of events) {
        const batch = assembler.accept(event);
        if (batch?.fields || batch?.block) {
          yield batch;
          continue;
        }
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
    } finally {
      metrics.scansInFlight.dec();
    }
  }
}

/** A columnar table's rows from `from`, as spans of it. */
function* columnarBatches(table: ColumnarTable, from: number): Generator<RowBatch> {
  for (let at = from; at < table.rowCount; at += COLUMNAR_BATCH) {
    yield { rows: [], span: { table, from: at, to: Math.min(table.rowCount, at + COLUMNAR_BATCH) } };
  }
}
