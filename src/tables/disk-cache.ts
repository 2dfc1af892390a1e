// The table cache's disk tier (BUCKETQL_CACHE_DIR): columnar tables written as Apache
// Arrow IPC files, so that a restart, or a table pushed out of memory, is answered from
// local disk instead of S3. A file is named by the table's digest (object, ETag, options:
// the memory cache's key), so a changed object never finds the old file. Files are
// written to a temporary name and renamed, so a reader sees a whole file or none; each
// ends with a CRC-32 trailer, and a file that fails it (truncated, corrupt, another
// version) is removed and read as a miss. The folder is bounded by bytes, least
// recently used out (a read touches the file's mtime). Several instances may share the
// folder: they only ever rename or link whole files in and unlink files (an unlinked file stays
// readable to whoever has it open), and the bound is enforced over the whole folder.
// A table larger than memory is spilled in segments (spill.ts builds them): one Arrow
// file a segment (`<id>.<writer>.<n>.part`), then a manifest (`<id>.spill`) written last
// whole, so readers trust only a complete set; the folder's bound counts a set as
// one unit and evicts it whole (manifest first).
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  type Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  Uint8,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { ColumnarTable, type ColumnPart, type TableParts, wellFormed } from './columnar.js';
import type { TableSchema, TypedValue } from './types.js';

/** Bumped when the layout of the files changes: files of another version are removed. */
const FORMAT_VERSION = 2;
const TRAILER = Buffer.from('BQC1');
const TRAILER_BYTES = 8;
const SUFFIX = '.arrow';
const SPILL_SUFFIX = '.spill';
const PART_SUFFIX = '.part';
const SPILL_VERSION = 1;
/** Bytes of columns a spilled segment holds, unless the cache is told otherwise. */
export const SEGMENT_BYTES = 16 * 1024 * 1024;
/** Temporary files older than this are a crashed writer's: a sweep removes them. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** Arrow's Utf8 offsets are 32-bit: a text column beyond this is not written. */
const MAX_TEXT_BYTES = 2 ** 31 - 1;

/** What a file holds beside its columns (the Arrow schema's metadata). */
interface FileMeta {
  version: number;
  id: string;
  schema: TableSchema;
  rowCount: number;
  bytes: number;
  /** Per table column: its part's kind, and for text columns the rows a chunk holds. */
  columns: { kind: ColumnPart['kind']; chunkRows?: number }[];
  extras: boolean;
}

/** A table as it comes back from disk. */
export interface DiskTable {
  schema: TableSchema;
  table: ColumnarTable;
}

// Values that are not plain numbers, strings or booleans (misfits, JSON cells, extra
// cells) as JSON tagged with what JSON would lose: dates and non-finite numbers.
function encodeValue(value: unknown): string {
  if (value instanceof Date) return JSON.stringify([1, value.getTime()]);
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify([2, String(value)]);
  return JSON.stringify([0, value]);
}
function decodeValue(text: string): TypedValue {
  const [tag, value] = JSON.parse(text) as [number, unknown];
  if (tag === 1) return new Date(value as number);
  if (tag === 2) return Number(value);
  return value as TypedValue;
}

/** A Utf8 column from one string a row (UTF-16 text in, UTF-8 bytes out). */
function utf8Data(strings: readonly string[]): Data<Utf8> {
  const offsets = new Int32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    total += Buffer.byteLength(strings[i] as string);
    if (total > MAX_TEXT_BYTES) throw new RangeError('text column too large for Arrow Utf8');
    offsets[i + 1] = total;
  }
  const bytes = Buffer.from(strings.join(''));
  return makeData({ type: new Utf8(), length: strings.length, valueOffsets: offsets, data: bytes });
}

