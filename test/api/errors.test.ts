// Errors, through GraphQL: every error carries one of the contract's codes, a
// failing field leaves its siblings alone, S3 being down or failing maps to the
// UPSTREAM_* codes (and /healthz says 503), and no message leaks internals.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, startTestApp, storeCredentials, type TestApp, uniqueBucket } from '../support/app.js';
import { ANSWER_CODES, ErrorSweep } from '../support/error-sweep.js';
import { seedObjects } from '../support/seed.js';

const S3_DOWN_ENV = { BUCKETQL_S3_MAX_ATTEMPTS: '1', BUCKETQL_S3_TIMEOUT_MS: '2000' };

/** Every error answer of this file, for the sweep at the end. */
const sweep = new ErrorSweep();

let app: TestApp;
const bucket = uniqueBucket('errors');

async function gql(on: TestApp, query: string, variables?: Record<string, unknown>) {
  const result = await on.gql(query, variables);
  sweep.add(result);
  return result;
}

/** POSTs a raw body to /graphql, for requests the harness's gql() cannot make. */
async function post(on: TestApp, body: string): Promise<{ status: number; json: GraphQLResponse }> {
  const response = await fetch(`${on.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = (await response.json()) as GraphQLResponse;
  sweep.add(json);
  return { status: response.status, json };
}

function codes(result: GraphQLResponse): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function healthz(on: TestApp): Promise<{ status: number; body: unknown; cacheControl: string | null }> {
  const response = await fetch(`${on.url}/healthz`);
  return { status: response.status, body: await response.json(), cacheControl: response.headers.get('cache-control') };
}

beforeAll(async () => {
  app = await startTestApp();
  await app.storage.createBucket(bucket);
  await seedObjects(app.storage, bucket, {
    'ok.txt': 'fine',
    'blob.bin': Buffer.from([0, 1, 2, 3, 0, 0xff, 0xfe, 0]),
    'broken.json': '{"a": [1, 2,, 3]}',
    'broken.ndjson': '{"a":1}\n{"a":\n',
    'data.csv': 'a,b\n1,2\n',
  });
});

afterAll(() => app?.close());

describe('documents that do not parse or validate', () => {
  it('answers GRAPHQL_PARSE_FAILED for a syntax error', async () => {
    const result = await gql(app, '{ buckets { name }');
    expect(result.data).toBeUndefined();
    expect(codes(result)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(result.errors?.[0]?.message).toMatch(/^Syntax Error/);
  });

  it('answers GRAPHQL_VALIDATION_FAILED for an unknown field or argument', async () => {
    const field = await gql(app, '{ buckets { name sizeOnDisk } }');
    expect(field.data).toBeUndefined();
    expect(codes(field)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(field.errors?.[0]?.message).toContain('sizeOnDisk');
    const argument = await gql(app, '{ bucket(name: "x", region: "eu") { name } }');
    expect(codes(argument)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('answers GRAPHQL_VALIDATION_FAILED for a missing required argument and a wrong literal type', async () => {
    expect(codes(await gql(app, '{ bucket { name } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await gql(app, '{ bucket(name: 5) { name } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('answers GRAPHQL_VALIDATION_FAILED beyond the query limits (depth)', async () => {
    const deep = `{ ${'bucket(name: "no-such-bucket") { objects { edges { node { key } } } }'.replace('key', '__typename')} }`;
    expect((await gql(app, deep)).errors).toBeUndefined();
    const tooDeep = await startTestApp({ BUCKETQL_MAX_DEPTH: '3' });
    try {
      const result = await gql(tooDeep, deep);
      expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    } finally {
      await tooDeep.close();
    }
  });

  it('answers BAD_USER_INPUT for variables of the wrong type, missing ones and an unknown operation', async () => {
    const wrongType = await gql(app, 'query($b: String!) { bucket(name: $b) { name } }', { b: 5 });
    expect(codes(wrongType)).toEqual(['BAD_USER_INPUT']);
    const missing = await gql(app, 'query($b: String!) { bucket(name: $b) { name } }', {});
    expect(codes(missing)).toEqual(['BAD_USER_INPUT']);
    const { json } = await post(app, JSON.stringify({ query: 'query A { buckets { name } }', operationName: 'B' }));
    expect(codes(json)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers an error with a code for a body that is not GraphQL at all', async () => {
    const { status, json } = await post(app, '{"query": ');
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(json.errors?.length).toBeGreaterThan(0);
    for (const code of codes(json)) expect(ANSWER_CODES).toContain(code);
  });
});

describe('a failing field', () => {
  it('does not take down its sibling fields', async () => {
    const result = await gql(
      app,
      `query($b: String!) {
        good: object(bucket: $b, key: "ok.txt") { key text }
        bad: object(bucket: $b, key: "blob.bin") { key text }
        list: bucket(name: $b) { objects(first: 0) { edges { cursor } } }
        json: object(bucket: $b, key: "broken.json") { key json }
        csv: object(bucket: $b, key: "data.csv") { key json content }
        buckets { name }
      }`,
      { b: bucket },
    );
    expect(result.data?.good).toEqual({ key: 'ok.txt', text: 'fine' });
    expect(result.data?.bad).toBeNull();
    expect(result.data?.list).toBeNull();
    expect(result.data?.json).toEqual({ key: 'broken.json', json: null });
    expect(result.data?.csv).toEqual({ key: 'data.csv', json: null, content: [{ a: 1, b: 2 }] });
    expect(result.data?.buckets.map((b: { name: string }) => b.name)).toContain(bucket);
    const byPath = Object.fromEntries((result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]));
    expect(byPath).toEqual({
      'bad.text': 'BAD_USER_INPUT',
      'list.objects': 'BAD_USER_INPUT',
      'json.json': 'DECODE_FAILED',
      'csv.json': 'BAD_USER_INPUT',
    });
  });

  it('says where a JSON or NDJSON object fails to decode', async () => {
    const json = await gql(app, 'query($b: String!) { object(bucket: $b, key: "broken.json") { json } }', { b: bucket });
    expect(codes(json)).toEqual(['DECODE_FAILED']);
    expect(json.errors?.[0]?.message).toMatch(/line 1/);
    const ndjson = await gql(app, 'query($b: String!) { object(bucket: $b, key: "broken.ndjson") { json } }', { b: bucket });
    expect(codes(ndjson)).toEqual(['DECODE_FAILED']);
    expect(ndjson.errors?.[0]?.message).toMatch(/line 2/);
  });
});

describe('S3 that is down', () => {
  let down: TestApp;

  beforeAll(async () => {
    down = await startTestApp(S3_DOWN_ENV, { endpoint: `http://127.0.0.1:${await closedPort()}` });
  });

  afterAll(() => down?.close());

  it.each([
    ['buckets', '{ buckets { name } }', ['buckets']],
    ['bucket', '{ bucket(name: "some-bucket") { name } }', ['bucket']],
    ['object', '{ object(bucket: "some-bucket", key: "a.txt") { key } }', ['object']],
    ['objects', '{ objects(refs: [{ bucket: "some-bucket", key: "a.txt" }]) { key } }', ['objects']],
  ])('answers %s with UPSTREAM_UNAVAILABLE', async (_, query, path) => {
    const started = Date.now();
    const result = await gql(down, query);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(result.errors?.[0]?.path).toEqual(path);
    expect(result.errors?.[0]?.message).toMatch(/S3/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('answers /healthz with 503, and 200 when S3 is up', async () => {
    expect(await healthz(down)).toEqual({ status: 503, body: { status: 'unavailable', reason: 'unreachable' }, cacheControl: 'no-store' });
    expect(await healthz(app)).toEqual({ status: 200, body: { status: 'ok' }, cacheControl: 'no-store' });
  });

  it('keeps serving GraphQL documents that need no S3', async () => {
    expect(await down.gql('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('S3 that accepts connections and never answers', () => {
  let silent: TcpServer;
  const sockets = new Set<Socket>();
  let hung: TestApp;

  beforeAll(async () => {
    silent = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    hung = await startTestApp(S3_DOWN_ENV, { endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
  });

  afterAll(async () => {
    await hung?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('times out after BUCKETQL_S3_TIMEOUT_MS with UPSTREAM_UNAVAILABLE', async () => {
    const started = Date.now();
    const result = await gql(hung, '{ object(bucket: "some-bucket", key: "a.txt") { key } }');
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('answers /healthz with 503 within a few seconds', async () => {
    const started = Date.now();
    expect((await healthz(hung)).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('S3 that answers with errors', () => {
  let fake: Server;
  let reply: { status: number; code: string; message: string } = { status: 500, code: 'InternalError', message: '' };
  let failing: TestApp;

  beforeAll(async () => {
    fake = createServer((req, res) => {
      req.resume();
      // What careless stores put in messages: paths, stacks, credentials.
      const message =
        reply.message || `boom at Object.<anonymous> (/work/main/node_modules/s3/x.js:1:2) key=${storeCredentials().secretAccessKey}`;
      res.writeHead(reply.status, { 'content-type': 'application/xml' });
      res.end(
        req.method === 'HEAD'
          ? undefined
          : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${reply.code}</Code><Message>${escapeXml(message)}</Message><RequestId>1</RequestId></Error>`,
      );
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    failing = await startTestApp(S3_DOWN_ENV, { endpoint: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` });
  });

  afterAll(async () => {
    await failing?.close();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  it.each([
    [500, 'InternalError', 'UPSTREAM_ERROR'],
    [503, 'SlowDown', 'UPSTREAM_UNAVAILABLE'],
    [503, 'ServiceUnavailable', 'UPSTREAM_UNAVAILABLE'],
    [403, 'AccessDenied', 'FORBIDDEN'],
    [403, 'InvalidAccessKeyId', 'FORBIDDEN'],
    [400, 'InvalidBucketName', 'BAD_USER_INPUT'],
    [501, 'NotImplemented', 'UPSTREAM_ERROR'],
  ])('maps HTTP %i %s to %s', async (status, code, expected) => {
    reply = { status, code, message: '' };
    const result = await gql(failing, '{ buckets { name } }');
    expect(codes(result)).toEqual([expected]);
    expect(result.errors?.[0]?.path).toEqual(['buckets']);
  });

  it('maps an error on HEAD (no body to read a code from) by its status', async () => {
    reply = { status: 403, code: 'AccessDenied', message: '' };
    expect(codes(await gql(failing, '{ object(bucket: "some-bucket", key: "a.txt") { key } }'))).toEqual(['FORBIDDEN']);
    reply = { status: 500, code: 'InternalError', message: '' };
    expect(codes(await gql(failing, '{ object(bucket: "some-bucket", key: "a.txt") { key } }'))).toEqual(['UPSTREAM_ERROR']);
  });

  it('answers /healthz with 200 when S3 answers at all (even access denied), 503 on 5xx', async () => {
    reply = { status: 403, code: 'AccessDenied', message: '' };
    expect((await healthz(failing)).status).toBe(200);
    reply = { status: 503, code: 'ServiceUnavailable', message: '' };
    expect((await healthz(failing)).status).toBe(503);
    reply = { status: 500, code: 'InternalError', message: '' };
    expect((await healthz(failing)).status).toBe(503);
  });
});

describe('the errors of other areas', () => {
  it.each([
    ['a malformed listing cursor', '{ bucket(name: $b) { objects(after: "nope") { edges { cursor } } } }', 'BAD_USER_INPUT'],
    ['first beyond 1000', '{ bucket(name: $b) { objects(first: 1001) { edges { cursor } } } }', 'BAD_USER_INPUT'],
    ['an unknown encoding', '{ object(bucket: $b, key: "ok.txt") { text(encoding: "klingon") } }', 'BAD_USER_INPUT'],
    ['expiresIn beyond 7 days', '{ object(bucket: $b, key: "ok.txt") { downloadUrl(expiresIn: 604801) } }', 'BAD_USER_INPUT'],
    ['content of a binary object', '{ object(bucket: $b, key: "blob.bin") { content } }', 'BAD_USER_INPUT'],
    ['a table of a text object', '{ object(bucket: $b, key: "ok.txt") { table { rowCount } } }', 'BAD_USER_INPUT'],
    [
      'an unknown column',
      '{ object(bucket: $b, key: "data.csv") { table { rows(orderBy: [{ column: "zzz" }]) { totalCount } } } }',
      'BAD_USER_INPUT',
    ],
    [
      'a malformed row cursor',
      '{ object(bucket: $b, key: "data.csv") { table { rows(after: "nope") { totalCount } } } }',
      'BAD_USER_INPUT',
    ],
    ['invalid JSON', '{ object(bucket: $b, key: "broken.json") { content } }', 'DECODE_FAILED'],
  ])('%s is %s', async (_, selection, code) => {
    const result = await gql(app, `query($b: String!) ${selection}`, { b: bucket });
    expect(codes(result)).toEqual([code]);
  });
});

sweep.describe({ atLeast: 35 });
