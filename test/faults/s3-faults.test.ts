// S3 failing in the ways networks and stores fail, through a fault-injecting proxy
// between bucketql and the test S3 server: latency, resets before an answer and in
// the middle of a body, 500 and 503 SlowDown, a body that stalls, a connect that never
// completes, S3 down and back. bucketql retries where the SDK should (attempts
// counted at the proxy), gives up on time, answers UPSTREAM_UNAVAILABLE /
// UPSTREAM_ERROR, says so on /healthz, leaks no socket, and never leaves half an
// object behind a failed write.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/server/log.js';
import { S3Storage } from '../../src/storage/s3.js';
import { type GraphQLResponse, startTestApp, storeCredentials, type TestApp, testStorage, uniqueBucket } from '../support/app.js';
import { ErrorSweep } from '../support/error-sweep.js';
import {
  type Attempt,
  appBehindProxy,
  type FaultProxy,
  openFds,
  socketsTo,
  startBlackhole,
  startFaultProxy,
} from '../support/fault-proxy.js';
import { PREFLIGHT, postForm, uploadForm } from '../support/multipart.js';
import { recordS3Commands } from '../support/s3-spy.js';
import { seedObjects } from '../support/seed.js';

const TIMEOUT_MS = 1000;
const ENV = { BUCKETQL_S3_TIMEOUT_MS: String(TIMEOUT_MS), BUCKETQL_S3_MAX_ATTEMPTS: '3' };
const bucket = uniqueBucket('faults');
/** About 1 MB of CSV: big enough for a fault in the middle of its body. */
const CSV = `id,name,value\n${Array.from({ length: 40_000 }, (_, i) => `${i},name-${i},${i * 3}`).join('\n')}\n`;

let direct: S3Storage;
let proxy: FaultProxy;

/** Every error answer of this file, for the sweep at the end. */
const sweep = new ErrorSweep();

async function record(on: TestApp, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Record<string, any>>> {
  const result = await on.gql(query, variables);
  sweep.add(result);
  return result;
}

function codes(result: GraphQLResponse): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

function attemptsSince(from: number, filter: (a: Attempt) => boolean): Attempt[] {
  return proxy.attempts.slice(from).filter(filter);
}

const isGet = (key: string) => (a: { method: string; path: string }) => a.method === 'GET' && a.path === `/${bucket}/${key}`;
const isHead = (key: string) => (a: { method: string; path: string }) => a.method === 'HEAD' && a.path === `/${bucket}/${key}`;
const isPut = (key: string) => (a: { method: string; path: string }) => a.method === 'PUT' && a.path === `/${bucket}/${key}`;

const TEXT = `query($b: String!, $k: String!) { object(bucket: $b, key: $k) { key text } }`;
const ROWS = `query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rows(first: 5) { totalCount edges { node { index } } } } } }`;

/** Waits until the proxy has no connection left that someone still holds. */
async function settled(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (proxy.connections() > 0 || socketsTo(proxy.port) > 0)) await new Promise((r) => setTimeout(r, 100));
}

beforeAll(async () => {
  direct = testStorage();
  await direct.createBucket(bucket);
  await seedObjects(direct, bucket, { 'data.csv': CSV, 'small.txt': 'small and fine' });
  proxy = await startFaultProxy(inject('s3Endpoint'));
});

afterAll(async () => {
  await proxy?.close();
  direct?.destroy();
});