/** A text column's chunks as one Utf8 column: each chunk encoded at once, offsets from its row ends. */
function textData(part: Extract<ColumnPart, { kind: 'text' }>, rows: number): Data<Utf8> {
  const offsets = new Int32Array(rows + 1);
  const buffers: Buffer[] = [];
  let row = 0;
  let base = 0;
  for (const chunk of part.chunks) {
    const bytes = Buffer.from(chunk.text);
    const ascii = bytes.length === chunk.text.length;
    let from = 0;
    let byteEnd = 0;
    for (let i = 0; i < chunk.ends.length; i++) {
      const end = chunk.ends[i] as number;
      byteEnd = ascii ? end : byteEnd + Buffer.byteLength(chunk.text.slice(from, end));
      offsets[++row] = base + byteEnd;
      from = end;
    }
    base += bytes.length;
    if (base > MAX_TEXT_BYTES) throw new RangeError('text column too large for Arrow Utf8');
    buffers.push(bytes);
  }
  return makeData({ type: new Utf8(), length: rows, valueOffsets: offsets, data: Buffer.concat(buffers, base) });
}

/** Sparse tagged values (misfits, extras) as a Utf8 column: empty where a row has none. */
function sparseData(values: ReadonlyMap<number, unknown>, rows: number): Data<Utf8> {
  const offsets = new Int32Array(rows + 1);
  const encoded = [...values].sort((a, b) => a[0] - b[0]).map(([row, value]) => [row, Buffer.from(encodeValue(value))] as const);
  let at = 0;
  let total = 0;
  for (const [row, bytes] of encoded) {
    offsets.fill(total, at + 1, row + 1);
    total += bytes.length;
    offsets[row + 1] = total;
    at = row + 1;
  }
  offsets.fill(total, at + 1);
  const data = Buffer.concat(
    encoded.map(([, bytes]) => bytes),
    total,
  );
  return makeData({ type: new Utf8(), length: rows, valueOffsets: offsets, data });
}

/** A copy of a typed array's bytes that owns its buffer (so the file's buffer can go). */
function own<T extends Float64Array | Uint8Array | Int32Array>(array: T): T {
  return array.slice() as T;
}

function utf8Strings(data: Data): string[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = buffer.toString('utf8', offsets[i], offsets[i + 1]);
  return out;
}

function sparseValues(data: Data): Map<number, TypedValue> {
  const offsets = data.valueOffsets as Int32Array;
  const buffer = Buffer.from(
    (data.values as Uint8Array).buffer,
    (data.values as Uint8Array).byteOffset,
    (data.values as Uint8Array).byteLength,
  );
  const values = new Map<number, TypedValue>();
  for (let i = 0; i < data.length; i++) {
    if (offsets[i + 1] !== offsets[i]) values.set(i, decodeValue(buffer.toString('utf8', offsets[i], offsets[i + 1])));
  }
  return values;
}

/** UTF-16 code units that `bytes` of UTF-8 decode to. */
function utf16Length(bytes: Uint8Array, from: number, to: number): number {
  let units = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i] as number;
    if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}

/** A Utf8 column back into text chunks of `chunkRows` rows: each chunk decoded at once. */
function textChunks(data: Data, chunkRows: number): { text: string; ends: Uint32Array }[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: { text: string; ends: Uint32Array }[] = [];
  for (let at = 0; at < data.length; at += chunkRows) {
    const end = Math.min(data.length, at + chunkRows);
    const start = offsets[at] as number;
    const text = buffer.toString('utf8', start, offsets[end]);
    const ends = new Uint32Array(end - at);
    const ascii = text.length === (offsets[end] as number) - start;
    let units = 0;
    for (let r = at; r < end; r++) {
      units = ascii ? (offsets[r + 1] as number) - start : units + utf16Length(bytes, offsets[r] as number, offsets[r + 1] as number);
      ends[r - at] = units;
    }
    chunks.push({ text, ends });
  }
  return chunks;
}

