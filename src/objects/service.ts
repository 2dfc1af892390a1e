// Reading objects: metadata through the request's loaders, formats from the key
// (or sniffed), whole-object decoding for text/json/content under the size limit,
// and table readers. Resolvers call these; nothing here knows GraphQL.

import { Readable, Transform } from 'node:stream';
import { createGunzip, constants as zlibConstants } from 'node:zlib';
import { codecOf, formatOfKey } from '../codecs/registry.js';
import { decodeTextValue } from '../codecs/text.js';
import type { Compression, Format } from '../codecs/types.js';
import type { Context } from '../context.js';
import { BadUserInput, NotFound, PayloadTooLarge } from '../errors.js';
import { refKey } from '../loaders/index.js';
import type { ObjectMeta, ObjectRef } from '../storage/types.js';
import { digest } from '../tables/cursor.js';
import { jsonValue, setOwn } from '../tables/query.js';
import { readFailure, type TableObject, type TableOptions, TableReader } from '../tables/reader.js';
import { looksLikeText, resolveEncoding } from '../text/encoding.js';

/** An object as the schema passes it around: at least what a listing tells. */
export interface ObjectNode extends ObjectRef {
  size: number;
  etag: string;
  lastModified: Date;
  /** Set when HEAD was done (or the node came from HEAD). */
  meta?: ObjectMeta;
}

const SNIFF_BYTES = 8192;
const TABULAR: ReadonlySet<Format> = new Set(['CSV', 'TSV', 'XLSX', 'JSON', 'NDJSON', 'PICKLE', 'PARQUET']);

/** HEAD through the request's loader, after the bucket allow-list. */
export async function headObject(ctx: Context, ref: ObjectRef): Promise<ObjectMeta | null> {
  ctx.access.checkBucket(ref.bucket);
  return ctx.loaders.head.load(ref);
}

export function nodeFromMeta(meta: ObjectMeta): ObjectNode {
  return { bucket: meta.bucket, key: meta.key, size: meta.size, etag: meta.etag, lastModified: meta.lastModified, meta };
}

/** The node's full metadata (HEAD when the node came from a listing). */
export async function metaOf(ctx: Context, node: ObjectNode): Promise<ObjectMeta> {
  if (node.meta) return node.meta;
  const meta = await ctx.loaders.head.load(node);
  if (!meta) throw new NotFound(`Object ${node.bucket}/${node.key} no longer exists`);
  return meta;
}

export function compressionOf(node: ObjectRef): Compression {
  return formatOfKey(node.key).compression;
}

/** Memoises per request and object version (the ETag is in the key). */
function memo<T>(map: Map<string, Promise<T>>, node: ObjectNode, work: () => Promise<T>): Promise<T> {
  const key = `${refKey(node)}\u0000${node.etag}`;
  let value = map.get(key);
  if (!value) {
    value = work();
    map.set(key, value);
  }
  return value;
}

/** The object's format: from the key's extension, else sniffed from its first bytes (once a request). */
export async function formatOf(ctx: Context, node: ObjectNode): Promise<Format> {
  const { format } = formatOfKey(node.key);
  if (format) return format;
  if (node.size === 0) return 'TEXT';
  return memo(ctx.loaders.formats, node, async () => (looksLikeText(await readHead(ctx, node, SNIFF_BYTES)) ? 'TEXT' : 'BINARY'));
}

async function openBytes(ctx: Context, node: ObjectNode, start: number, signal: AbortSignal, end?: number): Promise<Readable> {
  const body = await ctx.storage.getObject({
    bucket: node.bucket,
    key: node.key,
    etag: node.etag,
    start,
    ...(end !== undefined ? { end } : {}),
    signal,
  });
  return body.stream;
}

/** Bytes `start` to `end` (exclusive) of the object in one ranged GET (columnar formats read their parts so). */
async function readRange(ctx: Context, node: ObjectNode, start: number, end: number, signal: AbortSignal): Promise<Buffer> {
  const stream = await openBytes(ctx, node, start, signal, end - 1);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

function skipBytes(count: number): Transform {
  let left = count;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        done();
      } else {
        const rest = chunk.subarray(left);
        left = 0;
        done(null, rest);
      }
    },
  });
}

/** The first ranged GET of a table read; each next one is twice as large, up to the last. */
const FIRST_WINDOW_BYTES = 512 * 1024;
const LAST_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * The object's bytes from `start` to its end, as consecutive ranged GETs of growing
 * size, each sent only when the reader has taken the one before. An open-ended GET
 * lets S3 send megabytes more than a reader that stops early ever takes (socket
 * buffers fill while it parses); a range bounds that to one window, and doubling the
 * windows keeps a long scan to a few GETs. Destroying the stream aborts the GET in flight.
 */
