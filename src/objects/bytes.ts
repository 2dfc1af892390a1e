// The bytes layer, below the table engine: an object's bytes as a request reads them,
// every GET through the request's loaders: ranged windows that grow as a reader
// takes them, gzip, skipping to a position in decompressed bytes, the head of an
// object for sniffing, and whole objects under BUCKETQL_MAX_OBJECT_BYTES. Stream
// errors become the contract's codes in one place (readFailure, read-failure.ts).
import { Readable, Transform } from 'node:stream';
import { createGunzip, constants as zlibConstants } from 'node:zlib';
import { formatOfKey } from '../codecs/registry.js';
import { streamBytes } from '../codecs/stream-bytes.js';
import type { Compression } from '../codecs/types.js';
import type { Context } from '../context.js';
import { PayloadTooLarge } from '../errors.js';
import { refKey } from '../loaders/index.js';
import type { ObjectBody, ObjectMeta, ObjectRef } from '../storage/types.js';
import { readFailure } from './read-failure.js';

/** An object as the schema passes it around: at least what a listing tells. */
export interface ObjectNode extends ObjectRef {
  size: number;
  etag: string;
  lastModified: Date;
  /** Set when HEAD was done (or the node came from HEAD). */
  meta?: ObjectMeta;
}

export function compressionOf(node: ObjectRef): Compression {
  return formatOfKey(node.key).compression;
}

/** Memoises per request and object version (the ETag is in the key). */
export function memo<T>(map: Map<string, Promise<T>>, node: ObjectNode, work: () => Promise<T>): Promise<T> {
  const key = `${refKey(node)}\u0000${node.etag}`;
  let value = map.get(key);
  if (!value) {
    value = work();
    map.set(key, value);
  }
  return value;
}

