// A test file's own S3 server: an embedded s3rver in a folder of its own, counting the
// bytes it sends. What one question reads can be measured without another test file's
// reads adding to the count (the run's shared store serves every file at once), and the
// store's folder can be looked at.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedStore, startEmbeddedStore } from '../../src/storage/embedded/embedded.js';
import { S3Storage } from '../../src/storage/s3.js';

export interface OwnStore {
  readonly endpoint: string;
  /** The store's data folder. */
  readonly directory: string;
  /** A new S3 client of this store (each app under test gets its own, as a server process would). */
  storage(): S3Storage;
  /** Body and header bytes the store has sent since it started. */
  bytesSent(): Promise<number>;
  /** What `work` returned, and the bytes the store sent while it ran. */
  during<T>(work: () => Promise<T>): Promise<{ result: T; bytes: number }>;
  /** Stops the store and removes its folder. */
  stop(): Promise<void>;
}

export async function startOwnStore(name: string): Promise<OwnStore> {
  const directory = mkdtempSync(join(tmpdir(), `bucketql-${name}-store-`));
  let store: EmbeddedStore;
  try {
    store = await startEmbeddedStore({ directory, countBytes: true });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: store.endpoint,
    directory,
    storage: () =>
      new S3Storage({
        endpoint: store.endpoint,
        credentials: store.credentials,
        copySourceKeepsPlus: true,
        timeoutMs: 30_000,
        maxAttempts: 2,
      }),
    bytesSent: () => store.bytesSent(),
    async during(work) {
      const before = await store.bytesSent();
      const result = await work();
      return { result, bytes: (await store.bytesSent()) - before };
    },
    async stop() {
      await store.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
