// Seeding helpers for tests: many objects at once, with bounded concurrency.
import type { Storage } from '../../src/storage/types.js';

/** Runs `work` over `items`, at most `limit` at once; rejects on the first failure. */
export async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Puts every `key → body` pair into `bucket` through the storage layer. */
export async function seedObjects(
  storage: Storage,
  bucket: string,
  objects: Record<string, string | Buffer>,
  concurrency = 32,
): Promise<void> {
  await eachLimit(Object.entries(objects), concurrency, ([key, body]) =>
    storage.putObject({ bucket, key }, typeof body === 'string' ? Buffer.from(body) : body),
  );
}
