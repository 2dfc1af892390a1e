// Hostile multipart requests (the GraphQL multipart request spec, hand-written): map
// paths that name nothing or walk into prototypes, operations of the wrong shape, a
// file announced that never comes, a client that leaves while a file waits for a later
// part, and uploads over BUCKETQL_MAX_UPLOAD_BYTES sent by Node's fetch. Each gets a
// 400 or 413 with a clear message that the client can read; the process survives,
// Object.prototype is untouched, and nothing is left behind (object, temp file, parts).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, startTestApp, type TestApp, testStorage, uniqueBucket } from '../support/app.js';
import { gql, startBucketqlChild, stopChild } from '../support/bucketql-child.js';
import { multipartFrame, PREFLIGHT, postForm, uploadForm } from '../support/multipart.js';
import { recordS3Commands, type SentCommand } from '../support/s3-spy.js';

const MiB = 1024 * 1024;
const BOUNDARY = '----bucketqlHostileBoundary';
const UPLOAD = 'mutation($b: String!, $k: String!, $f: File!) { uploadFile(bucket: $b, key: $k, file: $f) { key size } }';
const bucket = uniqueBucket('hostile-multipart');

let app: TestApp;
let sent: SentCommand[];

beforeAll(async () => {
  const storage = testStorage();
  sent = recordS3Commands(storage);
  app = await startTestApp({ BUCKETQL_MAX_UPLOAD_BYTES: '3MiB' }, { storage });
  await app.storage.createBucket(bucket);
});
afterAll(() => app?.close());

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
}

