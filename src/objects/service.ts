// Reading objects: metadata through the request's loaders, formats from the key
// (or sniffed), whole-object decoding for text/json/content under the size limit,
// and table readers over the bytes layer (bytes.ts). Resolvers call these; nothing
// here knows GraphQL.

import { Readable } from 'node:stream';
import { codecOf, formatOfKey } from '../codecs/registry.js';
import type { SerialisedJson } from '../codecs/serialised-json.js';
import { decodeTextValue } from '../codecs/text.js';
import type { Format } from '../codecs/types.js';
import type { Context } from '../context.js';
import { BadUserInput } from '../errors.js';
import type { ObjectMeta, ObjectRef } from '../storage/types.js';
import { columnsJson, rowsJson, tableJson } from '../tables/content-json.js';
import { digest } from '../tables/cursor.js';
import { type TableObject, type TableOptions, TableReader } from '../tables/reader.js';
import { looksLikeText, resolveEncoding } from '../text/encoding.js';
import {
  compressionOf,
  headFromFirstBytes,
  memo,
  type ObjectNode,
  openTableBytes,
  openWindows,
  readHead,
  readRange,
  readWhole,
  readWholeChunks,
} from './bytes.js';
import { missingObject } from './missing.js';

export { compressionOf, type ObjectNode, readWhole };

const SNIFF_BYTES = 8192;
const TABULAR: ReadonlySet<Format> = new Set(['CSV', 'TSV', 'XLSX', 'JSON', 'NDJSON', 'PICKLE', 'PARQUET']);

/** Formats whose table is read from the object's first byte on (the first window a GET in place of HEAD keeps). */
const READ_FROM_TOP: ReadonlySet<Format> = new Set(['CSV', 'TSV', 'JSON', 'NDJSON']);

/**
 * HEAD through the request's loader, after the bucket allow-list. When the request
 * reads the object as a table (`forTable`), and no table of it was read lately (which
 * the cache may answer once the ETag is known), a GET of its first bytes stands in for
 * the HEAD, and the table read goes on from those bytes.
 */
export async function headObject(ctx: Context, ref: ObjectRef, forTable = false): Promise<ObjectMeta | null> {
  ctx.access.checkBucket(ref.bucket);
  if (forTable && !ctx.tableCache.disk && !ctx.tableCache.readLately(ref.bucket, ref.key)) {
    const { format, compression } = formatOfKey(ref.key);
    if (format && compression === 'NONE' && READ_FROM_TOP.has(format)) {
      // Noted now: other requests asking at the same time HEAD, and wait for this one's table rather than read bytes of their own.
      ctx.tableCache.noteRead(ref.bucket, ref.key);
      return headFromFirstBytes(ctx, ref);
    }
  }
  return ctx.loaders.head.load(ref);
}

export function nodeFromMeta(meta: ObjectMeta): ObjectNode {
  return { bucket: meta.bucket, key: meta.key, size: meta.size, etag: meta.etag, lastModified: meta.lastModified, meta };
}

/** The node's full metadata (HEAD when the node came from a listing). */
export async function metaOf(ctx: Context, node: ObjectNode): Promise<ObjectMeta> {
  if (node.meta) return node.meta;
  const meta = await ctx.loaders.head.load(node);
  if (!meta) throw await missingObject(ctx, node, 'It no longer exists: ');
  return meta;
}

/** The object's format: from the key's extension, else sniffed from its first bytes (once a request). */
export async function formatOf(ctx: Context, node: ObjectNode): Promise<Format> {
  const { format } = formatOfKey(node.key);
  if (format) return format;
  if (node.size === 0) return 'TEXT';
  return memo(ctx.loaders.formats, node, async () => (looksLikeText(await readHead(ctx, node, SNIFF_BYTES)) ? 'TEXT' : 'BINARY'));
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
  const delimited = format === 'CSV' || format === 'TSV';
  if (delimited) {
    const cached = await cachedContent(ctx, node);
    if (cached) return cached;
  }
  const codec = codecOf(format);
  if (codec?.decodeValue) return codec.decodeValue(await readWhole(ctx, node), {});
  // CSV, TSV, XLSX: every row, typed, from the bytes already read, written as JSON while
  // it is read (content-json.ts). The reader keeps no table (this one, keyed by the
  // decompressed bytes, is never asked again): CSV/TSV are typed a batch at a time into
  // columns and written from their arrays, from the chunks the object came in (never
  // copied into one Buffer); XLSX rows go through row objects.
  const chunks = delimited ? await readWholeChunks(ctx, node) : [await readWhole(ctx, node)];
  const reader = new TableReader(
    wholeTableObject(node, chunks, format),
    { format, header: true },
    { inferRows: ctx.settings.inferRows, cacheTableBytes: 0 },
    ctx.tableCache,
    ctx.signal,
  );
  return delimited ? columnsJson(reader) : rowsJson(reader);
}

/**
 * `content` of a CSV/TSV from the table the cache holds for this ETag (read as `table`
 * with its default options, the options content reads with), with no GET: the same
 * schema, inferred from the same leading rows, and the same typed values. Objects the
 * size limit refuses, and gzipped ones (whose limit is on the decompressed bytes), are
 * read (and refused) as before.
 */
async function cachedContent(ctx: Context, node: ObjectNode): Promise<SerialisedJson | null> {
  if (compressionOf(node) !== 'NONE' || node.size > ctx.settings.maxObjectBytes) return null;
  const reader = await tableReaderOf(ctx, node, {});
  const table = ctx.tableCache.getColumns(reader.id);
  const schema = table && ctx.tableCache.getSchema(reader.id);
  return table && schema ? await tableJson(schema.columns, table) : null;
}

/** Pieces of at most this many bytes: a whole object read as one Buffer is handed to the codec in slices. */
const SLICE_BYTES = 64 * 1024;

/** The object's bytes from `start`, in pieces of at most SLICE_BYTES. */
function* slicesFrom(chunks: readonly Buffer[], start: number): Generator<Buffer> {
  let at = 0;
  for (const chunk of chunks) {
    const end = at + chunk.length;
    for (let from = Math.max(start, at); from < end; from += SLICE_BYTES)
      yield chunk.subarray(from - at, Math.min(end, from + SLICE_BYTES) - at);
    at = end;
  }
}

/** Bytes `start` to `end` of the chunks: a view when one chunk holds them, else a copy of that range. */
function rangeOf(chunks: readonly Buffer[], start: number, end: number): Buffer {
  const pieces: Buffer[] = [];
  let at = 0;
  for (const chunk of chunks) {
    const next = at + chunk.length;
    if (next > start && at < end) pieces.push(chunk.subarray(Math.max(start, at) - at, Math.min(end, next) - at));
    at = next;
  }
  return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
}

/** A table over the whole object already read (decompressed), in the chunks it came in. */
function wholeTableObject(node: ObjectNode, chunks: readonly Buffer[], format: Format): TableObject {
  const codec = codecOf(format);
  if (!codec) throw new BadUserInput(`No codec for ${format}`);
  const open = async (start: number) => Readable.from(slicesFrom(chunks, start), { objectMode: false });
  return {
    read: async (start, end) => rangeOf(chunks, start, end),
    bucket: node.bucket,
    key: node.key,
    etag: `${node.etag}:whole`,
    size: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
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
    open: (start, signal, toEnd) => openTableBytes(ctx, node, start, signal, toEnd),
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
