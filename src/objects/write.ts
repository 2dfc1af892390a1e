// Writing objects: encode-by-extension, uploads, copies, deletes, buckets and
// presigned uploads. Every write returns fresh metadata (HEAD after the write) and
// makes the request forget what it knew of the key.
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { codecForWrite, formatOfKey } from '../codecs/registry.js';
import type { Context } from '../context.js';
import { BadUserInput, NotFound, PreconditionFailed } from '../errors.js';
import { mapWithConcurrency } from '../loaders/index.js';
import { checkBucketName, checkKey, checkRef } from '../storage/names.js';
import { unquoteEtag } from '../storage/s3.js';
import type { ObjectMeta, ObjectRef } from '../storage/types.js';
import { checkExpiresIn } from './service.js';

export const MAX_DELETE_KEYS = 100_000;
const DELETE_BATCH = 1000;

function checkWritable(ctx: Context, ...refs: ObjectRef[]): void {
  ctx.access.checkWrite();
  for (const ref of refs) {
    ctx.access.checkBucket(ref.bucket);
    // The storage layer checks every call again; here so that a bad key fails before any encoding.
    checkRef(ref);
  }
}

/** HEAD after a write, bypassing anything the request cached. */
async function freshMeta(ctx: Context, ref: ObjectRef): Promise<ObjectMeta> {
  ctx.loaders.forget(ref);
  const meta = await ctx.storage.headObject(ref);
  if (!meta) throw new NotFound(`${ref.bucket}/${ref.key} was written but cannot be found (the store may be eventually consistent)`);
  ctx.loaders.head.prime(ref, meta);
  return meta;
}

export async function createBucket(ctx: Context, name: string): Promise<{ name: string; createdAt: Date | null }> {
  ctx.access.checkWrite();
  checkBucketName(name);
  ctx.access.checkBucket(name);
  if (await ctx.storage.bucketExists(name)) throw new BadUserInput(`Bucket ${JSON.stringify(name)} already exists`, { bucket: name });
  await ctx.storage.createBucket(name);
  const listed = await ctx.storage.listBuckets().catch(() => []);
  return { name, createdAt: listed.find((b) => b.name === name)?.createdAt ?? null };
}

interface Conditions {
  ifMatch?: string | null | undefined;
  ifNoneMatch?: string | null | undefined;
}

/**
 * Checks ifMatch / ifNoneMatch against the object as it is now. S3 also checks them
 * atomically on the PUT; stores that ignore the headers (s3rver) get this check only,
 * which leaves a window between the HEAD and the PUT.
 */
async function checkConditions(ctx: Context, ref: ObjectRef, conditions: Conditions): Promise<void> {
  if (conditions.ifNoneMatch != null && conditions.ifNoneMatch !== '*') {
    throw new BadUserInput('ifNoneMatch takes only "*" (write only if the object does not exist)');
  }
  if (conditions.ifMatch == null && conditions.ifNoneMatch == null) return;
  const current = await ctx.storage.headObject(ref);
  if (conditions.ifNoneMatch === '*' && current) throw new PreconditionFailed(`${ref.bucket}/${ref.key} exists (ifNoneMatch: "*")`);
  if (conditions.ifMatch != null) {
    if (!current) throw new PreconditionFailed(`${ref.bucket}/${ref.key} does not exist (ifMatch)`);
    if (current.etag !== unquoteEtag(conditions.ifMatch)) {
      throw new PreconditionFailed(`${ref.bucket}/${ref.key} has ETag ${current.etag}, not ${unquoteEtag(conditions.ifMatch)} (ifMatch)`);
    }
  }
}

/** Encodes `content` by the key's extension (gzip around it for `.gz`). */
export async function encodeContent(key: string, content: unknown): Promise<{ body: Buffer; contentType: string }> {
  const { codec, compression } = codecForWrite(key);
  if (content === undefined) throw new BadUserInput('`content` is required');
  const encoded = await codec.encode?.(content, {});
  if (!encoded) throw new BadUserInput(`bucketql cannot write ${codec.format} objects`);
  if (compression === 'GZIP') return { body: gzipSync(encoded), contentType: 'application/gzip' };
  return { body: encoded, contentType: codec.contentType };
}

export async function putContent(
  ctx: Context,
  ref: ObjectRef,
  content: unknown,
  options: Conditions & { contentType?: string | null | undefined },
): Promise<ObjectMeta> {
  checkWritable(ctx, ref);
  // Encode first: content that does not fit the extension writes nothing.
  const { body, contentType } = await encodeContent(ref.key, content);
  await checkConditions(ctx, ref, options);
  await ctx.storage.putObject(ref, body, {
    contentType: options.contentType ?? contentType,
    ifMatch: options.ifMatch != null ? `"${unquoteEtag(options.ifMatch)}"` : undefined,
    ifNoneMatch: options.ifNoneMatch ?? undefined,
  });
  return freshMeta(ctx, ref);
}

