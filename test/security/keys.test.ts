// Keys and bucket names that try to leave their bucket: `..` and `.` segments, NUL and
// line breaks, empty segments, a leading `/`, and the look-alikes that must stay
// literal (`%2e%2e`, encoded slashes, backslashes). Through every query and mutation
// that takes a bucket, key or prefix, on an embedded store of our own (s3rver, a real
// S3-compatible server over HTTP) whose folder is checked on disk afterwards: nothing
// read from another bucket, nothing written or deleted outside BUCKETQL_DATA_DIR.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/datasets/config.js';
import { type EmbeddedStore, startEmbeddedStore } from '../../src/storage/embedded/embedded.js';
import { S3Storage } from '../../src/storage/s3.js';
import { type GraphQLResponse, startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { postForm, uploadForm } from '../support/multipart.js';

const SECRET = 'secret-line,never-to-be-seen';
const CANARY = 'canary outside the data folder';

const root = mkdtempSync(join(tmpdir(), 'bucketql-keys-'));
// BUCKETQL_DATA_DIR/s3 is the store's folder, as in src/main.ts; `outside` is beside the data folder.
const dataDir = join(root, 'data');
const storeDir = join(dataDir, 's3');
const outside = join(root, 'outside');
const demo = uniqueBucket('demo');
const secret = uniqueBucket('secret');

let store: EmbeddedStore;
let storage: S3Storage;
let app: TestApp;

/** Keys that must be refused (BAD_USER_INPUT naming the key) before S3 is called. */
const REFUSED = [
  `../${secret}/hidden.csv`,
  `./../${secret}/hidden.csv`,
  `a/../../${secret}/hidden.csv`,
  `../../outside/canary.txt`,
  `../../../outside/pwned.txt`,
  `/../${secret}/hidden.csv`,
  `/${secret}/hidden.csv`,
  `a//b.csv`,
  `..`,
  `.`,
  `a/.`,
  `a/./b.csv`,
  `a/..`,
  `hidden.csv\u0000`,
  `../${secret}/hidden.csv\u0000.txt`,
  `x.csv\r\n../${secret}/hidden.csv`,
  `tab\there.csv`,
  `del\u007f.csv`,
  `c1\u0085.csv`,
];

/** Keys that look like escapes but are ordinary keys, kept literal in the bucket asked for. */
const LITERAL = [
  `%2e%2e/${secret}/hidden.txt`,
  `..%2f${secret}%2fhidden.txt`,
  `..\\${secret}\\hidden.txt`,
  `%2F..%2F${secret}`,
  '...',
  'a/.../b',
];

function codes(result: GraphQLResponse): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

function expectRefused(result: GraphQLResponse, key: string): void {
  expect(JSON.stringify(result)).not.toContain(SECRET);
  expect(codes(result), `${JSON.stringify(key)}: ${JSON.stringify(result.errors)}`).toEqual(['BAD_USER_INPUT']);
  expect(result.errors?.[0]?.message).toMatch(/key|prefix/i);
  expect(result.errors?.[0]?.extensions?.key ?? result.errors?.[0]?.extensions?.prefix).toBe(key);
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

beforeAll(async () => {
  mkdirSync(outside, { recursive: true });
  // s3rver stores a key's bytes in `<key>._S3rver_object`: this is the file a
  // `deleteObject(key: "../../outside/canary.txt")` from a bucket's folder reaches.
  writeFileSync(join(outside, 'canary.txt._S3rver_object'), CANARY);
  store = await startEmbeddedStore({ directory: storeDir });
  storage = new S3Storage({
    endpoint: store.endpoint,
    credentials: store.credentials,
    copySourceKeepsPlus: true,
    timeoutMs: 10_000,
    maxAttempts: 1,
  });
  await storage.createBucket(demo);
  await storage.createBucket(secret);
  await storage.putObject({ bucket: secret, key: 'hidden.csv' }, Buffer.from(`a,b\n${SECRET}\n`));
  await storage.putObject({ bucket: demo, key: 'ok.csv' }, Buffer.from('a,b\n1,2\n'));
  await storage.putObject({ bucket: demo, key: 'a/b.csv' }, Buffer.from('a,b\n3,4\n'));
  app = await startTestApp({ BUCKETQL_BUCKETS: demo }, { storage });
});

afterAll(async () => {
  await app?.close();
  await store?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('keys that leave their bucket are BAD_USER_INPUT, checked before S3 is called', () => {
  it.each(REFUSED)('reads: object, objects, bucket.object, table refuse %j', async (key) => {
    for (const query of [
      'query($b: String!, $k: String!) { object(bucket: $b, key: $k) { text } }',
      'query($b: String!, $k: String!) { object(bucket: $b, key: $k) { key size } }',
      'query($b: String!, $k: String!) { objects(refs: [{ bucket: $b, key: $k }]) { text } }',
      'query($b: String!, $k: String!) { bucket(name: $b) { object(key: $k) { content } } }',
      'query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rowCount rows { edges { node { values } } } } } }',
    ]) {
      const result = await app.gql(query, { b: demo, k: key });
      expectRefused(result, key);
    }
  });

  it.each(REFUSED)('a listing prefix refuses %j', async (key) => {
    const result = await app.gql(
      'query($b: String!, $p: String!) { bucket(name: $b) { objects(prefix: $p) { edges { node { key } } } } }',
      {
        b: demo,
        p: key,
      },
    );
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions?.prefix).toBe(key);
  });

  it.each(REFUSED)('writes: putObject, copyObject (both ends), deleteObject, deleteObjects, createUploadUrl refuse %j', async (key) => {
    const mutations: [string, Record<string, unknown>][] = [
      ['mutation($b: String!, $k: String!) { putObject(bucket: $b, key: $k, content: "pwned") { key } }', { b: demo, k: key }],
      [
        'mutation($b: String!, $k: String!) { copyObject(from: { bucket: $b, key: $k }, to: { bucket: $b, key: "copied.csv" }) { key } }',
        { b: demo, k: key },
      ],
      [
        'mutation($b: String!, $k: String!) { copyObject(from: { bucket: $b, key: "ok.csv" }, to: { bucket: $b, key: $k }) { key } }',
        { b: demo, k: key },
      ],
      ['mutation($b: String!, $k: String!) { deleteObject(bucket: $b, key: $k) }', { b: demo, k: key }],
      ['mutation($b: String!, $k: String!) { deleteObjects(bucket: $b, keys: ["ok.csv", $k]) }', { b: demo, k: key }],
      ['mutation($b: String!, $k: String!) { createUploadUrl(bucket: $b, key: $k) { url } }', { b: demo, k: key }],
    ];
    for (const [query, variables] of mutations) expectRefused(await app.gql(query, variables), key);
  });

  it.each(REFUSED)('uploadFile refuses %j', async (key) => {
    const form = uploadForm(
      'mutation($b: String!, $k: String!, $f: File!) { uploadFile(bucket: $b, key: $k, file: $f) { key } }',
      { b: demo, k: key },
      { f: new Blob(['pwned']) },
    );
    const { body } = await postForm(app.url, form);
    expectRefused(body, key);
  });

  it('left everything where it was: the other bucket, the demo bucket, and the files outside the data folder', async () => {
    const secretList = await storage.listObjects({ bucket: secret, maxKeys: 100 });
    expect(secretList.objects.map((o) => o.key)).toEqual(['hidden.csv']);
    const demoList = await storage.listObjects({ bucket: demo, maxKeys: 100 });
    expect(demoList.objects.map((o) => o.key)).toEqual(['a/b.csv', 'ok.csv']);
    expect(readFileSync(join(outside, 'canary.txt._S3rver_object'), 'utf8')).toBe(CANARY);
    expect(filesUnder(outside)).toEqual(['canary.txt._S3rver_object']);
    expect(filesUnder(root).filter((file) => !file.startsWith(`data/`))).toEqual(['outside/canary.txt._S3rver_object']);
  });
});

describe('keys that only look like escapes stay literal keys of the bucket asked for', () => {
  it.each(LITERAL)('%j is written, listed, read, copied and deleted as itself', async (key) => {
    const put = await app.gql('mutation($b: String!, $k: String!) { putObject(bucket: $b, key: $k, content: "literal") { bucket key } }', {
      b: demo,
      k: key,
    });
    expect(put.errors).toBeUndefined();
    expect(put.data?.putObject).toEqual({ bucket: demo, key });
    const read = await app.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { key text downloadUrl } }', {
      b: demo,
      k: key,
    });
    expect(read.data?.object).toMatchObject({ key, text: 'literal' });
    // The presigned URL, as a browser would normalise and send it, reaches the same object.
    const downloaded = await fetch(new URL(read.data?.object.downloadUrl));
    expect(await downloaded.text()).toBe('literal');
    const listed = await storage.listObjects({ bucket: demo, maxKeys: 100 });
    expect(listed.objects.map((o) => o.key)).toContain(key);
    const copied = await app.gql(
      'mutation($b: String!, $k: String!) { there: copyObject(from: { bucket: $b, key: $k }, to: { bucket: $b, key: "copy.txt" }) { key } back: copyObject(from: { bucket: $b, key: "copy.txt" }, to: { bucket: $b, key: $k }) { key size } }',
      { b: demo, k: key },
    );
    expect(copied.errors).toBeUndefined();
    expect(copied.data?.back).toEqual({ key, size: 7 });
    await storage.deleteObject({ bucket: demo, key: 'copy.txt' });
    const deleted = await app.gql('mutation($b: String!, $k: String!) { deleteObject(bucket: $b, key: $k) }', { b: demo, k: key });
    expect(deleted.data?.deleteObject).toBe(true);
    const secretList = await storage.listObjects({ bucket: secret, maxKeys: 100 });
    expect(secretList.objects.map((o) => o.key)).toEqual(['hidden.csv']);
  });

  it('a folder marker (a key ending in "/") is an ordinary key', async () => {
    const put = await app.gql('mutation($b: String!) { putObject(bucket: $b, key: "folder/", content: "") { key size } }', { b: demo });
    expect(put.errors).toBeUndefined();
    expect(put.data?.putObject).toEqual({ key: 'folder/', size: 0 });
    const deleted = await app.gql('mutation($b: String!) { deleteObject(bucket: $b, key: "folder/") }', { b: demo });
    expect(deleted.data?.deleteObject).toBe(true);
  });
});