describe('retries (attempts counted at the proxy)', () => {
  const served = appBehindProxy(() => proxy, ENV);

  it('passes through with latency, slower but right', async () => {
    proxy.setFaults({ fault: { kind: 'latency', ms: 300 } });
    const started = Date.now();
    const result = await record(served.app, TEXT, { b: bucket, k: 'small.txt' });
    expect(result).toEqual({ data: { object: { key: 'small.txt', text: 'small and fine' } } });
    // HEAD and GET, each 300 ms late.
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  it('retries a 503 SlowDown with backoff and succeeds when S3 recovers', async () => {
    const from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'status', status: 503, code: 'SlowDown' }, match: isHead('small.txt'), times: 2 });
    const result = await record(served.app, TEXT, { b: bucket, k: 'small.txt' });
    expect(result.errors).toBeUndefined();
    const heads = attemptsSince(from, isHead('small.txt'));
    expect(heads.map((a) => a.fault)).toEqual(['status', 'status', null]);
  });

  it('gives up on 503 SlowDown after BUCKETQL_S3_MAX_ATTEMPTS with UPSTREAM_UNAVAILABLE', async () => {
    const from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'status', status: 503, code: 'SlowDown' }, match: isHead('small.txt') });
    const result = await record(served.app, TEXT, { b: bucket, k: 'small.txt' });
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const heads = attemptsSince(from, isHead('small.txt'));
    expect(heads).toHaveLength(3);
    // Backoff: the SDK waits between attempts (jittered, so only its order is checked).
    const gaps = heads.slice(1).map((a, i) => a.at - (heads[i] as Attempt).at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(0);
  });

  it('waits longer between attempts when S3 says SlowDown (throttling backoff)', async () => {
    const from = proxy.attempts.length;
    // On GET the error document names SlowDown: the SDK backs off from 1 s (jittered).
    proxy.setFaults({ fault: { kind: 'status', status: 503, code: 'SlowDown' }, match: isGet('small.txt') });
    const result = await record(served.app, TEXT, { b: bucket, k: 'small.txt' });
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const gets = attemptsSince(from, isGet('small.txt'));
    expect(gets).toHaveLength(3);
    // Two waits of random(0..1) × 1 s and × 2 s: both under 20 ms together has a chance of 1 in 10,000.
    expect((gets[2] as Attempt).at - (gets[0] as Attempt).at).toBeGreaterThanOrEqual(20);
  });

  it('retries a 500 and answers UPSTREAM_ERROR when it persists', async () => {
    let from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'status', status: 500, code: 'InternalError' }, match: isGet('small.txt'), times: 1 });
    expect((await record(served.app, TEXT, { b: bucket, k: 'small.txt' })).errors).toBeUndefined();
    expect(attemptsSince(from, isGet('small.txt'))).toHaveLength(2);

    from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'status', status: 500, code: 'InternalError' }, match: isGet('small.txt') });
    const result = await record(served.app, TEXT, { b: bucket, k: 'small.txt' });
    expect(codes(result)).toEqual(['UPSTREAM_ERROR']);
    expect(result.errors?.[0]?.path).toEqual(['object', 'text']);
    expect(attemptsSince(from, isGet('small.txt'))).toHaveLength(3);
  });

  it('retries a connection reset before any answer', async () => {
    let from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'reset' }, match: isHead('small.txt'), times: 1 });
    expect((await record(served.app, TEXT, { b: bucket, k: 'small.txt' })).errors).toBeUndefined();
    expect(attemptsSince(from, isHead('small.txt'))).toHaveLength(2);

    from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'reset' }, match: isHead('small.txt') });
    expect(codes(await record(served.app, TEXT, { b: bucket, k: 'small.txt' }))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(attemptsSince(from, isHead('small.txt'))).toHaveLength(3);
  });

  it('asks a 412 on PUT ifMatch again once, with the ETag unquoted (Ceph RGW compares it with the quotes on)', async () => {
    // Its own server: the S3 command recorder stays out of the other tests' way, and its
    // PRECONDITION_FAILED out of the errors this file checks at the end.
    const own = await startTestApp(ENV, { endpoint: proxy.endpoint });
    try {
      await direct.putObject({ bucket, key: 'cond.txt' }, Buffer.from('version 1'));
      const etag = (await direct.headObject({ bucket, key: 'cond.txt' }))?.etag as string;
      const sent = recordS3Commands(own.storage);
      const put =
        'mutation($b: String!, $e: String) { putObject(bucket: $b, key: "cond.txt", content: "version 2", ifMatch: $e) { etag } }';
      // What Ceph RGW does with a quoted If-Match that matches.
      proxy.setFaults({ fault: { kind: 'status', status: 412, code: 'PreconditionFailed' }, match: isPut('cond.txt'), times: 1 });
      expect((await own.gql(put, { b: bucket, e: etag })).errors).toBeUndefined();
      const puts = () => sent.filter((c) => c.name === 'PutObjectCommand').map((c) => c.input.IfMatch);
      expect(puts()).toEqual([`"${etag}"`, etag]);
      expect((await direct.headObject({ bucket, key: 'cond.txt' }))?.size).toBe('version 2'.length);

      // A store that says 412 to both: PRECONDITION_FAILED, after exactly two PUTs.
      sent.length = 0;
      const current = (await direct.headObject({ bucket, key: 'cond.txt' }))?.etag as string;
      proxy.setFaults({ fault: { kind: 'status', status: 412, code: 'PreconditionFailed' }, match: isPut('cond.txt') });
      expect(codes(await own.gql(put, { b: bucket, e: current }))).toEqual(['PRECONDITION_FAILED']);
      expect(puts()).toEqual([`"${current}"`, current]);
    } finally {
      proxy.clearFaults();
      await own.close();
    }
  });

  it('does not retry a 403 (it will not get better)', async () => {
    const from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'status', status: 403, code: 'AccessDenied' }, match: isHead('small.txt') });
    expect(codes(await record(served.app, TEXT, { b: bucket, k: 'small.txt' }))).toEqual(['FORBIDDEN']);
    expect(attemptsSince(from, isHead('small.txt'))).toHaveLength(1);
  });
});