async function openBytes(ctx: Context, node: ObjectNode, start: number, signal: AbortSignal, end?: number): Promise<Readable> {
  const body = await ctx.loaders.getObject({
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
export async function readRange(ctx: Context, node: ObjectNode, start: number, end: number, signal: AbortSignal): Promise<Buffer> {
  return streamBytes(await openBytes(ctx, node, start, signal, end - 1));
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

const versionKey = (node: ObjectRef & { etag: string }) => `${refKey(node)}\u0000${node.etag}`;

/**
 * The object's metadata from a GET of its first window instead of a HEAD: the GET's
 * headers say what a HEAD would, and its bytes are kept for the table read that
 * follows in this request (openWindows takes them), so a first question on an object
 * costs one request to S3, not two. Where the GET cannot tell (an error, an empty
 * object, a store that does not say the size), a HEAD does as before: NOT_FOUND and
 * every other error come from the HEAD, as they always have.
 */
export async function headFromFirstBytes(ctx: Context, ref: ObjectRef): Promise<ObjectMeta | null> {
  let body: ObjectBody | null = null;
  try {
    body = await ctx.loaders.getObject({ ...ref, start: 0, end: FIRST_WINDOW_BYTES - 1, signal: ctx.signal });
  } catch {
    // Missing, or a range no store can serve (an empty object): the HEAD says which.
  }
  const meta = body?.meta;
  if (!body || !meta || meta.size === 0) {
    body?.stream.destroy();
    return ctx.loaders.head.load(ref);
  }
  ctx.loaders.head.prime(ref, meta);
  const key = versionKey(meta);
  ctx.loaders.firstBytes.get(key)?.stream.destroy();
  ctx.loaders.firstBytes.set(key, body);
  return meta;
}

/** The first window of this object version, when headFromFirstBytes opened it and no read took it yet. */
function takeFirstBytes(ctx: Context, node: ObjectNode): Readable | null {
  const key = versionKey(node);
  const body = ctx.loaders.firstBytes.get(key);
  if (!body) return null;
  ctx.loaders.firstBytes.delete(key);
  return body.stream;
}

/**
 * The object's bytes from `start` to its end, as consecutive ranged GETs of growing
 * size, each sent only when the reader has taken the one before. An open-ended GET
 * lets S3 send megabytes more than a reader that stops early ever takes (socket
 * buffers fill while it parses); a range bounds that to one window, and doubling the
 * windows keeps a long scan to a few GETs. Destroying the stream aborts the GET in flight.
 */
export async function openWindows(ctx: Context, node: ObjectNode, start: number, signal: AbortSignal): Promise<Readable> {
  const rangeEnd = (at: number, size: number) => Math.min(at + size, node.size) - 1;
  // The first GET now, so that its errors (NOT_FOUND, a changed ETag) reach the caller here.
  let pending: Readable | null = start === 0 ? takeFirstBytes(ctx, node) : null;
  if (!pending && start < node.size) pending = await openBytes(ctx, node, start, signal, rangeEnd(start, FIRST_WINDOW_BYTES));
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

function gunzip(stream: Readable, partial: boolean, signal?: AbortSignal): Readable {
  // A partial read ends mid-stream: flush what decodes instead of failing.
  const unzip = createGunzip(partial ? { finishFlush: zlibConstants.Z_SYNC_FLUSH } : {});
  stream.on('error', (error) => unzip.destroy(error));
  // A few compressed bytes already downloaded can inflate for minutes: stop when the client goes.
  const onAbort = () => unzip.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  unzip.on('close', () => {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  });
  return stream.pipe(unzip);
}

/** The first `bytes` bytes of the object, decompressed when it is gzip. */
export async function readHead(ctx: Context, node: ObjectNode, bytes: number): Promise<Buffer> {
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
export async function readWhole(ctx: Context, node: ObjectNode): Promise<Buffer> {
  const chunks = await readWholeChunks(ctx, node);
  let whole = joined.get(chunks);
  if (!whole) {
    whole = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    joined.set(chunks, whole);
  }
  return whole;
}

/** The chunks of a whole object joined into one Buffer, once a request however many fields ask. */
const joined = new WeakMap<readonly Buffer[], Buffer>();

/**
 * The whole object as readWhole reads it, in the chunks it came in, none copied: what a
 * reader that takes a stream of chunks anyway (content of a CSV/TSV) reads, so that the
 * object is not copied into one Buffer first (7 MB of fresh pages for the engine bench's
 * 100k rows).
 */
export function readWholeChunks(ctx: Context, node: ObjectNode): Promise<readonly Buffer[]> {
  return memo(ctx.loaders.wholeBytes, node, () => downloadWhole(ctx, node));
}

async function downloadWhole(ctx: Context, node: ObjectNode): Promise<readonly Buffer[]> {
  const limit = ctx.settings.maxObjectBytes;
  const gz = compressionOf(node) === 'GZIP';
  if (!gz && node.size > limit) throw tooLarge(node, limit);
  const raw = await openBytes(ctx, node, 0, ctx.signal);
  const stream = gz ? gunzip(raw, false, ctx.signal) : raw;
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
  return chunks;
}

/** Bytes of the first window a reader takes before the GET of the rest is sent: a CSV's sniff and first field batch. */
const REST_AFTER_BYTES = 128 * 1024;

/**
 * The whole object in one GET; or the first window headFromFirstBytes opened and one
 * GET of the rest, sent once the reader has taken the window's leading bytes (and a
 * turn of the event loop has passed): a first page, answered from the leading rows,
 * has no second request (its signing, its socket, the store streaming megabytes) on
 * its path, and the rest still arrives while the window's other bytes are parsed.
 */
async function openToEnd(ctx: Context, node: ObjectNode, signal: AbortSignal): Promise<Readable> {
  const first = takeFirstBytes(ctx, node);
  if (!first) return openBytes(ctx, node, 0, signal);
  if (node.size <= FIRST_WINDOW_BYTES) return first;
  let opening: Promise<Readable> | null = null;
  const openRest = (): Promise<Readable> => {
    if (!opening) {
      opening = new Promise<void>((resolve) => setImmediate(resolve)).then(() => openBytes(ctx, node, FIRST_WINDOW_BYTES, signal));
      opening.catch(() => {}); // seen below, unless the first window failed first
    }
    return opening;
  };
  async function* both(): AsyncGenerator<Buffer> {
    let rest: Readable | null = null;
    let taken = 0;
    try {
      for await (const chunk of first as AsyncIterable<Buffer>) {
        yield chunk;
        taken += chunk.length;
        if (taken >= REST_AFTER_BYTES) void openRest();
      }
      rest = await openRest();
      for await (const chunk of rest as AsyncIterable<Buffer>) yield chunk;
    } finally {
      first?.destroy();
      (rest ?? (opening ? await (opening as Promise<Readable>).catch(() => null) : null))?.destroy();
    }
  }
  return Readable.from(both(), { objectMode: false });
}

/**
 * The bytes a table codec reads (decompressed), from a position in them. A reader that
 * takes them `toEnd` gets them in one GET: windows bound what a reader that stops early
 * leaves unread, and cost a request each (a 10k-row CSV took two).
 */
export async function openTableBytes(ctx: Context, node: ObjectNode, start: number, signal: AbortSignal, toEnd = false): Promise<Readable> {
  const open = (from: number) => (toEnd && from === 0 ? openToEnd(ctx, node, signal) : openWindows(ctx, node, from, signal));
  if (compressionOf(node) === 'NONE') return open(start);
  // A position in decompressed bytes: decompress from the top and skip to it.
  const unzipped = gunzip(await open(0), false, signal);
  return start > 0 ? unzipped.pipe(skipBytes(start)) : unzipped;
}