describe('invalid bucket names are BAD_USER_INPUT naming the bucket, before S3 is called', () => {
  let open: TestApp;
  beforeAll(async () => {
    open = await startTestApp(
      {},
      { storage: new S3Storage({ endpoint: store.endpoint, credentials: store.credentials, timeoutMs: 10_000, maxAttempts: 1 }) },
    );
  });
  afterAll(async () => {
    await open?.close();
  });

  const NAMES = [
    '',
    'ab',
    'a'.repeat(64),
    'UPPER',
    'Demo',
    '192.168.1.1',
    'a..b',
    'a.-b',
    '-ab',
    'ab-',
    'a_b',
    '..',
    `../${secret}`,
    'a/b',
    'nul\u0000x',
  ];

  it.each(NAMES)('%j in bucket, bucket.objects, object, objects and every mutation', async (name) => {
    const queries: [string, Record<string, unknown>][] = [
      ['query($b: String!) { bucket(name: $b) { name } }', { b: name }],
      ['query($b: String!) { bucket(name: $b) { objects { edges { node { key } } } } }', { b: name }],
      ['query($b: String!) { object(bucket: $b, key: "ok.csv") { text } }', { b: name }],
      ['query($b: String!) { objects(refs: [{ bucket: $b, key: "ok.csv" }]) { text } }', { b: name }],
      ['mutation($b: String!) { createBucket(name: $b) { name } }', { b: name }],
      ['mutation($b: String!) { putObject(bucket: $b, key: "x.txt", content: "x") { key } }', { b: name }],
      [
        'mutation($b: String!, $d: String!) { copyObject(from: { bucket: $d, key: "ok.csv" }, to: { bucket: $b, key: "x.csv" }) { key } }',
        { b: name, d: demo },
      ],
      ['mutation($b: String!) { deleteObject(bucket: $b, key: "x.txt") }', { b: name }],
      ['mutation($b: String!) { deleteObjects(bucket: $b, keys: ["x.txt"]) }', { b: name }],
      ['mutation($b: String!) { createUploadUrl(bucket: $b, key: "x.txt") { url } }', { b: name }],
    ];
    for (const [query, variables] of queries) {
      const result = await open.gql(query, variables);
      expect(codes(result), `${query}: ${JSON.stringify(result.errors)}`).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.message).toContain('Invalid bucket name');
      expect(result.errors?.[0]?.extensions?.bucket).toBe(name);
    }
  });

  it('a key starting with "/" or holding NUL is BAD_USER_INPUT, not NOT_FOUND or UPSTREAM_ERROR', async () => {
    for (const key of ['/ok.csv', 'ok.csv\u0000']) {
      const result = await open.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { key } }', { b: demo, k: key });
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('datasets whose key or prefix leaves the bucket are left out, reading nothing', () => {
  it('a config key or prefix with ".." fails the dataset with the key rule', async () => {
    const config: ConfigFile = {
      datasets: [
        { name: 'leak', bucket: demo, key: `../${secret}/hidden.csv` },
        { name: 'leaks', bucket: demo, prefix: `../${secret}/` },
      ],
    };
    const withConfig = await startTestApp(
      { BUCKETQL_BUCKETS: demo },
      { storage: new S3Storage({ endpoint: store.endpoint, credentials: store.credentials, timeoutMs: 10_000, maxAttempts: 1 }), config },
    );
    try {
      const refreshed = await withConfig.holder?.refresh();
      const failures = refreshed?.failures.map((f) => `${f.name}: ${f.message}`) ?? [];
      expect(failures).toEqual([expect.stringMatching(/^leak: .*Invalid object key/), expect.stringMatching(/^leaks: .*Invalid prefix/)]);
      for (const field of ['leak', 'leaks']) {
        const result = await withConfig.gql(`{ ${field} { rows { edges { node { index } } } } }`);
        expect(JSON.stringify(result)).not.toContain(SECRET);
        expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      }
    } finally {
      await withConfig.close();
    }
  });
});