async function openWindows(ctx: Context, node: ObjectNode, start: number, signal: AbortSignal): Promise<Readable> {
  const rangeEnd = (at: number, size: number) => Math.min(at + size, node.size) - 1;
  // The first GET now, so that its errors (NOT_FOUND, a changed ETag) reach the caller here.
  let pending: Readable | null = null;
  if (start < node.size) pending = await openBytes(ctx, node, start, signal, rangeEnd(start, FIRST_WINDOW_BYTES));
  async function* windows(): AsyncGenerator<Buffer> {
    let at = start;
    let size = FIRST_WINDOW_BYTES;
    while (at < node.size) {
      const end = rangeEnd(at, size);
      const stream = pending ?? (await openBytes(ctx, node, at, signal, end));
      pending = null;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
      } finally {
        stream.destroy();
      }
      at = end + 1;
      size = Math.min(size * 2, LAST_WINDOW_BYTES);
    }
  }
  return Readable.from(windows(), { objectMode: false });
}

function gunzip(stream: Readable, partial: boolean): Readable {
  // A partial read ends mid-stream: flush what decodes instead of failing.
  const unzip = createGunzip(partial ? { finishFlush: zlibConstants.Z_SYNC_FLUSH } : {});
  stream.on('error', (error) => unzip.destroy(error));
  unzip.on('close', () => stream.destroy());
  return stream.pipe(unzip);
}

/** The first `bytes` bytes of the object, decompressed when it is gzip. */
async function readHead(ctx: Context, node: ObjectNode, bytes: number): Promise<Buffer> {
  const gz = compressionOf(node) === 'GZIP';
  const controller = new AbortController();
  const raw = await openBytes(ctx, node, 0, AbortSignal.any([ctx.signal, controller.signal]), gz ? 65535 : bytes - 1);
  const stream = gz ? gunzip(raw, true) : raw;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes) break;
    }
  } catch (error) {
    throw readFailure(error, `${node.bucket}/${node.key}`);
  } finally {
    controller.abort();
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

function tooLarge(node: ObjectNode, limit: number): PayloadTooLarge {
  return new PayloadTooLarge(
    `${node.bucket}/${node.key} is larger than BUCKETQL_MAX_OBJECT_BYTES (${limit} bytes) once decompressed: read it in pages with \`table { rows }\` instead`,
    { limit },
  );
}

/**
 * The whole object, decompressed, refusing anything beyond BUCKETQL_MAX_OBJECT_BYTES;
 * read once a request however many of text/json/content ask for it.
 */
export function readWhole(ctx: Context, node: ObjectNode): Promise<Buffer> {
  return memo(ctx.loaders.wholeBytes, node, () => downloadWhole(ctx, node));
}

async function downloadWhole(ctx: Context, node: ObjectNode): Promise<Buffer> {
  const limit = ctx.settings.maxObjectBytes;
  const gz = compressionOf(node) === 'GZIP';
  if (!gz && node.size > limit) throw tooLarge(node, limit);
  const raw = await openBytes(ctx, node, 0, ctx.signal);
  const stream = gz ? gunzip(raw, false) : raw;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > limit) throw tooLarge(node, limit);
      chunks.push(chunk);
    }
  } catch (error) {
    throw readFailure(error, `${node.bucket}/${node.key}`);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, length);
}

const TEXTUAL: ReadonlySet<Format> = new Set(['TEXT', 'CSV', 'TSV', 'JSON', 'NDJSON']);

export async function textOf(ctx: Context, node: ObjectNode, encoding: string | null | undefined): Promise<string> {
  if (encoding) resolveEncoding(encoding);
  const format = await formatOf(ctx, node);
  if (!TEXTUAL.has(format) && !encoding) {
    throw new BadUserInput(
      `${node.bucket}/${node.key} is ${format}, not text: use \`content\`, \`table\` or \`downloadUrl\` (or pass \`encoding\` to decode it anyway)`,
    );
  }
  return decodeTextValue(await readWhole(ctx, node), encoding ?? undefined);
}

/** The parsed value of a JSON, NDJSON or pickle object. */
export async function jsonOf(ctx: Context, node: ObjectNode): Promise<unknown> {
  const format = await formatOf(ctx, node);
  const codec = codecOf(format);
  if (!codec?.decodeValue || (format !== 'JSON' && format !== 'NDJSON' && format !== 'PICKLE')) {
    throw new BadUserInput(
      `\`json\` reads JSON, NDJSON and pickle objects; ${node.bucket}/${node.key} is ${format}: use \`content\` or \`table\``,
    );
  }
  return codec.decodeValue(await readWhole(ctx, node), {});
}

