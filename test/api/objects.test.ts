// Objects and their metadata, through GraphQL: `object`, `objects(refs)`, every
// S3Object field, formats from extensions (and sniffed), awkward keys, downloadUrl.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { seedObjects } from '../support/seed.js';

let app: TestApp;
const bucket = uniqueBucket('objects');
const second = uniqueBucket('objects-second');

const md5 = (body: string | Buffer) => createHash('md5').update(body).digest('hex');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Bytes that no sniffer takes for text: NULs and control characters. */
const BINARY = Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x00, 0x10, 0x80, 0x00, 0x7f, 0x05, 0x06, 0x07, 0x08, 0x00]);
const ZIP = Buffer.concat([Buffer.from('PK\u0003\u0004'), BINARY]);
const PICKLE = Buffer.from([0x80, 0x04, 0x95, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4b, 0x01, 0x2e]);

const FIELDS = 'bucket key name size etag lastModified contentType metadata format compression';

beforeAll(async () => {
  app = await startTestApp();
  await app.storage.createBucket(bucket);
  await app.storage.createBucket(second);
});

afterAll(() => app?.close());

async function put(
  key: string,
  body: string | Buffer,
  extra: { ContentType?: string; Metadata?: Record<string, string> } = {},
  b = bucket,
) {
  await app.storage.client.send(
    new PutObjectCommand({ Bucket: b, Key: key, Body: typeof body === 'string' ? Buffer.from(body) : body, ...extra }),
  );
}

async function object(key: string, fields: string, b = bucket) {
  const result = await app.gql(`query($b: String!, $k: String!) { object(bucket: $b, key: $k) { ${fields} } }`, { b, k: key });
  expect(result.errors).toBeUndefined();
  return result.data?.object;
}

