// How many S3 calls a query makes: each object is HEAD-ed once per request however
// many fields, aliases or refs ask for it; a listing answers what it knows (size,
// etag, lastModified) without any HEAD; HEADs run with bounded concurrency.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { seedObjects } from '../support/seed.js';

let app: TestApp;
const bucket = uniqueBucket('loaders');
const COUNT = 100;
const KEYS = Array.from({ length: COUNT }, (_, i) => `items/${String(i).padStart(3, '0')}.csv`);
const CONCURRENCY = 8;

/** S3 commands sent by the app, in order, counted before any retry. */
const calls: string[] = [];
let inFlight = 0;
let maxInFlight = 0;

function tally(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of calls) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  app = await startTestApp({ BUCKETQL_S3_CONCURRENCY: String(CONCURRENCY) });
  await app.storage.createBucket(bucket);
  await seedObjects(app.storage, bucket, Object.fromEntries(KEYS.map((key, i) => [key, `n\n${i}\n`])));
  app.storage.client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      calls.push(name);
      if (name === 'HeadObjectCommand') maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await next(args);
      } finally {
        if (name === 'HeadObjectCommand') inFlight--;
      }
    },
    { step: 'initialize', name: 'loadersTestCounter' },
  );
});

beforeEach(() => {
  calls.length = 0;
  maxInFlight = 0;
});

afterAll(() => app?.close());

describe('objects(refs) and object()', () => {
  it('HEADs each of 100 objects once, however often refs, aliases and fields name it', async () => {
    const refs = [...KEYS, ...KEYS.slice().reverse(), ...KEYS].map((key) => ({ bucket, key }));
    const result = await app.gql(
      `query($b: String!, $refs: [ObjectRef!]!, $k0: String!, $k99: String!) {
        all: objects(refs: $refs) { key size etag lastModified contentType metadata }
        again: objects(refs: $refs) { key contentType }
        first: object(bucket: $b, key: $k0) { key size contentType metadata }
        last: object(bucket: $b, key: $k99) { etag }
        viaBucket: bucket(name: $b) { object(key: $k0) { contentType } }
      }`,
      { b: bucket, refs, k0: KEYS[0], k99: KEYS[99] },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.all).toHaveLength(3 * COUNT);
    expect(result.data?.all.map((o: { key: string }) => o.key)).toEqual(refs.map((r) => r.key));
    expect(result.data?.all[0]).toEqual({
      key: KEYS[0],
      size: 4,
      etag: expect.stringMatching(/^[0-9a-f]{32}$/),
      lastModified: expect.any(String),
      contentType: 'application/octet-stream',
      metadata: {},
    });
    expect(tally()).toEqual({ HeadObjectCommand: COUNT, HeadBucketCommand: 1 });
  });

  it('runs those HEADs concurrently, never more than BUCKETQL_S3_CONCURRENCY at once', async () => {
    const result = await app.gql('query($refs: [ObjectRef!]!) { objects(refs: $refs) { contentType } }', {
      refs: KEYS.map((key) => ({ bucket, key })),
    });
    expect(result.errors).toBeUndefined();
    expect(tally()).toEqual({ HeadObjectCommand: COUNT });
    expect(maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('HEADs again in the next request (nothing cached across requests)', async () => {
    const query = 'query($b: String!, $k: String!) { object(bucket: $b, key: $k) { etag } }';
    await app.gql(query, { b: bucket, k: KEYS[5] });
    await app.gql(query, { b: bucket, k: KEYS[5] });
    expect(tally()).toEqual({ HeadObjectCommand: 2 });
  });
});

describe('a listing of 100 objects', () => {
  const list = (fields: string) =>
    app.gql(`query($b: String!) { bucket(name: $b) { objects(prefix: "items/", first: 100) { edges { cursor node { ${fields} } } } } }`, {
      b: bucket,
    });

  it('answers key, name, size, etag, lastModified, format and compression from one ListObjectsV2 (no HEAD)', async () => {
    const result = await list('bucket key name size etag lastModified format compression');
    expect(result.errors).toBeUndefined();
    expect(result.data?.bucket.objects.edges).toHaveLength(COUNT);
    expect(result.data?.bucket.objects.edges[7].node).toEqual({
      bucket,
      key: KEYS[7],
      name: '007.csv',
      size: 4,
      etag: expect.stringMatching(/^[0-9a-f]{32}$/),
      lastModified: expect.any(String),
      format: 'CSV',
      compression: 'NONE',
    });
    // bucket(name) checks that the bucket exists (HeadBucket); the objects take one call.
    expect(calls).toEqual(['HeadBucketCommand', 'ListObjectsV2Command']);
  });

  it('adds one HEAD per object for contentType, and no more for metadata as well', async () => {
    const result = await list('key size contentType metadata');
    expect(result.errors).toBeUndefined();
    expect(result.data?.bucket.objects.edges[0].node).toEqual({
      key: KEYS[0],
      size: 4,
      contentType: 'application/octet-stream',
      metadata: {},
    });
    expect(tally()).toEqual({ HeadBucketCommand: 1, ListObjectsV2Command: 1, HeadObjectCommand: COUNT });
  });

  it('lists once for two aliases of the same page', async () => {
    const result = await app.gql(
      'query($b: String!) { bucket(name: $b) { a: objects(prefix: "items/", first: 100) { edges { node { key } } } b: objects(prefix: "items/", first: 100) { edges { node { size } } } } }',
      { b: bucket },
    );
    expect(result.errors).toBeUndefined();
    expect(tally()).toEqual({ HeadBucketCommand: 1, ListObjectsV2Command: 1 });
  });
});