function body(parts: Part[], end = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    const type = part.filename ? '\r\nContent-Type: application/octet-stream' : '';
    chunks.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`),
      Buffer.from(part.value),
      Buffer.from('\r\n'),
    );
  }
  if (end) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

async function send(parts: Part[]): Promise<{ status: number; json: GraphQLResponse }> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { ...PREFLIGHT, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: new Uint8Array(body(parts)),
  });
  const text = await response.text();
  let json: GraphQLResponse;
  try {
    json = JSON.parse(text) as GraphQLResponse;
  } catch {
    json = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: response.status, json };
}

const operations = (key: string, variables: Record<string, unknown> = {}) =>
  JSON.stringify({ query: UPLOAD, variables: { b: bucket, k: key, f: null, ...variables } });
const file: Part = { name: '0', value: 'hello', filename: 'a.txt' };

async function stillServing(): Promise<void> {
  const result = await app.gql('{ buckets { name } }');
  expect(result.errors).toBeUndefined();
  const form = uploadForm(UPLOAD, { b: bucket, k: 'after/ok.txt' }, { f: new File(['fine'], 'ok.txt') });
  expect((await postForm(app.url, form)).body).toMatchObject({ data: { uploadFile: { size: 4 } } });
}

const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
};

describe('a map whose paths name nothing in operations', () => {
  it.each([
    ['variables.nope', { '0': ['variables.nope'] }],
    ['query.x', { '0': ['query.x'] }],
    ['__proto__.x', { '0': ['__proto__.x'] }],
    ['variables.__proto__', { '0': ['variables.__proto__'] }],
    ['constructor.prototype.x', { '0': ['constructor.prototype.x'] }],
    ['variables.f.x', { '0': ['variables.f.x'] }],
    ['an empty path', { '0': [''] }],
    ['a path that is not a string', { '0': [7] }],
    ['a map that is an array', [['variables.f']]],
    ['a map that is null', null],
  ])('%s: HTTP 400 BAD_USER_INPUT naming the problem; nothing written', async (_, map) => {
    const key = `map/${Math.random().toString(36).slice(2)}.txt`;
    const { status, json } = await send([
      { name: 'operations', value: operations(key) },
      { name: 'map', value: JSON.stringify(map) },
      file,
    ]);
    expect(status).toBe(400);
    expect(json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(json.errors?.[0]?.message).toMatch(/multipart/);
    expect(await app.storage.headObject({ bucket, key })).toBeNull();
    await stillServing();
  });

  it('operations that are an array (a batch), or not an object: HTTP 400', async () => {
    for (const value of [`[${operations('map/batch.txt')}]`, '"x"', 'null', '7']) {
      const { status, json } = await send([
        { name: 'operations', value },
        { name: 'map', value: JSON.stringify({ '0': ['0.variables.f'] }) },
        file,
      ]);
      expect(status, value).toBe(400);
      expect(json.errors?.[0]?.extensions?.code, value).toBe('BAD_USER_INPUT');
    }
    await stillServing();
  });
});

describe('a map that walks into a prototype', () => {
  it('cannot replace Object.prototype.hasOwnProperty, or anything else', async () => {
    const before = Object.prototype.hasOwnProperty;
    for (const path of [
      'variables.__proto__.hasOwnProperty',
      'variables.constructor.prototype.hasOwnProperty',
      '__proto__.toString',
      'variables.f.__proto__.polluted',
    ]) {
      const { status, json } = await send([
        { name: 'operations', value: operations('proto/x.txt') },
        { name: 'map', value: JSON.stringify({ '0': ['variables.f', path] }) },
        file,
      ]);
      expect(status, path).toBe(400);
      expect(json.errors?.[0]?.message, path).toMatch(/multipart map/);
    }
    expect(Object.prototype.hasOwnProperty).toBe(before);
    expect(Object.prototype.toString).toBe(Object.prototype.toString);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await app.storage.headObject({ bucket, key: 'proto/x.txt' })).toBeNull();
    await stillServing();
  });
});

describe('a file that never arrives', () => {
  it('announced by map, with no part: HTTP 200 with BAD_USER_INPUT for the field (or 400), nothing written, the server lives', async () => {
    const { status, json } = await send([
      { name: 'operations', value: operations('missing/never.txt') },
      { name: 'map', value: JSON.stringify({ '0': ['variables.f'] }) },
    ]);
    expect([200, 400]).toContain(status);
    expect(json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(json.errors?.[0]?.message).toMatch(/ended before this file|never|missing/i);
    expect(await app.storage.headObject({ bucket, key: 'missing/never.txt' })).toBeNull();
    await stillServing();
  });

  it('two files announced, one part sent, the other field waiting: BAD_USER_INPUT, nothing written', async () => {
    const query = `mutation($b: String!, $one: File!, $two: File!) {
      a: uploadFile(bucket: $b, key: "missing/one.txt", file: $one) { size }
      b: uploadFile(bucket: $b, key: "missing/two.txt", file: $two) { size }
    }`;
    const { json } = await send([
      { name: 'operations', value: JSON.stringify({ query, variables: { b: bucket, one: null, two: null } }) },
      { name: 'map', value: JSON.stringify({ '0': ['variables.one'], '1': ['variables.two'] }) },
      { name: '1', value: 'second', filename: 'two.txt' },
    ]);
    expect((json.errors ?? []).map((e) => e.extensions?.code)).toContain('BAD_USER_INPUT');
    expect(await app.storage.headObject({ bucket, key: 'missing/one.txt' })).toBeNull();
    await stillServing();
  });
});

describe('a client that leaves while a file waits for a later part', () => {
  it('leaves no temporary file, no object and no multipart upload; the server lives', async () => {
    // Field `a` reads `one`, sent second; `two` comes first and is set aside, then the client goes.
    const query = `mutation($b: String!, $one: File!, $two: File!) {
      a: uploadFile(bucket: $b, key: "gone/one.bin", file: $one) { size }
      b: uploadFile(bucket: $b, key: "gone/two.bin", file: $two) { size }
    }`;
    const frame = multipartFrame(query, { b: bucket }, [
      { variable: 'two', filename: 'two.bin', type: 'application/octet-stream' },
      { variable: 'one', filename: 'one.bin', type: 'application/octet-stream' },
    ]);
    const tempFiles = () => readdirSync(tmpdir()).filter((name) => name.startsWith('bucketql-upload-'));
    const before = new Set(tempFiles());
    const newTemp = () => tempFiles().filter((name) => !before.has(name));
    const commands = sent.length;
    await new Promise<void>((resolve) => {
      const req = request(`${app.url}/graphql`, {
        method: 'POST',
        headers: { ...PREFLIGHT, 'content-type': frame.contentType, 'content-length': String(3 * MiB - 1) },
      });
      req.on('error', () => undefined);
      req.write(Buffer.concat([frame.head, frame.partHeader(0), Buffer.alloc(256 * 1024, 1)]));
      void waitFor(() => newTemp().length > 0, 5000).then(() => {
        req.destroy();
        resolve();
      });
    });
    expect(await waitFor(() => newTemp().length === 0)).toBe(true);
    expect(await app.storage.headObject({ bucket, key: 'gone/one.bin' })).toBeNull();
    expect(await app.storage.headObject({ bucket, key: 'gone/two.bin' })).toBeNull();
    const names = sent.slice(commands).map((c) => c.name);
    expect(names).not.toContain('PutObjectCommand');
    expect(names).not.toContain('CompleteMultipartUploadCommand');
    await stillServing();
  });
});

describe('an upload over BUCKETQL_MAX_UPLOAD_BYTES, from Node’s fetch in another process', () => {
  // A client in this process shares its event loop with an in-process server, which hides
  // the race: bucketql runs in a child process here, as it does for real clients.
  let child: ChildProcess;
  let url: string;
  let dataDir: string;
  const objectQuery = 'query($k: String!) { object(bucket: "edge", key: $k) { size } }';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bucketql-test-413-'));
    ({ child, url } = await startBucketqlChild(dataDir, { BUCKETQL_MAX_UPLOAD_BYTES: '3MiB' }));
    await gql(url, 'mutation { createBucket(name: "edge") { name } }');
  }, 60_000);
  afterAll(async () => {
    if (child) await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const uploadsLeft = () => {
    const dir = join(dataDir, 'edge', '._S3rver_uploads');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  // Up to the bound on what bucketql reads of a refused body (16 MiB): beyond it, the connection is closed.
  it.each([4, 12])(
    'declared too large (%i MiB, Content-Length): the client reads HTTP 413 PAYLOAD_TOO_LARGE, not EPIPE',
    async (mib) => {
      const form = uploadForm(UPLOAD, { b: 'edge', k: 'big/declared.bin' }, { f: new File([Buffer.alloc(mib * MiB, 7)], 'big.bin') });
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: PREFLIGHT, body: form });
      expect(response.status).toBe(413);
      const json = (await response.json()) as GraphQLResponse;
      expect(json.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
      expect(json.errors?.[0]?.message).toMatch(/BUCKETQL_MAX_UPLOAD_BYTES/);
      expect(await gql(url, objectQuery, { k: 'big/declared.bin' })).toEqual({ object: null });
    },
    60_000,
  );

  it('streamed with no declared length (8 MiB), crossing the limit mid-way: the client reads 413; nothing written, no parts left', async () => {
    const frame = multipartFrame(UPLOAD, { b: 'edge', k: 'big/streamed.bin' }, [
      { variable: 'f', filename: 'big.bin', type: 'application/octet-stream' },
    ]);
    const chunks = [
      frame.head,
      frame.partHeader(0),
      ...Array.from({ length: 64 }, () => Buffer.alloc(128 * 1024, 3)),
      frame.partEnd,
      frame.tail,
    ];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(new Uint8Array(next));
        else controller.close();
      },
    });
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { ...PREFLIGHT, 'content-type': frame.contentType },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    const json = (await response.json()) as GraphQLResponse;
    expect(json.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(json.errors?.[0]?.extensions?.http).toBeUndefined();
    expect(await gql(url, objectQuery, { k: 'big/streamed.bin' })).toEqual({ object: null });
    // bucketql aborts the multipart upload it started; the embedded store keeps no parts of it.
    expect(await waitFor(() => uploadsLeft().length === 0)).toBe(true);
  }, 60_000);

  it('the server still serves afterwards', async () => {
    expect(await gql(url, '{ buckets { name } }')).toEqual({ buckets: [{ name: 'edge' }] });
  });
});