/** A file part of a multipart request, or a web File. */
export interface UploadedFile {
  name?: string;
  type?: string;
  /** The file's bytes as a Node stream (read once). */
  nodeStream(): Readable;
  /** Reads and throws away what is left, so the request can go on. */
  discard(): void;
}

function contentTypeForUpload(key: string, given: string | null | undefined, part: string | undefined): string {
  if (given) return given;
  if (part && part !== 'application/octet-stream') return part;
  const { format, compression } = formatOfKey(key);
  if (compression === 'GZIP') return 'application/gzip';
  try {
    return format && format !== 'BINARY' ? codecForWrite(key).codec.contentType : 'application/octet-stream';
  } catch {
    return 'application/octet-stream';
  }
}

export async function uploadFile(
  ctx: Context,
  ref: ObjectRef,
  file: UploadedFile,
  contentType: string | null | undefined,
): Promise<ObjectMeta> {
  let consumed = false;
  try {
    checkWritable(ctx, ref);
    consumed = true;
    await ctx.storage.uploadStream(ref, file.nodeStream(), {
      contentType: contentTypeForUpload(ref.key, contentType, file.type),
      signal: ctx.signal,
    });
  } finally {
    if (!consumed) file.discard();
  }
  return freshMeta(ctx, ref);
}

export async function copyObject(ctx: Context, from: ObjectRef, to: ObjectRef): Promise<ObjectMeta> {
  checkWritable(ctx, from, to);
  const source = await ctx.storage.headObject(from);
  if (!source) throw new NotFound(`${from.bucket}/${from.key} does not exist`);
  if (source.size > 5 * 1024 ** 3) {
    throw new BadUserInput(
      `${from.bucket}/${from.key} is larger than 5 GiB, the most S3 copies in one request; bucketql does not copy in parts yet`,
    );
  }
  await ctx.storage.copyObject(from, to);
  return freshMeta(ctx, to);
}

export async function deleteObject(ctx: Context, ref: ObjectRef): Promise<boolean> {
  checkWritable(ctx, ref);
  const existed = await ctx.storage.headObject(ref);
  if (!existed) return false;
  await ctx.storage.deleteObject(ref);
  ctx.loaders.forget(ref);
  return true;
}

/** Deletes the keys that exist, 1,000 a call; returns the keys deleted. */
export async function deleteObjects(ctx: Context, bucket: string, keys: readonly string[]): Promise<string[]> {
  ctx.access.checkWrite();
  ctx.access.checkBucket(bucket);
  if (keys.length > MAX_DELETE_KEYS) throw new BadUserInput(`deleteObjects takes at most ${MAX_DELETE_KEYS} keys; got ${keys.length}`);
  const unique = [...new Set(keys)];
  // All keys checked before the first HEAD (the storage layer checks each call again).
  for (const key of unique) checkKey(key, bucket);
  // S3 reports every requested key as deleted, existing or not: ask first.
  const metas = await mapWithConcurrency(unique, ctx.settings.s3Concurrency, (key) => ctx.storage.headObject({ bucket, key }));
  const failed = metas.find((m): m is Error => m instanceof Error);
  if (failed) throw failed;
  const existing = unique.filter((_, i) => metas[i] !== null);
  const deleted: string[] = [];
  for (let i = 0; i < existing.length; i += DELETE_BATCH) {
    const result = await ctx.storage.deleteObjects(bucket, existing.slice(i, i + DELETE_BATCH));
    deleted.push(...result.deleted);
  }
  for (const key of deleted) ctx.loaders.forget({ bucket, key });
  const wanted = new Set(existing);
  return deleted.filter((key) => wanted.has(key));
}

export async function createUploadUrl(
  ctx: Context,
  ref: ObjectRef,
  contentType: string | null | undefined,
  expiresIn: number,
): Promise<{ url: string; method: string; headers: Record<string, string>; expiresAt: Date }> {
  checkWritable(ctx, ref);
  checkExpiresIn(expiresIn);
  const url = await ctx.storage.presignPut(ref, expiresIn, contentType ?? undefined);
  return {
    url,
    method: 'PUT',
    headers: contentType ? { 'content-type': contentType } : {},
    expiresAt: new Date(Date.now() + expiresIn * 1000),
  };
}
