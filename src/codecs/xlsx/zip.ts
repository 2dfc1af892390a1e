// Random access to the zip container of a workbook through a ByteSource. The central
// directory at the end of the zip says where each part lies, so a reader fetches only
// the parts it needs (workbook, styles, shared strings, one worksheet) whatever order
// the writer stored them in, and stops a worksheet's download as soon as its reader
// stops. Streaming zip readers cannot do that: Excel and openpyxl store worksheets
// before the shared strings and the workbook part, so they must spool every sheet.
//
// Every byte decompressed is counted against a budget (zip bombs), each part is
// checked against its declared size and CRC-32, and every failure of the container
// is a DecodeFailed saying which part and why.
import { addAbortSignal, pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';
import { DecodeFailed, PayloadTooLarge } from '../../errors.js';
import type { ByteSource } from '../types.js';

/** A workbook may decompress to this many bytes whatever its stored size... */
export const XLSX_MAX_INFLATED_BYTES = 256 * 1024 * 1024;
/** ...or to this many times its stored size, whichever is larger. */
export const XLSX_MAX_INFLATE_RATIO = 200;

export interface InflateLimits {
  maxInflatedBytes: number;
  maxInflateRatio: number;
}

/**
 * Workbooks up to this size are fetched with one request and read from memory; a
 * bigger one costs a request per part read, which pays off when a page needs only
 * the first rows of a large sheet.
 */
export const WHOLE_READ_BYTES = 1024 * 1024;

/** Inflated bytes per chunk: each costs a trip to zlib's thread pool, so fewer, larger ones read faster. */
const INFLATE_CHUNK_BYTES = 64 * 1024;

/** A central directory bigger than this is not a workbook's: refuse before buffering it. */
const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const ZIP64_LOCATOR_BYTES = 20;

export interface ZipEntry {
  /** The part name as stored, with forward slashes and no leading slash. */
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

function notWorkbook(why: string, where: Record<string, unknown> = {}): DecodeFailed {
  return new DecodeFailed(`not an XLSX workbook: ${why}`, where);
}

function damaged(entry: ZipEntry, why: string): DecodeFailed {
  return notWorkbook(`part ${entry.name} is damaged (${why})`, { part: entry.name });
}

function noop(): void {}

/** Reads a stream into one Buffer, at most `max` bytes, then lets the stream go. */
async function readAtMost(stream: Readable, max: number): Promise<Buffer> {
  stream.on('error', noop);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buffer);
      length += buffer.length;
      if (length >= max) break;
    }
  } finally {
    stream.destroy();
  }
  const all = Buffer.concat(chunks, length);
  return all.length > max ? all.subarray(0, max) : all;
}

function readUInt64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw notWorkbook('a zip64 size or offset is out of range');
  return Number(value);
}

export class ZipArchive {
  private readonly byName = new Map<string, ZipEntry>();
  private inflated = 0;
  private readonly inflateLimit: number;

  private constructor(
    private readonly source: ByteSource,
    /** The whole object, when it was small enough to fetch at once. */
    private readonly whole: Buffer | null,
    entries: ZipEntry[],
    private readonly limits: InflateLimits,
    private readonly signal: AbortSignal | undefined,
  ) {
    for (const entry of entries) {
      const key = entry.name.toLowerCase();
      if (!this.byName.has(key)) this.byName.set(key, entry);
    }
    this.inflateLimit = Math.max(limits.maxInflatedBytes, limits.maxInflateRatio * source.size);
  }