describe('object(bucket, key)', () => {
  beforeAll(async () => {
    await put('reports/2024/q1.csv', 'region,total\n서울,10\n', {
      ContentType: 'text/csv; charset=utf-8',
      Metadata: { author: 'kim', 'project-id': '42' },
    });
    await put('plain.txt', 'no metadata');
  });

  it('answers every metadata field', async () => {
    const head = await app.storage.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'reports/2024/q1.csv' }));
    const body = Buffer.from('region,total\n서울,10\n');
    expect(await object('reports/2024/q1.csv', FIELDS)).toEqual({
      bucket,
      key: 'reports/2024/q1.csv',
      name: 'q1.csv',
      size: body.length,
      etag: md5(body),
      lastModified: head.LastModified?.toISOString(),
      contentType: 'text/csv; charset=utf-8',
      metadata: { author: 'kim', 'project-id': '42' },
      format: 'CSV',
      compression: 'NONE',
    });
  });

  it('gives the etag without quotes and lastModified as a recent ISO-8601 instant', async () => {
    const before = Date.now();
    await put('fresh.txt', 'fresh');
    const node = await object('fresh.txt', 'etag lastModified size');
    expect(node.etag).toBe(md5('fresh'));
    expect(node.etag).not.toMatch(/"/);
    expect(node.lastModified).toMatch(ISO);
    // S3 keeps modification times to the second.
    expect(Date.parse(node.lastModified)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(Date.parse(node.lastModified)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(node.size).toBe(5);
    expect(typeof node.size).toBe('number');
  });

  it('gives {} as metadata when there is none', async () => {
    expect(await object('plain.txt', 'metadata')).toEqual({ metadata: {} });
  });

  it('is null when the key or the bucket does not exist', async () => {
    const result = await app.gql(
      'query($b: String!, $m: String!) { a: object(bucket: $b, key: "missing.txt") { key } b: object(bucket: $m, key: "plain.txt") { key } }',
      {
        b: bucket,
        m: uniqueBucket('missing'),
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: null, b: null });
  });

  it('gives the same metadata in a listing as from object()', async () => {
    const result = await app.gql(
      `query($b: String!) { bucket(name: $b) { objects(prefix: "reports/") { edges { node { ${FIELDS} } } } } object(bucket: $b, key: "reports/2024/q1.csv") { ${FIELDS} } }`,
      { b: bucket },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.bucket.objects.edges).toEqual([{ node: result.data?.object }]);
  });
});

describe('objects(refs)', () => {
  beforeAll(async () => {
    await seedObjects(app.storage, bucket, { 'refs/one.txt': '1', 'refs/two.txt': '22', 'refs/three.txt': '333' });
    await seedObjects(app.storage, second, { 'refs/one.txt': 'other bucket' });
  });

  it('answers in the order of refs, with null where an object or its bucket is missing', async () => {
    const missingBucket = uniqueBucket('missing');
    const refs = [
      { bucket, key: 'refs/three.txt' },
      { bucket, key: 'refs/nope.txt' },
      { bucket: second, key: 'refs/one.txt' },
      { bucket, key: 'refs/one.txt' },
      { bucket: missingBucket, key: 'refs/one.txt' },
      { bucket, key: 'refs/three.txt' },
      { bucket, key: 'refs/two.txt' },
    ];
    const result = await app.gql('query($refs: [ObjectRef!]!) { objects(refs: $refs) { bucket key size etag } }', { refs });
    expect(result.errors).toBeUndefined();
    expect(result.data?.objects).toEqual([
      { bucket, key: 'refs/three.txt', size: 3, etag: md5('333') },
      null,
      { bucket: second, key: 'refs/one.txt', size: 12, etag: md5('other bucket') },
      { bucket, key: 'refs/one.txt', size: 1, etag: md5('1') },
      null,
      { bucket, key: 'refs/three.txt', size: 3, etag: md5('333') },
      { bucket, key: 'refs/two.txt', size: 2, etag: md5('22') },
    ]);
  });

  it('answers [] for no refs', async () => {
    const result = await app.gql('{ objects(refs: []) { key } }');
    expect(result).toEqual({ data: { objects: [] } });
  });
});

describe('format and compression', () => {
  const CASES: [key: string, body: string | Buffer, format: string, compression: string][] = [
    ['f/data.csv', 'a,b\n1,2\n', 'CSV', 'NONE'],
    ['f/data.tsv', 'a\tb\n1\t2\n', 'TSV', 'NONE'],
    ['f/book.xlsx', ZIP, 'XLSX', 'NONE'],
    ['f/value.json', '{"a":1}', 'JSON', 'NONE'],
    ['f/lines.ndjson', '{"a":1}\n', 'NDJSON', 'NONE'],
    ['f/lines.jsonl', '{"a":1}\n', 'NDJSON', 'NONE'],
    ['f/frame.pkl', PICKLE, 'PICKLE', 'NONE'],
    ['f/frame.pickle', PICKLE, 'PICKLE', 'NONE'],
    ['f/notes.txt', 'notes', 'TEXT', 'NONE'],
    ['f/README.md', '# readme', 'TEXT', 'NONE'],
    ['f/UPPER.CSV', 'a,b\n1,2\n', 'CSV', 'NONE'],
    ['f/Mixed.Json', '[]', 'JSON', 'NONE'],
    ['f/BOOK.XLSX', ZIP, 'XLSX', 'NONE'],
    ['f/LINES.JSONL', '{}\n', 'NDJSON', 'NONE'],
    ['f/FRAME.PKL', PICKLE, 'PICKLE', 'NONE'],
    ['f/data.csv.gz', gzipSync('a,b\n1,2\n'), 'CSV', 'GZIP'],
    ['f/DATA.CSV.GZ', gzipSync('a,b\n1,2\n'), 'CSV', 'GZIP'],
    ['f/value.json.gz', gzipSync('{"a":1}'), 'JSON', 'GZIP'],
    ['f/lines.ndjson.gz', gzipSync('{"a":1}\n'), 'NDJSON', 'GZIP'],
    ['f/notes.txt.gz', gzipSync('notes'), 'TEXT', 'GZIP'],
    ['f/frame.pkl.gz', gzipSync(PICKLE), 'PICKLE', 'GZIP'],
    ['f/picture.png', BINARY, 'BINARY', 'NONE'],
    // No known extension: sniffed from the first bytes (decompressed for .gz).
    ['f/unknown.dat', 'just some words\nand more words\n', 'TEXT', 'NONE'],
    ['f/unknown-korean.dat', '안녕하세요, 세계\n', 'TEXT', 'NONE'],
    ['f/unknown-binary.dat', BINARY, 'BINARY', 'NONE'],
    ['f/no-extension', 'plain words', 'TEXT', 'NONE'],
    ['f/no-extension-binary', BINARY, 'BINARY', 'NONE'],
    ['f/empty.dat', '', 'TEXT', 'NONE'],
    ['f/archive.gz', gzipSync('text inside gzip'), 'TEXT', 'GZIP'],
    ['f/blob.bin.gz', gzipSync(BINARY), 'BINARY', 'GZIP'],
    ['f/unknown.dat.gz', gzipSync(BINARY), 'BINARY', 'GZIP'],
    ['f/.hidden', 'dot file, no extension', 'TEXT', 'NONE'],
  ];

  beforeAll(async () => {
    await seedObjects(app.storage, bucket, Object.fromEntries(CASES.map(([key, body]) => [key, body])));
  });

  it.each(CASES.map(([key, , format, compression]) => ({ key, format, compression })))(
    '$key is $format, compression $compression',
    async ({ key, format, compression }) => {
      expect(await object(key, 'format compression')).toEqual({ format, compression });
    },
  );

  it('is the same from a listing as from object()', async () => {
    const result = await app.gql(
      'query($b: String!) { bucket(name: $b) { objects(prefix: "f/", first: 100) { edges { node { key format compression } } } } }',
      {
        b: bucket,
      },
    );
    expect(result.errors).toBeUndefined();
    const got = Object.fromEntries(
      ((result.data?.bucket.objects.edges ?? []) as { node: { key: string; format: string; compression: string } }[]).map(({ node }) => [
        node.key,
        [node.format, node.compression],
      ]),
    );
    expect(got).toEqual(Object.fromEntries(CASES.map(([key, , format, compression]) => [key, [format, compression]])));
  });
});

describe('keys with spaces, +, %, Korean text and deep paths', () => {
  const KEYS = [
    'space dir/file with spaces.txt',
    'plus/a+b=c.txt',
    'percent/100% sure %20 %2F.txt',
    '한국어/보고서 2024.txt',
    'a/b/c/d/e.txt',
    "mixed/ünïcödé & ~tilde~ (1) [x] {y} ;:@,$!'*.txt",
  ];
  const bodyOf = (key: string) => `contents of ${key}\n`;

  beforeAll(async () => {
    for (const key of KEYS) await put(key, bodyOf(key), { ContentType: 'text/plain; charset=utf-8', Metadata: { source: 'test' } });
  });

  it.each(KEYS)('%s reads back through every field', async (key) => {
    const body = Buffer.from(bodyOf(key));
    const node = await object(key, `${FIELDS} text`);
    expect(node).toEqual({
      bucket,
      key,
      name: key.slice(key.lastIndexOf('/') + 1),
      size: body.length,
      etag: md5(body),
      lastModified: expect.stringMatching(ISO),
      contentType: 'text/plain; charset=utf-8',
      metadata: { source: 'test' },
      format: 'TEXT',
      compression: 'NONE',
      text: bodyOf(key),
    });
  });

  it.each(KEYS)('%s is listed under its prefix and found by objects(refs)', async (key) => {
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    const result = await app.gql(
      'query($b: String!, $p: String!, $refs: [ObjectRef!]!) { bucket(name: $b) { objects(prefix: $p, delimiter: "/") { edges { node { key name text } } } } objects(refs: $refs) { key text } }',
      { b: bucket, p: prefix, refs: [{ bucket, key }] },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.bucket.objects.edges).toEqual([{ node: { key, name: key.slice(prefix.length), text: bodyOf(key) } }]);
    expect(result.data?.objects).toEqual([{ key, text: bodyOf(key) }]);
  });

  it.each(KEYS)('%s downloads through its downloadUrl', async (key) => {
    const node = await object(key, 'downloadUrl');
    const response = await fetch(node.downloadUrl);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bodyOf(key)))).toBe(true);
  });
});

