// The S3 implementation of Storage (./types.ts), and the one place that talks to S3.
// Every call checks its bucket names, keys and prefixes first (./names.ts), maps its
// errors through mapS3Error, and returns the plain types of ./types.ts.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { recordS3Calls } from '../metrics.js';
import { isNotFound, isPreconditionFailed, mapS3Error } from './errors.js';
import { checkBucketName, checkKey, checkPrefix, checkRef } from './names.js';
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

export interface S3Options {
  /** A custom endpoint (S3-compatible store); undefined for AWS (or AWS_ENDPOINT_URL_S3 from the env). */
  endpoint?: string | undefined;
  region?: string | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle?: boolean | undefined;
  timeoutMs: number;
  maxAttempts: number;
  /**
   * s3rver decodes x-amz-copy-source with decodeURI, which leaves `%2B` undecoded:
   * for it, `+` must be sent literally. Real S3 wants it percent-encoded.
   */
  copySourceKeepsPlus?: boolean;
}

/** The S3 client settings bucketql needs on any store, AWS or S3-compatible. */
export function s3ClientConfig(options: S3Options, env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const agentOptions = { keepAlive: true, maxSockets: 256 };
  return {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // S3-compatible stores expect path-style requests; AWS prefers virtual hosts.
    forcePathStyle: options.forcePathStyle ?? Boolean(endpoint),
    // The SDK's default (CRC checksums on every PUT, aws-chunked bodies) breaks Ceph RGW and s3rver.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  };
}

export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
}

/**
 * HEAD answers Last-Modified in whole seconds (an HTTP date); some stores (Ceph RGW)
 * list it with milliseconds. Cut to seconds, so a listing and object() agree.
 */
function wholeSeconds(date: Date | undefined): Date {
  return date ? new Date(Math.floor(date.getTime() / 1000) * 1000) : new Date(0);
}

function describe(ref: ObjectRef): string {
  return `object ${ref.bucket}/${ref.key}`;
}

export class S3Storage implements Storage {
  /** The SDK client: for this file, and for tests that watch or go around it. */
  readonly client: S3Client;
  /** The custom endpoint requests go to, or null for AWS's own. */
  readonly endpoint: string | null;
  private readonly copySourceKeepsPlus: boolean;

  constructor(options: S3Options) {
    this.client = new S3Client(s3ClientConfig(options));
    recordS3Calls(this.client.middlewareStack);
    this.endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? null;
    this.copySourceKeepsPlus = options.copySourceKeepsPlus ?? false;
  }

  destroy(): void {
    this.client.destroy();
  }

  async listBuckets(): Promise<BucketInfo[]> {
    try {
      const out = await this.client.send(new ListBucketsCommand({}));
      return (out.Buckets ?? []).map((b) => ({ name: b.Name ?? '', createdAt: b.CreationDate ?? null }));
    } catch (error) {
      throw mapS3Error(error, 'the bucket list');
    }
  }