  static async open(source: ByteSource, limits: InflateLimits, signal?: AbortSignal): Promise<ZipArchive> {
    if (source.size === 0) throw notWorkbook('the object is empty');
    const small = source.size <= WHOLE_READ_BYTES;
    const tailStart = small ? 0 : Math.max(0, source.size - (EOCD_BYTES + MAX_COMMENT_BYTES + ZIP64_LOCATOR_BYTES));
    const open = async (start: number): Promise<Readable> => {
      signal?.throwIfAborted();
      const stream = await source.open(start);
      return signal ? addAbortSignal(signal, stream) : stream;
    };
    const tail = await readAtMost(await open(tailStart), source.size - tailStart).catch((error: unknown) => {
      signal?.throwIfAborted();
      throw error;
    });
    const whole = small ? tail : null;

    const eocd = findEndOfCentralDirectory(tail);
    if (eocd < 0) {
      const head = whole ?? (await readAtMost(await open(0), 8));
      throw notWorkbook(describeNonZip(head));
    }
    const entryCount = tail.readUInt16LE(eocd + 10);
    let directorySize = tail.readUInt32LE(eocd + 12);
    let directoryOffset = tail.readUInt32LE(eocd + 16);
    if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      const locator = eocd - ZIP64_LOCATOR_BYTES;
      if (locator >= 0 && tail.readUInt32LE(locator) === ZIP64_LOCATOR_SIGNATURE) {
        const recordOffset = readUInt64(tail, locator + 8);
        const record =
          recordOffset >= tailStart && recordOffset + 56 <= tailStart + tail.length
            ? tail.subarray(recordOffset - tailStart, recordOffset - tailStart + 56)
            : await readAtMost(await open(recordOffset), 56);
        if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw notWorkbook('the zip64 end record is damaged');
        directorySize = readUInt64(record, 40);
        directoryOffset = readUInt64(record, 48);
      }
    }
    if (directoryOffset + directorySize > source.size)
      throw notWorkbook('the zip is truncated or damaged (its directory lies past its end)');
    if (directorySize > MAX_CENTRAL_DIRECTORY_BYTES)
      throw notWorkbook(`its zip directory is larger than ${MAX_CENTRAL_DIRECTORY_BYTES} bytes`);
    const directory =
      directoryOffset >= tailStart
        ? tail.subarray(directoryOffset - tailStart, directoryOffset - tailStart + directorySize)
        : await readAtMost(await open(directoryOffset), directorySize);
    if (directory.length < directorySize) throw notWorkbook('the zip is truncated (its directory ends early)');
    const entries = parseCentralDirectory(directory);
    return new ZipArchive(source, whole, entries, limits, signal);
  }

  /** Part names are case-insensitive in OPC. */
  find(name: string): ZipEntry | undefined {
    return this.byName.get(name.replace(/^\/+/, '').toLowerCase());
  }

  private async openAt(start: number): Promise<Readable> {
    if (this.whole) return Readable.from([this.whole.subarray(start)], { objectMode: false });
    return this.source.open(start);
  }

  private charge(entry: ZipEntry, bytes: number): void {
    if (this.inflated + bytes > this.inflateLimit) {
      throw new PayloadTooLarge(
        `XLSX: the workbook decompresses to more than ${this.inflateLimit} bytes (the larger of ${this.limits.maxInflatedBytes} bytes and ${this.limits.maxInflateRatio} times its stored size); refusing to read part ${entry.name}`,
        { limit: this.inflateLimit, part: entry.name },
      );
    }
  }

  /**
   * The decompressed bytes of a part, checked against its size and CRC-32. Ending the
   * iteration early closes the underlying download.
   */
  async *chunks(entry: ZipEntry): AsyncGenerator<Buffer> {
    if (entry.flags & 1) throw notWorkbook(`part ${entry.name} is encrypted`, { part: entry.name });
    if (entry.method !== 0 && entry.method !== 8) {
      throw notWorkbook(`part ${entry.name} uses zip compression method ${entry.method}, which is not supported`, { part: entry.name });
    }
    this.charge(entry, entry.uncompressedSize);
    this.signal?.throwIfAborted();
    const raw = await this.openAt(entry.localHeaderOffset);
    // Errors surface through the iterators below; these listeners only keep a late
    // error (after the consumer let go) from becoming an uncaught 'error' event.
    raw.on('error', noop);
    if (this.signal) addAbortSignal(this.signal, raw);
    let inflater: zlib.InflateRaw | null = null;
    try {
      const compressed = storedData(raw, entry);
      let output: AsyncIterable<Buffer> = compressed;
      if (entry.method === 8) {
        const stream = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
        inflater = stream;
        stream.on('error', noop);
        pipeline(Readable.from(compressed, { objectMode: false }), stream, noop);
        output = stream;
      }
      let total = 0;
      let crc = 0;
      for await (const chunk of output) {
        total += chunk.length;
        if (total > entry.uncompressedSize) throw damaged(entry, 'it holds more bytes than its header says');
        this.charge(entry, 0);
        this.inflated += chunk.length;
        crc = zlib.crc32(chunk, crc);
        yield chunk;
      }
      if (total !== entry.uncompressedSize) throw damaged(entry, `${total} bytes instead of ${entry.uncompressedSize}`);
      if (crc >>> 0 !== entry.crc32 >>> 0) throw damaged(entry, 'CRC-32 mismatch');
    } catch (error) {
      this.signal?.throwIfAborted();
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('Z_')) throw damaged(entry, (error as Error).message);
      throw error;
    } finally {
      raw.destroy();
      inflater?.destroy();
    }
  }
}