describe('downloadUrl', () => {
  const BYTES = Buffer.concat([BINARY, Buffer.from('한글 text'), gzipSync('inner')]);

  beforeAll(async () => {
    await put('download/blob.bin', BYTES);
  });

  it('is a presigned GET of the exact stored bytes, valid for 900 seconds by default', async () => {
    const node = await object('download/blob.bin', 'downloadUrl');
    const url = new URL(node.downloadUrl);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(BYTES)).toBe(true);
  });

  it('takes expiresIn from 1 second to 7 days', async () => {
    const result = await app.gql(
      'query($b: String!) { object(bucket: $b, key: "download/blob.bin") { min: downloadUrl(expiresIn: 1) max: downloadUrl(expiresIn: 604800) } }',
      {
        b: bucket,
      },
    );
    expect(result.errors).toBeUndefined();
    expect(new URL(result.data?.object.min).searchParams.get('X-Amz-Expires')).toBe('1');
    expect(new URL(result.data?.object.max).searchParams.get('X-Amz-Expires')).toBe('604800');
  });

  it.each([0, -5, 604801])('refuses expiresIn: %i as BAD_USER_INPUT', async (expiresIn) => {
    const result = await app.gql(
      'query($b: String!, $e: Int!) { object(bucket: $b, key: "download/blob.bin") { key downloadUrl(expiresIn: $e) } }',
      {
        b: bucket,
        e: expiresIn,
      },
    );
    expect(result.data).toEqual({ object: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.path).toEqual(['object', 'downloadUrl']);
    expect(result.errors?.[0]?.message).toContain('604800');
  });
});
