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
}
