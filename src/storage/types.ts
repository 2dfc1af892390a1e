// The storage layer's data types: plain values that the rest of bucketql uses,
// so that nothing outside src/storage needs to know the AWS SDK's shapes.
import type { Readable } from 'node:stream';

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface BucketInfo {
  name: string;
  createdAt: Date | null;
}

/** What a listing tells about an object (no content type or user metadata). */
export interface ObjectSummary extends ObjectRef {
  size: number;
  etag: string;
  lastModified: Date;
}

/** What HEAD tells about an object. */
export interface ObjectMeta extends ObjectSummary {
  contentType: string | null;
  contentEncoding: string | null;
  metadata: Record<string, string>;
}

export interface ListPage {
  objects: ObjectSummary[];
  prefixes: string[];
  nextToken: string | null;
}

export interface ListRequest {
  bucket: string;
  prefix?: string | undefined;
  delimiter?: string | undefined;
  maxKeys: number;
  continuationToken?: string | undefined;
  /** List keys after this one (ignored with a continuation token). */
  startAfter?: string | undefined;
}

export interface GetRequest extends ObjectRef {
  /** First byte to read (inclusive). */
  start?: number;
  /** Last byte to read (inclusive). */
  end?: number;
  /** The ETag the object must still have: the read fails with PRECONDITION_FAILED otherwise. */
  etag?: string;
  signal?: AbortSignal;
}

export interface ObjectBody {
  stream: Readable;
  /** Bytes this response will send (the range's length when ranged). */
  length: number;
  etag: string;
  /** The object's metadata as the GET's headers tell it (what a HEAD would), where the store says all of it. */
  meta?: ObjectMeta;
}

export interface PutOptions {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  /** Write only when the object still has this ETag (`*`: when it exists). */
  ifMatch?: string | undefined;
  /** `*`: write only when no object has the key. */
  ifNoneMatch?: string | undefined;
}

export interface UploadOptions {
  contentType?: string | undefined;
  /** Aborting stops the upload; nothing of it becomes an object. */
  signal?: AbortSignal | undefined;
  /** Bytes per part of a multipart upload. */
  partSize?: number;
  /** Parts held in memory at once. */
  queueSize?: number;
}

/**
 * What bucketql asks of an object store, and all the rest of it depends on: plain
 * values in and out, failures as bucketql's errors (../errors.ts), every name checked
 * (./names.ts). The S3 implementation is ./s3.ts (S3Storage); nothing outside
 * src/storage knows the client behind it.
 */
export interface Storage {
  /** The custom endpoint requests go to, or null for AWS's own. */
  readonly endpoint: string | null;
  listBuckets(): Promise<BucketInfo[]>;
  /** True when the bucket exists and can be reached with these credentials. */
  bucketExists(name: string): Promise<boolean>;
  createBucket(name: string): Promise<void>;
  /** The object's metadata, or null when it (or its bucket) does not exist. */
  headObject(ref: ObjectRef): Promise<ObjectMeta | null>;
  listObjects(request: ListRequest): Promise<ListPage>;
  /** The object's bytes (or a range of them) as a stream; destroying it or aborting `signal` stops the download. */
  getObject(request: GetRequest): Promise<ObjectBody>;
  /** A URL that reads the object without credentials, for `expiresIn` seconds. */
  presignGet(ref: ObjectRef, expiresIn: number): Promise<string>;
  /** A URL that writes the object without credentials, for `expiresIn` seconds. */
  presignPut(ref: ObjectRef, expiresIn: number, contentType: string | undefined): Promise<string>;
  /** Writes the object whole; resolves with its new ETag. */
  putObject(ref: ObjectRef, body: Buffer, options?: PutOptions): Promise<string>;
  /** Streams a body of unknown length to the object; a failed or aborted upload leaves nothing behind. */
  uploadStream(ref: ObjectRef, body: Readable, options?: UploadOptions): Promise<void>;
  copyObject(from: ObjectRef, to: ObjectRef): Promise<void>;
  deleteObject(ref: ObjectRef): Promise<void>;
  /** Deletes up to 1,000 keys in one call; says which were deleted and which failed. */
  deleteObjects(bucket: string, keys: string[]): Promise<{ deleted: string[]; failed: string[] }>;
  /** Closes its connections. */
  destroy(): void;
}