/** The Arrow IPC file of a table, with its schema and identity in the metadata. */
export function encodeTable(id: string, schema: TableSchema, table: ColumnarTable): Uint8Array {
  const parts = table.parts();
  const rows = parts.rowCount;
  const fields: Field[] = [];
  const children: Data[] = [];
  const add = (name: string, data: Data) => {
    fields.push(new Field(name, data.type, false));
    children.push(data);
  };
  const columns: FileMeta['columns'] = [];
  parts.columns.forEach((part, c) => {
    const name = `c${c}`;
    switch (part.kind) {
      case 'number':
      case 'date':
      case 'boolean':
        columns.push({ kind: part.kind });
        add(`${name}.value`, makeData({ type: new Float64(), length: rows, data: part.values.subarray(0, rows) }));
        add(`${name}.state`, makeData({ type: new Uint8(), length: rows, data: part.state.subarray(0, rows) }));
        add(`${name}.misfit`, sparseData(part.misfits, rows));
        break;
      case 'dictionary': {
        columns.push({ kind: part.kind });
        // Arrow's Utf8 cannot carry a lone surrogate: such a table is not written.
        if (!part.words.every(wellFormed)) throw new RangeError('a dictionary word UTF-8 cannot carry');
        const words = vectorFromArray([...part.words], new Utf8());
        const type = new Dictionary(new Utf8(), new Int32(), c);
        add(name, makeData({ type, length: rows, data: part.codes.subarray(0, rows), dictionary: words }));
        add(`${name}.null`, makeData({ type: new Uint8(), length: rows, data: part.nulls.subarray(0, rows) }));
        break;
      }
      case 'text':
        columns.push({ kind: part.kind, chunkRows: part.chunks[0]?.ends.length ?? 1 });
        add(name, textData(part, rows));
        add(`${name}.null`, makeData({ type: new Uint8(), length: rows, data: part.nulls.subarray(0, rows) }));
        add(`${name}.odd`, sparseData(part.odd, rows));
        break;
      default:
        columns.push({ kind: part.kind });
        add(name, utf8Data(part.values.map(encodeValue)));
    }
  });
  const extras = parts.extras.size > 0;
  if (extras) add('extra', sparseData(parts.extras, rows));
  const meta: FileMeta = { version: FORMAT_VERSION, id, schema, rowCount: rows, bytes: parts.bytes, columns, extras };
  const arrowSchema = new Schema(fields, new Map([['bucketql', JSON.stringify(meta)]]));
  const batch = new RecordBatch(arrowSchema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children }));
  return tableToIPC(new Table([batch]), 'file');
}

/** A table from the bytes `encodeTable` wrote; throws when they are not such a file of `id`. `first`: the index of its first row (a segment of a spilled table). */
export function decodeTable(id: string, bytes: Uint8Array, first = 0): DiskTable {
  const arrow = tableFromIPC(bytes);
  const meta = JSON.parse(arrow.schema.metadata.get('bucketql') ?? 'null') as FileMeta | null;
  if (!meta || meta.version !== FORMAT_VERSION || meta.id !== id) throw new Error('not a table file of this version and table');
  const batch = arrow.batches.length === 1 ? arrow.batches[0] : null;
  const rows = meta.rowCount;
  if ((batch?.numRows ?? 0) !== rows && rows > 0) throw new Error('row count differs');
  const child = (name: string): Data => {
    const data = batch?.getChild(name)?.data[0];
    if (!data || data.length !== rows) throw new Error(`column ${name} missing or short`);
    return data;
  };
  const columns: ColumnPart[] = meta.columns.map(({ kind, chunkRows }, c) => {
    const name = `c${c}`;
    switch (kind) {
      case 'number':
      case 'date':
      case 'boolean':
        return {
          kind,
          values: own(child(`${name}.value`).values as Float64Array<ArrayBuffer>),
          state: own(child(`${name}.state`).values as Uint8Array<ArrayBuffer>),
          misfits: sparseValues(child(`${name}.misfit`)),
        };
      case 'dictionary': {
        const data = child(name);
        const words = data.dictionary ? [...(data.dictionary as Iterable<string>)] : [];
        return {
          kind,
          words,
          codes: own(data.values as Int32Array<ArrayBuffer>),
          nulls: own(child(`${name}.null`).values as Uint8Array<ArrayBuffer>),
        };
      }
      case 'text':
        return {
          kind,
          chunks: textChunks(child(name), chunkRows ?? 4096),
          nulls: own(child(`${name}.null`).values as Uint8Array<ArrayBuffer>),
          odd: sparseValues(child(`${name}.odd`)) as Map<number, string>,
        };
      default:
        return { kind: 'values', values: utf8Strings(child(name)).map(decodeValue) };
    }
  });
  const parts: TableParts = {
    rowCount: rows,
    bytes: meta.bytes,
    columns,
    extras: meta.extras ? (sparseValues(child('extra')) as Map<number, Record<string, unknown>>) : new Map(),
  };
  return { schema: meta.schema, table: ColumnarTable.fromParts(parts, meta.schema.columns, first) };
}