/** The object decoded by its format: tables as row objects, values as values, text as a string. */
export async function contentOf(ctx: Context, node: ObjectNode): Promise<unknown> {
  const format = await formatOf(ctx, node);
  if (format === 'BINARY') {
    throw new BadUserInput(`${node.bucket}/${node.key} is binary (no known format): use \`downloadUrl\``);
  }
  if (format === 'TEXT') return textOf(ctx, node, undefined);
  const codec = codecOf(format);
  const bytes = await readWhole(ctx, node);
  if (codec?.decodeValue) return codec.decodeValue(bytes, {});
  // CSV, TSV, XLSX: every row, typed, from the bytes already read.
  const reader = new TableReader(
    bufferTableObject(node, bytes, format),
    { format, header: true },
    tableLimits(ctx),
    ctx.tableCache,
    ctx.signal,
  );
  const schema = await reader.schema();
  const rows: Record<string, unknown>[] = [];
  for await (const batch of reader.scan({ index: 0 })) {
    for (const row of batch.rows) {
      const values: Record<string, unknown> = {};
      for (const column of schema.columns) setOwn(values, column.name, jsonValue(reader.typed(row, column, schema)));
      if (row.extra) for (const [k, v] of Object.entries(row.extra)) if (!Object.hasOwn(values, k)) setOwn(values, k, jsonValue(v));
      rows.push(values);
    }
  }
  return rows;
}

function bufferTableObject(node: ObjectNode, bytes: Buffer, format: Format): TableObject {
  const codec = codecOf(format);
  if (!codec) throw new BadUserInput(`No codec for ${format}`);
  const open = async (start: number) => Readable.from([bytes.subarray(start)]);
  return {
    read: async (start, end) => bytes.subarray(start, end),
    bucket: node.bucket,
    key: node.key,
    etag: `${node.etag}:whole`,
    size: bytes.length,
    compression: 'NONE',
    codec,
    open,
    openStored: open,
  };
}

function tableLimits(ctx: Context) {
  return { inferRows: ctx.settings.inferRows, cacheTableBytes: ctx.settings.cacheTableBytes };
}

export interface TableArgs {
  sheet?: string | null | undefined;
  header?: boolean | null | undefined;
  delimiter?: string | null | undefined;
  encoding?: string | null | undefined;
  format?: Format | null | undefined;
}

/** The request's reader for this object version and these options (one per request). */
export async function tableReaderOf(ctx: Context, node: ObjectNode, args: TableArgs): Promise<TableReader> {
  const format = args.format ?? (await formatOf(ctx, node));
  if (!TABULAR.has(format)) {
    throw new BadUserInput(
      `${node.bucket}/${node.key} is ${format}, which is not tabular: tables are CSV, TSV, XLSX, JSON arrays of objects, NDJSON, pickled tables and Parquet`,
    );
  }
  if (args.sheet != null && format !== 'XLSX')
    throw new BadUserInput(`\`sheet\` applies to XLSX workbooks; ${node.key} is read as ${format}`);
  if (args.delimiter != null && format !== 'CSV' && format !== 'TSV')
    throw new BadUserInput(`\`delimiter\` applies to CSV and TSV; ${node.key} is read as ${format}`);
  const encoding = args.encoding ? resolveEncoding(args.encoding) : undefined;
  const options: TableOptions = {
    format,
    header: args.header ?? true,
    ...(args.delimiter != null ? { delimiter: args.delimiter } : {}),
    ...(encoding ? { encoding } : {}),
    ...(args.sheet != null ? { sheet: args.sheet } : {}),
  };
  const key = digest(node.bucket, node.key, node.etag, options);
  const existing = ctx.loaders.tables.get(key);
  if (existing) return existing;
  const codec = codecOf(format);
  if (!codec?.readTable) throw new BadUserInput(`${format} cannot be read as a table`);
  const compression = compressionOf(node);
  const object: TableObject = {
    bucket: node.bucket,
    key: node.key,
    etag: node.etag,
    size: node.size,
    compression,
    codec,
    openStored: (start, signal) => openWindows(ctx, node, start, signal),
    ...(compression === 'NONE'
      ? { read: (start: number, end: number, signal: AbortSignal) => readRange(ctx, node, start, end, signal) }
      : {}),
    open: async (start, signal) => {
      if (compression === 'NONE') return openWindows(ctx, node, start, signal);
      // A position in decompressed bytes: decompress from the top and skip to it.
      const unzipped = gunzip(await openWindows(ctx, node, 0, signal), false);
      return start > 0 ? unzipped.pipe(skipBytes(start)) : unzipped;
    },
  };
  const reader = new TableReader(object, options, tableLimits(ctx), ctx.tableCache, ctx.signal);
  ctx.loaders.tables.set(key, reader);
  return reader;
}

/** Presigned URLs live 1 second to 7 days, as S3 allows (SigV4). */
export function checkExpiresIn(expiresIn: number): void {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604800) {
    throw new BadUserInput(`expiresIn must be between 1 and 604800 seconds (7 days); got ${expiresIn}`);
  }
}

export async function downloadUrlOf(ctx: Context, node: ObjectRef, expiresIn: number): Promise<string> {
  checkExpiresIn(expiresIn);
  return ctx.storage.presignGet(node, expiresIn);
}
