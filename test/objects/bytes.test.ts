// The bytes layer below the table engine: a small object read to its end after its first
// window was opened in place of a HEAD takes the rest in one more GET, sent only once the
// reader has taken the window's leading bytes (a first page, answered from the leading
// rows, has no second request on its path); a reader that stops early never sends it.
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import type { Context } from '../../src/context.js';
import { createLoaders, refKey } from '../../src/loaders/index.js';
import { type ObjectNode, openTableBytes } from '../../src/objects/bytes.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { GetRequest, ObjectBody } from '../../src/storage/types.js';

const WINDOW = 512 * 1024;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An in-memory store whose GETs are noted, an object of `size` bytes in it, and a request's context over it. */
async function setup(size: number) {
  const storage = new MemoryStorage();
  await storage.createBucket('bytes');
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = 97 + (i % 26);
  const ref = { bucket: 'bytes', key: 'small.csv' };
  const etag = await storage.putObject(ref, bytes);
  const gets: { start?: number; end?: number }[] = [];
  const getObject = storage.getObject.bind(storage);
  storage.getObject = (request: GetRequest): Promise<ObjectBody> => {
    gets.push({ start: request.start, end: request.end });
    return getObject(request);
  };
  const loaders = createLoaders(storage, { s3Concurrency: 4 } as Settings);
  const signal = new AbortController().signal;
  const ctx = { loaders, signal } as unknown as Context;
  const node: ObjectNode = { ...ref, size, etag, lastModified: new Date() };
  // What headFromFirstBytes leaves for the table read: the first window, opened in place of a HEAD.
  loaders.firstBytes.set(`${refKey(ref)}\u0000${etag}`, await loaders.getObject({ ...ref, start: 0, end: WINDOW - 1, signal }));
  gets.splice(0);
  return { bytes, ctx, node, gets, signal };
}

describe('a small object read to its end (openTableBytes, toEnd)', () => {
  it('sends the GET of the rest only once the reader has taken the leading bytes, and gives every byte once', async () => {
    const { bytes, ctx, node, gets, signal } = await setup(WINDOW + 200_000);
    const stream = await openTableBytes(ctx, node, 0, signal, true);
    for (let i = 0; i < 5; i++) await turn();
    // Opened, not yet read: no second request.
    expect(gets).toEqual([]);
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(gets).toEqual([{ start: WINDOW, end: undefined }]);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('sends no second GET for a reader that stops before the leading bytes', async () => {
    const { ctx, node, gets, signal } = await setup(WINDOW + 200_000);
    const stream = await openTableBytes(ctx, node, 0, signal, true);
    stream.destroy();
    for (let i = 0; i < 5; i++) await turn();
    expect(gets).toEqual([]);
  });

  it('takes an object no larger than the window from the window alone', async () => {
    const { bytes, ctx, node, gets, signal } = await setup(300_000);
    const chunks: Buffer[] = [];
    for await (const chunk of (await openTableBytes(ctx, node, 0, signal, true)) as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(gets).toEqual([]);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });
});