/** A segment of a spilled table: its file, its rows, and where its first row starts in the object (resumable formats). */
export interface SpillSegment {
  file: string;
  first: number;
  rows: number;
  /** The file's size. */
  size: number;
  offset?: number | undefined;
}

/** A table spilled to disk in segments, as its manifest (`<id>.spill`) tells it. */
export interface SpillSet {
  version: number;
  id: string;
  /** The writer's mark in its segments' names: two writers of one table never mix files. */
  writer: string;
  schema: TableSchema;
  rowCount: number;
  segments: SpillSegment[];
}

/** What a segment file's own metadata names it: table, writer and place, so a file of another set never passes. */
function segmentId(id: string, writer: string, n: number): string {
  return `${id}.${writer}.${n}`;
}

/** A segment's file name in the folder. */
function segmentFile(id: string, writer: string, n: number): string {
  return `${segmentId(id, writer, n)}${PART_SUFFIX}`;
}

/** A writer's mark (`SpillWriter.writer`): its process id and 8 hex digits. */
const WRITER_MARK = /^\d+-[0-9a-f]{8}$/;
/** A table's id (`digest` in cursor.ts: 16 characters of base64url). */
const TABLE_ID = /^[A-Za-z0-9_-]{16}$/;

/** A manifest's bytes read back, or null when they are not a sound manifest of `id` (when given). */
function parseManifest(file: Buffer, id?: string): SpillSet | null {
  const json = withoutTrailer(file);
  if (!json) return null;
  try {
    const set = JSON.parse(Buffer.from(json).toString('utf8')) as SpillSet;
    if (set?.version !== SPILL_VERSION || (id !== undefined && set.id !== id) || !Array.isArray(set.segments)) return null;
    // The folder may be shared: a segment's file must be the name its writer gives it, nothing else.
    if (typeof set.id !== 'string' || !TABLE_ID.test(set.id) || typeof set.writer !== 'string' || !WRITER_MARK.test(set.writer))
      return null;
    let next = 0;
    for (const [n, segment] of set.segments.entries()) {
      if (segment.first !== next || !(segment.rows > 0) || segment.file !== segmentFile(set.id, set.writer, n)) return null;
      next += segment.rows;
    }
    return next === set.rowCount ? set : null;
  } catch {
    return null;
  }
}

/** The file's bytes: the Arrow file, then CRC-32 of it and a magic word. */
function withTrailer(arrow: Uint8Array): Buffer {
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeUInt32LE(crc32(arrow), 0);
  TRAILER.copy(trailer, 4);
  return Buffer.concat([arrow, trailer]);
}

function withoutTrailer(file: Buffer): Uint8Array | null {
  if (file.length < TRAILER_BYTES || !file.subarray(file.length - 4).equals(TRAILER)) return null;
  const arrow = file.subarray(0, file.length - TRAILER_BYTES);
  return crc32(arrow) === file.readUInt32LE(file.length - TRAILER_BYTES) ? arrow : null;
}

