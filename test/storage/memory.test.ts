// MemoryStorage (what `npm run schema:print` reads the demo data through) answers as
// S3 does: the same calls on it and on the tests' s3rver, through S3Storage, give the
// same listings, metadata, bytes and refusals.
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { Storage } from '../../src/storage/types.js';
import { testStorage, uniqueBucket } from '../support/app.js';
import { failure } from '../support/failure.js';

const KEYS = [
  'a.csv',
  'b/1.csv',
  'b/2.csv',
  'b/c/3.csv',
  'bb.csv',
  'c/x=1/p.parquet',
  'c/x=2/p.parquet',
  'é.txt',
  'z.txt',
  '한글/파일.csv',
];

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Every page of a listing, with what each page held. */
async function listAll(
  storage: Storage,
  bucket: string,
  request: { prefix?: string; delimiter?: string; maxKeys: number; startAfter?: string },
) {
  const pages: { objects: string[]; prefixes: string[] }[] = [];
  let token: string | undefined;
  do {
    const page = await storage.listObjects({ bucket, ...request, continuationToken: token });
    pages.push({ objects: page.objects.map((o) => `${o.key}:${o.size}:${o.etag}`), prefixes: page.prefixes });
    token = page.nextToken ?? undefined;
  } while (token);
  return pages;
}

describe('MemoryStorage answers as an S3 store does', () => {
  const s3 = testStorage();
  const memory = new MemoryStorage();
  const bucket = uniqueBucket('memory');
  const both: [string, Storage][] = [
    ['s3', s3],
    ['memory', memory],
  ];

  beforeAll(async () => {
    for (const [, storage] of both) {
      await storage.createBucket(bucket);
      for (const key of KEYS) await storage.putObject({ bucket, key }, Buffer.from(`body of ${key}`), { contentType: 'text/plain' });
    }
  });
  afterAll(() => s3.destroy());

  const requests = [
    { maxKeys: 1000 },
    { maxKeys: 2 },
    { maxKeys: 1000, delimiter: '/' },
    { maxKeys: 1, delimiter: '/' },
    { maxKeys: 1000, prefix: 'b/' },
    { maxKeys: 1000, prefix: 'b/', delimiter: '/' },
    { maxKeys: 1, prefix: 'c/', delimiter: '/' },
    { maxKeys: 1000, startAfter: 'b/2.csv' },
    { maxKeys: 3, prefix: 'b' },
  ];
  for (const request of requests) {
    it(`lists ${JSON.stringify(request)} alike, page by page`, async () => {
      expect(await listAll(memory, bucket, request)).toEqual(await listAll(s3, bucket, request));
    });
  }

  it('tells the same of an object, and reads the same bytes and ranges', async () => {
    for (const key of ['a.csv', '한글/파일.csv']) {
      const [fromS3, fromMemory] = await Promise.all(both.map(([, storage]) => storage.headObject({ bucket, key })));
      expect({ ...fromMemory, lastModified: null }).toEqual({ ...fromS3, lastModified: null });
      // (Not `bytes=0-0`: s3rver answers it with the whole object, where S3 sends one byte; see below.)
      for (const range of [{}, { start: 3 }, { start: 2, end: 5 }, { start: 1, end: 1 }]) {
        const reads = await Promise.all(both.map(([, storage]) => storage.getObject({ bucket, key, ...range })));
        const [a, b] = await Promise.all(reads.map((read) => text(read.stream)));
        expect(b).toBe(a);
        expect(reads[1]?.length).toBe(reads[0]?.length);
      }
    }
    const first = await memory.getObject({ bucket, key: 'a.csv', end: 0 });
    expect([await text(first.stream), first.length]).toEqual(['b', 1]);
    expect(await memory.headObject({ bucket, key: 'missing' })).toBeNull();
    expect(await s3.headObject({ bucket, key: 'missing' })).toBeNull();
  });

  it('refuses the same: a missing object, a changed ETag, a key that escapes, a bucket that does not exist', async () => {
    for (const [call, code] of [
      [(s: Storage) => s.getObject({ bucket, key: 'missing' }), 'NOT_FOUND'],
      [(s: Storage) => s.getObject({ bucket, key: 'a.csv', etag: '0123456789abcdef0123456789abcdef' }), 'PRECONDITION_FAILED'],
      [(s: Storage) => s.getObject({ bucket, key: '../a.csv' }), 'BAD_USER_INPUT'],
      [(s: Storage) => s.listObjects({ bucket: uniqueBucket('absent'), maxKeys: 10 }), 'NOT_FOUND'],
    ] as const) {
      const codes = await Promise.all(both.map(async ([, storage]) => ((await failure(call(storage))) as { code?: string }).code));
      expect(codes).toEqual([code, code]);
    }
  });

  it('copies and deletes as S3 does, and writes conditionally as S3 does (s3rver ignores the conditions)', async () => {
    for (const options of [{ ifNoneMatch: '*' }, { ifMatch: '0123456789abcdef0123456789abcdef' }]) {
      expect(await failure(memory.putObject({ bucket, key: 'a.csv' }, Buffer.from('x'), options))).toMatchObject({
        code: 'PRECONDITION_FAILED',
      });
    }
    const etag = (await memory.headObject({ bucket, key: 'a.csv' }))?.etag;
    await memory.putObject({ bucket, key: 'a.csv' }, Buffer.from('body of a.csv'), { ifMatch: etag, contentType: 'text/plain' });
    await memory.putObject({ bucket, key: 'new.csv' }, Buffer.from('new'), { ifNoneMatch: '*' });
    await memory.deleteObject({ bucket, key: 'new.csv' });
    for (const [, storage] of both) {
      await storage.copyObject({ bucket, key: 'a.csv' }, { bucket, key: 'copy.csv' });
      await storage.deleteObjects(bucket, ['z.txt']);
    }
    expect(await listAll(memory, bucket, { maxKeys: 1000 })).toEqual(await listAll(s3, bucket, { maxKeys: 1000 }));
  });
});