describe('the log of an S3 failure', () => {
  it('says how S3 failed (code, status, attempts), which the client is not told', async () => {
    const lines: Record<string, unknown>[] = [];
    const storage = new S3Storage({
      endpoint: proxy.endpoint,
      credentials: storeCredentials(),
      timeoutMs: TIMEOUT_MS,
      maxAttempts: 3,
      copySourceKeepsPlus: true,
    });
    const logged = await startTestApp(ENV, { storage, logger: createLogger('warn', (line) => lines.push(JSON.parse(line))) });
    try {
      proxy.setFaults({ fault: { kind: 'status', status: 503, code: 'SlowDown' }, match: isGet('small.txt') });
      const response = await fetch(`${logged.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: TEXT, variables: { b: bucket, k: 'small.txt' } }),
      });
      const result = (await response.json()) as GraphQLResponse;
      expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(JSON.stringify(result)).not.toMatch(/attempts|requestId|retry/i);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: 'S3 failed',
          path: 'object.text',
          code: 'UPSTREAM_UNAVAILABLE',
          s3: expect.objectContaining({ code: 'SlowDown', status: 503, attempts: 3 }),
        }),
      );
      expect(JSON.stringify(lines)).not.toContain(storeCredentials().secretAccessKey);
    } finally {
      proxy.clearFaults();
      await logged.close();
    }
  });
});

describe('timeouts', () => {
  const served = appBehindProxy(() => proxy, ENV);

  it('times out an answer later than BUCKETQL_S3_TIMEOUT_MS, retrying each time', async () => {
    const from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'latency', ms: TIMEOUT_MS * 3 }, match: isHead('small.txt') });
    const started = Date.now();
    const result = await record(served.app, TEXT, { b: bucket, k: 'small.txt' });
    const elapsed = Date.now() - started;
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(attemptsSince(from, isHead('small.txt'))).toHaveLength(3);
    expect(elapsed).toBeGreaterThanOrEqual(3 * TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(3 * TIMEOUT_MS + 8000);
  });

  it('times out a body that stalls after its headers (and after some bytes)', async () => {
    for (const afterBytes of [0, 64 * 1024]) {
      proxy.setFaults({ fault: { kind: 'stall-response', afterBytes }, match: isGet('data.csv') });
      const started = Date.now();
      const text = await record(served.app, TEXT, { b: bucket, k: 'data.csv' });
      expect(codes(text), `text, stalled after ${afterBytes} bytes`).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(text.errors?.[0]?.message).toMatch(/S3/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 8000);
    }
    // A table streams its rows: the stall is noticed in the middle of the scan as well.
    proxy.setFaults({ fault: { kind: 'stall-response', afterBytes: 64 * 1024 }, match: isGet('data.csv') });
    const rows = await record(served.app, ROWS, { b: bucket, k: 'data.csv' });
    expect(codes(rows)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('times out a connect that never completes', async () => {
    const blackhole = await startBlackhole();
    const hung = await startTestApp({ ...ENV, BUCKETQL_S3_MAX_ATTEMPTS: '2' }, { endpoint: blackhole.endpoint });
    try {
      const started = Date.now();
      const result = await record(hung, TEXT, { b: bucket, k: 'small.txt' });
      const elapsed = Date.now() - started;
      expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(elapsed).toBeGreaterThanOrEqual(2 * TIMEOUT_MS - 100);
      expect(elapsed).toBeLessThan(2 * TIMEOUT_MS + 8000);
    } finally {
      await hung.close();
      await blackhole.close();
    }
  });
});

describe('a reset in the middle of a response body', () => {
  const served = appBehindProxy(() => proxy, ENV);

  it('answers UPSTREAM_UNAVAILABLE for the field, and the next request reads the object whole', async () => {
    proxy.setFaults({ fault: { kind: 'reset-response', afterBytes: 100 * 1024 }, match: isGet('data.csv') });
    const result = await record(
      served.app,
      `query($b: String!) {
        broken: object(bucket: $b, key: "data.csv") { text }
        fine: object(bucket: $b, key: "small.txt") { text }
      }`,
      { b: bucket },
    );
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(result.errors?.[0]?.path).toEqual(['broken', 'text']);
    expect(result.data?.fine).toEqual({ text: 'small and fine' });

    proxy.setFaults({ fault: { kind: 'reset-response', afterBytes: 100 * 1024 }, match: isGet('data.csv') });
    expect(codes(await record(served.app, ROWS, { b: bucket, k: 'data.csv' }))).toEqual(['UPSTREAM_UNAVAILABLE']);

    proxy.clearFaults();
    const whole = await record(served.app, TEXT, { b: bucket, k: 'data.csv' });
    expect(whole.data?.object.text).toBe(CSV);
  });
});

describe('S3 down, and back', () => {
  const served = appBehindProxy(() => proxy, { ...ENV, BUCKETQL_S3_MAX_ATTEMPTS: '2' });

  it('answers /healthz 503 and UPSTREAM_UNAVAILABLE while down, 200 and data once it is back', async () => {
    expect((await fetch(`${served.app.url}/healthz`)).status).toBe(200);
    await proxy.down();
    try {
      const health = await fetch(`${served.app.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unavailable', reason: 'unreachable' });
      const result = await record(served.app, TEXT, { b: bucket, k: 'small.txt' });
      expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(result.errors?.[0]?.message).not.toContain(String(proxy.port));
    } finally {
      await proxy.up();
    }
    expect((await fetch(`${served.app.url}/healthz`)).status).toBe(200);
    expect((await record(served.app, TEXT, { b: bucket, k: 'small.txt' })).data?.object.text).toBe('small and fine');
  });
});

describe('a write cut off in the middle of its body', () => {
  const served = appBehindProxy(() => proxy, ENV);
  const PUT = `mutation($b: String!, $k: String!, $c: JSON!) { putObject(bucket: $b, key: $k, content: $c) { key size } }`;
  const UPLOAD = `mutation($b: String!, $k: String!, $f: File!) { uploadFile(bucket: $b, key: $k, file: $f) { key size } }`;
  /** About 600 KB of text: the PUT body comes in several chunks. */
  const content = 'x'.repeat(600 * 1024);

  it('putObject: fails with UPSTREAM_UNAVAILABLE and leaves no object', async () => {
    const from = proxy.attempts.length;
    proxy.setFaults({ fault: { kind: 'reset-request', afterBytes: 200 * 1024 }, match: isPut('cut.txt') });
    const result = await record(served.app, PUT, { b: bucket, k: 'cut.txt', c: content });
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(attemptsSince(from, isPut('cut.txt'))).toHaveLength(3);
    expect(await direct.headObject({ bucket, key: 'cut.txt' })).toBeNull();
  });

  it('putObject: a reset once is retried and the object is whole', async () => {
    proxy.setFaults({ fault: { kind: 'reset-request', afterBytes: 200 * 1024 }, match: isPut('retried.txt'), times: 1 });
    const result = await record(served.app, PUT, { b: bucket, k: 'retried.txt', c: content });
    expect(result.errors).toBeUndefined();
    expect(result.data?.putObject.size).toBe(content.length);
    const meta = await direct.headObject({ bucket, key: 'retried.txt' });
    expect(meta?.size).toBe(content.length);
  });

  it('uploadFile (one PUT): fails and leaves no object', async () => {
    proxy.setFaults({ fault: { kind: 'reset-request', afterBytes: 200 * 1024 }, match: isPut('upload-cut.bin') });
    const form = uploadForm(UPLOAD, { b: bucket, k: 'upload-cut.bin' }, { f: new Blob([Buffer.alloc(600 * 1024, 7)]) });
    const { body } = await postForm(served.app.url, form, PREFLIGHT);
    sweep.add(body);
    expect(codes(body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(await direct.headObject({ bucket, key: 'upload-cut.bin' })).toBeNull();
  });

  it('uploadFile (multipart upload): a part cut off aborts the upload and leaves no object', async () => {
    const from = proxy.attempts.length;
    // 9 MiB: a first part of 8 MiB, then a second one, which is cut off every time.
    proxy.setFaults({
      fault: { kind: 'reset-request', afterBytes: 100 * 1024 },
      match: (a) => isPut('upload-parts.bin')(a) && a.query.includes('partNumber=2'),
    });
    const form = uploadForm(UPLOAD, { b: bucket, k: 'upload-parts.bin' }, { f: new Blob([Buffer.alloc(9 * 1024 * 1024, 3)]) });
    const { body } = await postForm(served.app.url, form, PREFLIGHT);
    sweep.add(body);
    expect(codes(body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const tried = attemptsSince(from, (a) => a.path === `/${bucket}/upload-parts.bin`);
    expect(tried.some((a) => a.method === 'PUT' && a.query.includes('partNumber=1'))).toBe(true);
    // lib-storage aborted the multipart upload: its parts are gone with it.
    expect(tried.some((a) => a.method === 'DELETE' && a.query.includes('uploadId='))).toBe(true);
    expect(await direct.headObject({ bucket, key: 'upload-parts.bin' })).toBeNull();
  }, 60_000);
});

describe('after all of the above', () => {
  it('holds no socket to S3 and no more file descriptors than before', async () => {
    proxy.clearFaults();
    const app = await startTestApp(ENV, { endpoint: proxy.endpoint });
    try {
      // Warm up (one of each kind of call), then measure at rest.
      await record(app, TEXT, { b: bucket, k: 'small.txt' });
      await settled();
      const fds = openFds();
      const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

      for (const fault of [
        { kind: 'stall-response', afterBytes: 0 },
        { kind: 'stall-response', afterBytes: 64 * 1024 },
        { kind: 'reset-response', afterBytes: 64 * 1024 },
        { kind: 'status', status: 503, code: 'SlowDown' },
        { kind: 'reset' },
      ] as const) {
        proxy.setFaults({ fault, match: isGet('data.csv') });
        expect(codes(await record(app, TEXT, { b: bucket, k: 'data.csv' })), fault.kind).not.toEqual([]);
        expect(codes(await record(app, ROWS, { b: bucket, k: 'data.csv' })), fault.kind).not.toEqual([]);
      }
      proxy.clearFaults();
      await settled();
      // Nothing bucketql started still waits on S3 ...
      expect(proxy.inFlight()).toBe(0);
      expect(socketsTo(proxy.port)).toBe(0);
      // ... and the process holds what it held before (a little slack for the test's own HTTP client).
      expect(openFds()).toBeLessThanOrEqual(fds + 3);
      expect((process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length).toBeLessThanOrEqual(handles + 3);
    } finally {
      await app.close();
    }
  }, 60_000);
});

sweep.describe({
  atLeast: 20,
  codes: ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR', 'FORBIDDEN'],
  // The store's endpoint and the SDK's and Node's words stay in the log.
  alsoHidden: /127\.0\.0\.1|socket hang up|smithy/,
});