/**
 * Writes one spilled table's segments, one write at a time (a segment waits for the one
 * before it: writes never pile up), then its manifest. Any failure (full disk, a table
 * Arrow cannot carry, a set larger than the folder's bound) ends the spill: its files
 * are removed and nothing is published.
 */
export class SpillWriter {
  readonly writer = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly segments: SpillSegment[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private bytes = 0;
  /** Resolves once the set is published or its files removed (DiskTables.flushed waits for it). */
  private settle!: () => void;

  constructor(
    private readonly disk: DiskTables,
    readonly id: string,
    private readonly schema: TableSchema,
  ) {
    disk.track(new Promise<void>((resolve) => (this.settle = resolve)));
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Rows in the segments so far: the index of the next segment's first row. */
  get rows(): number {
    const last = this.segments.at(-1);
    return last ? last.first + last.rows : 0;
  }

  /**
   * Encodes the next segment (its rows follow the last one's) and starts writing it,
   * once the one before is written. False once the spill failed.
   */
  async add(table: ColumnarTable, offset: number | undefined): Promise<boolean> {
    await this.writing;
    if (this.failure) return false;
    if (table.first !== this.rows || table.rowCount === 0) return this.fail(new Error('segment out of order'));
    const n = this.segments.length;
    let file: Buffer;
    try {
      file = withTrailer(encodeTable(segmentId(this.id, this.writer, n), this.schema, table));
    } catch (error) {
      return this.fail(error);
    }
    this.bytes += file.length;
    if (this.bytes > this.disk.maxBytes) return this.fail(null); // larger than the whole folder: not kept, quietly
    const name = segmentFile(this.id, this.writer, n);
    this.segments.push({ file: name, first: table.first, rows: table.rowCount, size: file.length, offset });
    this.writing = this.disk
      .ready()
      .then(() => writeFile(join(this.disk.dir, name), file))
      .catch((error: unknown) => {
        this.fail(error);
      });
    return true;
  }

  private fail(error: unknown): false {
    if (this.failure === null && error !== null) this.disk.reportWriteFailed(this.id, error);
    this.failure ??= error ?? new Error('too large');
    return false;
  }

  /**
   * Publishes the set once its segments are written: the manifest, written to a
   * temporary name and linked in where none is. A set another writer published first
   * is kept (and this one's files removed). False when nothing was published.
   */
  async publish(): Promise<boolean> {
    await this.writing;
    if (this.failure || this.segments.length === 0) {
      await this.discard();
      return false;
    }
    if (await this.disk.loadSpill(this.id)) {
      await this.discard();
      return true;
    }
    try {
      return await this.write();
    } finally {
      this.settle();
    }
  }

  private async write(): Promise<boolean> {
    const path = this.disk.spillPath(this.id);
    const set: SpillSet = {
      version: SPILL_VERSION,
      id: this.id,
      writer: this.writer,
      schema: this.schema,
      rowCount: this.rows,
      segments: this.segments,
    };
    const temp = join(this.disk.dir, `${this.id}.${this.writer}.tmp`);
    try {
      await writeFile(temp, withTrailer(Buffer.from(JSON.stringify(set))));
      // A hard link is made only where no manifest is: of two writers of one table, the first
      // keeps its set and the second removes its own (a rename would orphan the first's files).
      const linked = await link(temp, path).then(
        () => true,
        (error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? false : null),
      );
      // No hard links on this file system: a rename, the last writer wins.
      if (linked === null) await rename(temp, path);
      else await unlink(temp).catch(() => {});
      if (linked === false) {
        await this.discard();
        return true;
      }
    } catch (error) {
      await unlink(temp).catch(() => {});
      this.fail(error);
      await this.discard();
      return false;
    }
    await this.disk.sweep();
    return true;
  }

  /** Removes this writer's segment files (after the write in flight ends). */
  async discard(): Promise<void> {
    await this.writing;
    for (const segment of this.segments) await unlink(join(this.disk.dir, segment.file)).catch(() => {});
    this.settle();
  }
}

export interface DiskTierEvents {
  /** A file was read as a miss and removed (truncated, corrupt, another version). */
  discarded?(file: string, reason: string): void;
  /** A table could not be written (full disk, permissions): it stays in memory only. */
  writeFailed?(id: string, error: unknown): void;
}

export class DiskTables {
  private readonly loading = new Map<string, Promise<DiskTable | null>>();
  private writing: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();

  /** Spills being published: `flushed()` waits for them too. */
  private readonly publishing = new Set<Promise<unknown>>();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly events: DiskTierEvents = {},
    /** Bytes of columns a segment of a spilled table holds. */
    readonly segmentBytes = SEGMENT_BYTES,
  ) {}

  private path(id: string): string {
    return join(this.dir, `${id}${SUFFIX}`);
  }

  spillPath(id: string): string {
    return join(this.dir, `${id}${SPILL_SUFFIX}`);
  }

  ready(): Promise<void> {
    this.ensured ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.ensured;
  }
  private ensured: Promise<void> | null = null;

  reportWriteFailed(id: string, error: unknown): void {
    this.events.writeFailed?.(id, error);
  }

  /** A writer for a table spilled in segments. */
  spillWriter(id: string, schema: TableSchema): SpillWriter {
    return new SpillWriter(this, id, schema);
  }

  /** Notes a spill being published, so that `flushed()` waits for it. */
  track(publishing: Promise<unknown>): void {
    const tracked = publishing.catch(() => {});
    this.publishing.add(tracked);
    void tracked.finally(() => this.publishing.delete(tracked));
  }

  /** The spilled set of `id` when its manifest is there and sound (a damaged one is removed), touched as used. */
  async loadSpill(id: string): Promise<SpillSet | null> {
    const path = this.spillPath(id);
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch {
      return null;
    }
    const set = parseManifest(file, id);
    if (!set) {
      this.events.discarded?.(path, 'manifest does not parse or match');
      await unlink(path).catch(() => {});
      return null;
    }
    const now = new Date();
    await utimes(path, now, now).catch(() => {});
    return set;
  }

  /** The Arrow bytes of segment `n`, or null when its file is gone or fails its checksum. */
  async readSegment(set: SpillSet, n: number): Promise<Uint8Array | null> {
    const segment = set.segments[n] as SpillSegment;
    const file = await readFile(join(this.dir, segment.file)).catch(() => null);
    return file ? withoutTrailer(file) : null;
  }

  /** Segment `n` as a table whose rows keep their indexes in the whole table; null when the bytes are not that segment. */
  decodeSegment(set: SpillSet, n: number, arrow: Uint8Array | null): ColumnarTable | null {
    const segment = set.segments[n] as SpillSegment;
    if (!arrow) return null;
    try {
      const { table } = decodeTable(segmentId(set.id, set.writer, n), arrow, segment.first);
      return table.rowCount === segment.rows ? table : null;
    } catch {
      return null;
    }
  }

  /** Removes a set found damaged (a segment missing or corrupt): its manifest, unless another writer's replaced it, and its segments. */
  async dropSpill(set: SpillSet, reason: string): Promise<void> {
    const path = this.spillPath(set.id);
    const current = await readFile(path)
      .then((file) => parseManifest(file, set.id))
      .catch(() => null);
    if (current?.writer === set.writer) {
      this.events.discarded?.(path, reason);
      await unlink(path).catch(() => {});
    }
    for (const segment of set.segments) await unlink(join(this.dir, segment.file)).catch(() => {});
  }

  /** The table kept under `id`, or null; concurrent loads of one table share one read. */
  load(id: string): Promise<DiskTable | null> {
    let loading = this.loading.get(id);
    if (!loading) {
      loading = this.read(id).finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    return loading;
  }

  private async read(id: string): Promise<DiskTable | null> {
    const path = this.path(id);
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch {
      return null; // not there (or removed by another instance meanwhile)
    }
    try {
      const arrow = withoutTrailer(file);
      if (!arrow) throw new Error('trailer or checksum does not match');
      const table = decodeTable(id, arrow);
      const now = new Date();
      await utimes(path, now, now).catch(() => {});
      return table;
    } catch (error) {
      this.events.discarded?.(path, error instanceof Error ? error.message : String(error));
      await unlink(path).catch(() => {});
      return null;
    }
  }

  /**
   * Writes a table in the background (one write at a time), unless a file of it is
   * there already (then it is touched) or it is larger than the whole folder's bound.
   */
  save(id: string, schema: TableSchema, table: ColumnarTable): Promise<void> {
    if (this.queued.has(id)) return this.writing;
    this.queued.add(id);
    const write = async () => {
      try {
        await this.ready();
        const path = this.path(id);
        const now = new Date();
        if (
          await utimes(path, now, now).then(
            () => true,
            () => false,
          )
        )
          return;
        const file = withTrailer(encodeTable(id, schema, table));
        if (file.length > this.maxBytes) return;
        const temp = join(this.dir, `${id}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
        try {
          await writeFile(temp, file);
          await rename(temp, path);
        } catch (error) {
          await unlink(temp).catch(() => {});
          throw error;
        }
        await this.sweep();
      } catch (error) {
        this.events.writeFailed?.(id, error);
      } finally {
        this.queued.delete(id);
      }
    };
    this.writing = this.writing.then(write);
    return this.writing;
  }

  /**
   * Removes least recently used files until the folder is within its bound, and stale
   * temporary files. A spilled set counts as one unit (its manifest's time of use) and
   * goes whole, manifest first; a segment no manifest names is a spill being written,
   * counted but kept, or a stopped writer's, removed once stale.
   */
  async sweep(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const units: { paths: string[]; size: number; used: number }[] = [];
    const parts = new Map<string, { size: number; mtimeMs: number }>();
    const manifests: { path: string; size: number; used: number }[] = [];
    const now = Date.now();
    for (const name of names) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) continue;
      if (name.endsWith('.tmp')) {
        if (now - info.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => {});
      } else if (name.endsWith(SUFFIX)) units.push({ paths: [path], size: info.size, used: info.mtimeMs });
      else if (name.endsWith(PART_SUFFIX)) parts.set(name, { size: info.size, mtimeMs: info.mtimeMs });
      else if (name.endsWith(SPILL_SUFFIX)) manifests.push({ path, size: info.size, used: info.mtimeMs });
    }
    for (const manifest of manifests) {
      const set = await readFile(manifest.path)
        .then((file) => parseManifest(file))
        .catch(() => null);
      if (!set) {
        await unlink(manifest.path).catch(() => {});
        continue;
      }
      const unit = { paths: [manifest.path], size: manifest.size, used: manifest.used };
      for (const segment of set.segments) {
        unit.paths.push(join(this.dir, segment.file));
        unit.size += parts.get(segment.file)?.size ?? 0;
        parts.delete(segment.file);
      }
      units.push(unit);
    }
    let total = units.reduce((sum, unit) => sum + unit.size, 0);
    for (const [name, part] of parts) {
      if (now - part.mtimeMs > STALE_TEMP_MS) await unlink(join(this.dir, name)).catch(() => {});
      else total += part.size; // a spill being written
    }
    units.sort((a, b) => a.used - b.used);
    for (const unit of units) {
      if (total <= this.maxBytes) break;
      for (const path of unit.paths) await unlink(path).catch(() => {});
      total -= unit.size;
    }
  }

  /** Resolves when the writes queued so far, spills being published included, are done (tests, shutdown). */
  async flushed(): Promise<void> {
    await Promise.all([this.writing, ...this.publishing]);
  }
}