/** The compressed bytes of an entry: skips its local header, stops after its compressed size. */
async function* storedData(raw: Readable, entry: ZipEntry): AsyncGenerator<Buffer> {
  let header: Buffer | null = Buffer.alloc(0);
  let remaining = entry.compressedSize;
  for await (const piece of raw) {
    let chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
    if (header) {
      header = header.length === 0 ? chunk : Buffer.concat([header, chunk]);
      if (header.length < 30) continue;
      if (header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw damaged(entry, 'no local header where the directory points');
      const skip = 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      if (header.length < skip) continue;
      chunk = header.subarray(skip);
      header = null;
    }
    if (chunk.length >= remaining) {
      if (remaining > 0) yield chunk.subarray(0, remaining);
      remaining = 0;
      return;
    }
    remaining -= chunk.length;
    yield chunk;
  }
  if (header !== null || remaining > 0) throw damaged(entry, 'the zip is truncated');
}

function findEndOfCentralDirectory(tail: Buffer): number {
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_BYTES + tail.readUInt16LE(i + 20) <= tail.length) return i;
  }
  return -1;
}

function describeNonZip(head: Buffer): string {
  if (head.length >= 4 && head.readUInt32LE(0) === LOCAL_SIGNATURE)
    return 'the zip is truncated or damaged (it has no end of central directory)';
  if (head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0) {
    return 'it is an OLE2 compound file (a legacy .xls workbook, or a password-protected one), not a zip';
  }
  return 'it is not a zip file';
}

function parseCentralDirectory(directory: Buffer): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (pos + 46 <= directory.length && directory.readUInt32LE(pos) === CENTRAL_SIGNATURE) {
    const flags = directory.readUInt16LE(pos + 8);
    const method = directory.readUInt16LE(pos + 10);
    const crc32 = directory.readUInt32LE(pos + 16);
    let compressedSize = directory.readUInt32LE(pos + 20);
    let uncompressedSize = directory.readUInt32LE(pos + 24);
    const nameLength = directory.readUInt16LE(pos + 28);
    const extraLength = directory.readUInt16LE(pos + 30);
    const commentLength = directory.readUInt16LE(pos + 32);
    let localHeaderOffset = directory.readUInt32LE(pos + 42);
    const nameStart = pos + 46;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > directory.length) throw notWorkbook('its zip directory is damaged');
    const rawName = directory.subarray(nameStart, extraStart);
    const name = (flags & 0x800 ? rawName.toString('utf8') : rawName.toString('latin1')).replace(/\\/g, '/').replace(/^\/+/, '');
    // Zip64: the fields that overflowed 32 bits are in the 0x0001 extra field, in order.
    let extra = extraStart;
    while (extra + 4 <= extraStart + extraLength) {
      const id = directory.readUInt16LE(extra);
      const size = directory.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        const end = field + size;
        if (uncompressedSize === 0xffffffff && field + 8 <= end) {
          uncompressedSize = readUInt64(directory, field);
          field += 8;
        }
        if (compressedSize === 0xffffffff && field + 8 <= end) {
          compressedSize = readUInt64(directory, field);
          field += 8;
        }
        if (localHeaderOffset === 0xffffffff && field + 8 <= end) localHeaderOffset = readUInt64(directory, field);
      }
      extra += 4 + size;
    }
    entries.push({ name, flags, method, crc32, compressedSize, uncompressedSize, localHeaderOffset });
    pos = next;
  }
  return entries;
}
