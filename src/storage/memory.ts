// Storage held in this process's memory: the Storage interface (./types.ts) without a
// store, as unstorage's memory driver is. `npm run schema:print` reads the demo data
// through it, so that printing a schema starts no server. Objects behave as S3 says:
// listings in UTF-8 byte order with prefixes, delimiters and pages; ranged reads;
// ETags the MD5 of the bytes; names checked as for S3 (./names.ts). It cannot sign
// URLs: there is nothing for a URL to reach.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BadUserInput, NotFound, PreconditionFailed } from '../errors.js';
import { checkBucketName, checkPrefix, checkRef } from './names.js';
import type {
  BucketInfo,
  GetRequest,
  ListPage,
  ListRequest,
  ObjectBody,
  ObjectMeta,
  ObjectRef,
  PutOptions,
  Storage,
  UploadOptions,
} from './types.js';

interface Stored {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string | null;
  contentEncoding: string | null;
}

/** S3 orders keys by their UTF-8 bytes, not by UTF-16 code units. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export class MemoryStorage implements Storage {
  readonly endpoint = null;
  private readonly buckets = new Map<string, { createdAt: Date; objects: Map<string, Stored> }>();

  private bucket(name: string): Map<string, Stored> {
    checkBucketName(name);
    const bucket = this.buckets.get(name);
    if (!bucket) throw new NotFound(`bucket ${name} does not exist`, { bucket: name });
    return bucket.objects;
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return [...this.buckets].map(([name, { createdAt }]) => ({ name, createdAt })).sort((a, b) => byBytes(a.name, b.name));
  }

  async bucketExists(name: string): Promise<boolean> {
    checkBucketName(name);
    return this.buckets.has(name);
  }

  async createBucket(name: string): Promise<void> {
    checkBucketName(name);
    if (!this.buckets.has(name)) this.buckets.set(name, { createdAt: new Date(), objects: new Map() });
  }

  async headObject(ref: ObjectRef): Promise<ObjectMeta | null> {
    checkRef(ref);
    const stored = this.buckets.get(ref.bucket)?.objects.get(ref.key);
    if (!stored) return null;
    const { body, etag, lastModified, contentType, contentEncoding } = stored;
    return { bucket: ref.bucket, key: ref.key, size: body.length, etag, lastModified, contentType, contentEncoding, metadata: {} };
  }

  async listObjects(request: ListRequest): Promise<ListPage> {
    const objects = this.bucket(request.bucket);
    const prefix = request.prefix ?? '';
    checkPrefix(prefix);
    const after = request.continuationToken ?? request.startAfter ?? '';
    const page: ListPage = { objects: [], prefixes: [], nextToken: null };
    const keys = [...objects.keys()].filter((key) => key.startsWith(prefix) && byBytes(key, after) > 0).sort(byBytes);
    let last = '';
    for (const key of keys) {
      const cut = request.delimiter ? key.indexOf(request.delimiter, prefix.length) : -1;
      const common = cut >= 0 ? key.slice(0, cut + (request.delimiter as string).length) : null;
      if (common !== null && page.prefixes.at(-1) === common) continue;
      if (page.objects.length + page.prefixes.length >= request.maxKeys) {
        page.nextToken = last;
        break;
      }
      if (common !== null) {
        page.prefixes.push(common);
        // The next page starts after every key under this prefix.
        last = `${common}\u{10FFFF}`;
      } else {
        const { body, etag, lastModified } = objects.get(key) as Stored;
        page.objects.push({ bucket: request.bucket, key, size: body.length, etag, lastModified });
        last = key;
      }
    }
    return page;
  }

  async getObject(request: GetRequest): Promise<ObjectBody> {
    checkRef(request);
    const stored = this.bucket(request.bucket).get(request.key);
    if (!stored) throw new NotFound(`object ${request.bucket}/${request.key} does not exist`, { bucket: request.bucket, key: request.key });
    if (request.etag && request.etag !== stored.etag) {
      throw new PreconditionFailed(`object ${request.bucket}/${request.key} changed while it was read`);
    }
    const start = request.start ?? 0;
    const end = Math.min(request.end ?? stored.body.length - 1, stored.body.length - 1);
    const bytes = stored.body.subarray(start, end + 1);
    const stream = Readable.from([bytes], { objectMode: false, signal: request.signal });
    return { stream, length: bytes.length, etag: stored.etag };
  }

  async presignGet(): Promise<string> {
    throw new BadUserInput('an in-memory store has no URLs to sign');
  }

  async presignPut(): Promise<string> {
    throw new BadUserInput('an in-memory store has no URLs to sign');
  }

  async putObject(ref: ObjectRef, body: Buffer, options: PutOptions = {}): Promise<string> {
    checkRef(ref);
    const objects = this.bucket(ref.bucket);
    const current = objects.get(ref.key);
    const refused =
      (options.ifNoneMatch === '*' && current) ||
      (options.ifMatch !== undefined && (!current || (options.ifMatch !== '*' && options.ifMatch !== current.etag)));
    if (refused) throw new PreconditionFailed(`object ${ref.bucket}/${ref.key} is not as the write expected`);
    const etag = createHash('md5').update(body).digest('hex');
    objects.set(ref.key, {
      body: Buffer.from(body),
      etag,
      lastModified: new Date(),
      contentType: options.contentType ?? null,
      contentEncoding: options.contentEncoding ?? null,
    });
    return etag;
  }

  async uploadStream(ref: ObjectRef, body: Readable, options: UploadOptions = {}): Promise<void> {
    checkRef(ref);
    const chunks: Buffer[] = [];
    for await (const chunk of body) {
      options.signal?.throwIfAborted();
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    await this.putObject(ref, Buffer.concat(chunks), { contentType: options.contentType });
  }

  async copyObject(from: ObjectRef, to: ObjectRef): Promise<void> {
    checkRef(from);
    const stored = this.bucket(from.bucket).get(from.key);
    if (!stored) throw new NotFound(`object ${from.bucket}/${from.key} does not exist`, { bucket: from.bucket, key: from.key });
    await this.putObject(to, stored.body, {
      contentType: stored.contentType ?? undefined,
      contentEncoding: stored.contentEncoding ?? undefined,
    });
  }

  async deleteObject(ref: ObjectRef): Promise<void> {
    checkRef(ref);
    this.bucket(ref.bucket).delete(ref.key);
  }

  async deleteObjects(bucket: string, keys: string[]): Promise<{ deleted: string[]; failed: string[] }> {
    for (const key of keys) await this.deleteObject({ bucket, key });
    return { deleted: keys, failed: [] };
  }

  destroy(): void {}
}
