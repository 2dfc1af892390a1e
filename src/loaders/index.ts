// Per-request DataLoaders: every S3 read a request needs goes through one of these,
// so each object is HEAD-ed once however many fields ask, HEADs run batched with
// bounded concurrency, and a table parses once per request for the same options.
import DataLoader from 'dataloader';
import type { Format } from '../codecs/types.js';
import type { Settings } from '../config/settings.js';
import type { BucketInfo, GetRequest, ListPage, ListRequest, ObjectBody, ObjectMeta, ObjectRef, Storage } from '../storage/types.js';
import type { TableReader } from '../tables/reader.js';

export interface Loaders {
  /** HEAD: the object's metadata, or null when it (or its bucket) does not exist. */
  head: DataLoader<ObjectRef, ObjectMeta | null, string>;
  bucketExists: DataLoader<string, boolean>;
  bucketList: () => Promise<BucketInfo[]>;
  listPage: DataLoader<ListRequest, ListPage, string>;
  /** GET (a stream, so neither batched nor cached): every read of an object's bytes in a request goes through here. */
  getObject(request: GetRequest): Promise<ObjectBody>;
  /** Readers by object version and table options; created by the objects service. */
  tables: Map<string, TableReader>;
  /** Per object version: its sniffed format and its whole decompressed bytes, read once a request. */
  formats: Map<string, Promise<Format>>;
  wholeBytes: Map<string, Promise<readonly Buffer[]>>;
  /**
   * Per object version: the first bytes of an object opened in place of a HEAD (the GET's
   * headers carry its metadata), until a table read takes them.
   */
  firstBytes: Map<string, ObjectBody>;
  /** Forgets what this request knew of an object (after a write to it). */
  forget(ref: ObjectRef): void;
  /** Closes the downloads opened for this request that nothing took (at the end of its execution). */
  release(): void;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.bucket}\u0000${ref.key}`;
}

/** Runs `work` over `items` with at most `limit` at once, keeping order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<(R | Error)[]> {
  const results: (R | Error)[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i] as T);
      } catch (error) {
        results[i] = error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function createLoaders(storage: Storage, settings: Settings): Loaders {
  const head = new DataLoader<ObjectRef, ObjectMeta | null, string>(
    (refs) => mapWithConcurrency(refs, settings.s3Concurrency, (ref) => storage.headObject(ref)),
    { cacheKeyFn: refKey },
  );
  const bucketExists = new DataLoader<string, boolean>((names) =>
    mapWithConcurrency(names, settings.s3Concurrency, (name) => storage.bucketExists(name)),
  );
  let bucketList: Promise<BucketInfo[]> | null = null;
  const listPage = new DataLoader<ListRequest, ListPage, string>(
    (requests) => mapWithConcurrency(requests, settings.s3Concurrency, (request) => storage.listObjects(request)),
    {
      cacheKeyFn: (r) =>
        JSON.stringify([r.bucket, r.prefix ?? '', r.delimiter ?? '', r.maxKeys, r.continuationToken ?? '', r.startAfter ?? '']),
    },
  );
  const tables = new Map<string, TableReader>();
  const formats = new Map<string, Promise<Format>>();
  const wholeBytes = new Map<string, Promise<readonly Buffer[]>>();
  const firstBytes = new Map<string, ObjectBody>();
  const release = (key: string) => {
    firstBytes.get(key)?.stream.destroy();
    firstBytes.delete(key);
  };
  return {
    head,
    bucketExists,
    bucketList: () => {
      bucketList ??= storage.listBuckets();
      return bucketList;
    },
    listPage,
    getObject: (request) => storage.getObject(request),
    tables,
    formats,
    wholeBytes,
    firstBytes,
    forget(ref) {
      const prefix = `${refKey(ref)}\u0000`;
      for (const memo of [formats, wholeBytes]) for (const key of memo.keys()) if (key.startsWith(prefix)) memo.delete(key);
      for (const key of firstBytes.keys()) if (key.startsWith(prefix)) release(key);
      head.clear(ref);
      listPage.clearAll();
      for (const [key, reader] of tables) if (reader.object.bucket === ref.bucket && reader.object.key === ref.key) tables.delete(key);
    },
    release() {
      for (const key of firstBytes.keys()) release(key);
    },
  };
}