  /** True when the bucket exists and can be reached with these credentials. */
  async bucketExists(name: string): Promise<boolean> {
    checkBucketName(name);
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: name }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw mapS3Error(error, `bucket ${name}`);
    }
  }

  async createBucket(name: string): Promise<void> {
    checkBucketName(name);
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      throw mapS3Error(error, `bucket ${name}`);
    }
  }

  /** The object's metadata, or null when it (or its bucket) does not exist. */
  async headObject(ref: ObjectRef): Promise<ObjectMeta | null> {
    checkRef(ref);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return {
        bucket: ref.bucket,
        key: ref.key,
        size: out.ContentLength ?? 0,
        etag: unquoteEtag(out.ETag),
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType ?? null,
        contentEncoding: out.ContentEncoding ?? null,
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw mapS3Error(error, describe(ref));
    }
  }

  async listObjects(request: ListRequest): Promise<ListPage> {
    checkBucketName(request.bucket);
    checkPrefix(request.prefix ?? '');
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: request.bucket,
          Prefix: request.prefix || undefined,
          Delimiter: request.delimiter || undefined,
          MaxKeys: request.maxKeys,
          ContinuationToken: request.continuationToken,
          StartAfter: request.continuationToken ? undefined : request.startAfter,
        }),
      );
      return {
        objects: (out.Contents ?? []).map((o) => ({
          bucket: request.bucket,
          key: o.Key ?? '',
          size: o.Size ?? 0,
          etag: unquoteEtag(o.ETag),
          lastModified: wholeSeconds(o.LastModified),
        })),
        prefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
        nextToken: out.IsTruncated ? (out.NextContinuationToken ?? null) : null,
      };
    } catch (error) {
      throw mapS3Error(error, `bucket ${request.bucket}`);
    }
  }

  /**
   * Opens the object's bytes (or a range of them) as a stream. Destroying the
   * stream, or aborting `signal`, aborts the download.
   */
  async getObject(request: GetRequest): Promise<ObjectBody> {
    // A read from the first byte to the end is the whole object: no Range, since a
    // range on an empty object is unsatisfiable (416 on S3; s3rver drops the connection).
    const ranged = (request.start ?? 0) > 0 || request.end !== undefined;
    const range = ranged ? `bytes=${request.start ?? 0}-${request.end ?? ''}` : undefined;
    checkRef(request);
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: request.bucket,
          Key: request.key,
          Range: range,
          IfMatch: request.etag ? `"${request.etag}"` : undefined,
        }),
        { abortSignal: request.signal },
      );
      const stream = out.Body as Readable;
      const etag = unquoteEtag(out.ETag);
      // Some stores ignore If-Match on GET: check the ETag ourselves as well.
      if (request.etag && etag && etag !== request.etag) {
        stream.destroy();
        throw mapS3Error({ name: 'PreconditionFailed' }, describe(request));
      }
      const length = out.ContentLength ?? 0;
      // The whole object's size: after the slash of a range's Content-Range, else the length.
      const size = range ? Number(/\/(\d+)$/.exec(out.ContentRange ?? '')?.[1] ?? Number.NaN) : length;
      const meta: ObjectMeta | undefined =
        etag && Number.isSafeInteger(size)
          ? {
              bucket: request.bucket,
              key: request.key,
              size,
              etag,
              lastModified: out.LastModified ?? new Date(0),
              contentType: out.ContentType ?? null,
              contentEncoding: out.ContentEncoding ?? null,
              metadata: out.Metadata ?? {},
            }
          : undefined;
      return { stream, length, etag, ...(meta ? { meta } : {}) };
    } catch (error) {
      throw mapS3Error(error, describe(request));
    }
  }

  async presignGet(ref: ObjectRef, expiresIn: number): Promise<string> {
    checkRef(ref);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), { expiresIn });
  }

  async presignPut(ref: ObjectRef, expiresIn: number, contentType: string | undefined): Promise<string> {
    checkRef(ref);
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, ContentType: contentType }), {
      expiresIn,
      signableHeaders: contentType ? new Set(['content-type']) : undefined,
    });
  }

  async putObject(ref: ObjectRef, body: Buffer, options: PutOptions = {}): Promise<string> {
    checkRef(ref);
    const put = (ifMatch: string | undefined) =>
      this.client.send(
        new PutObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          Body: body,
          ContentLength: body.length,
          ContentType: options.contentType,
          ContentEncoding: options.contentEncoding,
          IfMatch: ifMatch,
          IfNoneMatch: options.ifNoneMatch,
        }),
      );
    try {
      const out = await put(options.ifMatch);
      return unquoteEtag(out.ETag);
    } catch (error) {
      // Ceph RGW compares If-Match with the quotes left on: a quoted ETag that matches
      // fails there, the same ETag unquoted succeeds. Asking again unquoted stays
      // race-free (the store still checks the condition as it writes); where the
      // ETag really differs, the second answer is a 412 as well.
      const unquoted = unquoteEtag(options.ifMatch);
      if (isPreconditionFailed(error) && options.ifMatch && options.ifMatch !== '*' && unquoted !== options.ifMatch) {
        try {
          return unquoteEtag((await put(unquoted)).ETag);
        } catch (retryError) {
          throw mapS3Error(retryError, describe(ref));
        }
      }
      throw mapS3Error(error, describe(ref));
    }
  }

  /**
   * Streams a body of unknown length to S3: one PUT when it fits a part, else a
   * multipart upload with at most `queueSize` parts in memory. A failed or aborted
   * upload aborts the multipart upload, so nothing is left behind.
   */
  async uploadStream(ref: ObjectRef, body: Readable, options: UploadOptions = {}): Promise<void> {
    checkRef(ref);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: ref.bucket, Key: ref.key, Body: body, ContentType: options.contentType },
      partSize: options.partSize ?? 8 * 1024 * 1024,
      queueSize: options.queueSize ?? 4,
      // We abort the multipart upload ourselves (below): when lib-storage does it and
      // the abort fails too (s3rver answers it 405), the abort's error replaces the one
      // that mattered, and a network failure would be reported as an S3 error.
      leavePartsOnError: true,
    });
    const onAbort = () => void upload.abort().catch(() => undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (error) {
      // Make sure the body stops, and that the parts sent so far never become an object.
      body.destroy();
      if (upload.uploadId) await this.abortMultipartUpload(ref, upload.uploadId);
      throw mapS3Error(error, describe(ref));
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Best effort: a multipart upload that is never completed never becomes an object either. */
  private async abortMultipartUpload(ref: ObjectRef, uploadId: string): Promise<void> {
    checkRef(ref);
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: ref.bucket, Key: ref.key, UploadId: uploadId }));
    } catch {
      // S3 down, or a store without AbortMultipartUpload: the parts stay until a lifecycle rule removes them.
    }
  }

  async copyObject(from: ObjectRef, to: ObjectRef): Promise<void> {
    checkRef(from);
    checkRef(to);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: to.bucket,
          Key: to.key,
          CopySource: `${from.bucket}/${this.encodeCopySourceKey(from.key)}`,
        }),
      );
    } catch (error) {
      throw mapS3Error(error, `${describe(from)} → ${to.bucket}/${to.key}`);
    }
  }

  private encodeCopySourceKey(key: string): string {
    const encoded = encodeURIComponent(key).replace(/%2F/g, '/');
    // decodeURI leaves the escapes of URI syntax characters (# $ & + , / : ; = ? @) encoded.
    return this.copySourceKeepsPlus ? encoded.replace(/%(?:2[346BC]|3[ABDF]|40)/g, (e) => decodeURIComponent(e)) : encoded;
  }

  async deleteObject(ref: ObjectRef): Promise<void> {
    checkRef(ref);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    } catch (error) {
      throw mapS3Error(error, describe(ref));
    }
  }

  /** Deletes up to 1,000 keys in one call; returns the keys S3 reports deleted. */
  async deleteObjects(bucket: string, keys: string[]): Promise<{ deleted: string[]; failed: string[] }> {
    checkBucketName(bucket);
    for (const key of keys) checkKey(key, bucket);
    try {
      const out = await this.client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: false } }),
      );
      return {
        deleted: (out.Deleted ?? []).map((d) => d.Key ?? ''),
        failed: (out.Errors ?? []).map((e) => e.Key ?? ''),
      };
    } catch (error) {
      throw mapS3Error(error, `bucket ${bucket}`);
    }
  }
}
