// What an operator relies on: request ids in every answer and in the request's log
// lines, readiness that fails while draining, and SIGTERM that drains, then stops.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/server/log.js';
import { startTestApp, type TestApp } from '../support/app.js';

const QUERY = JSON.stringify({ query: '{ buckets { name } }' });
const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: QUERY });

describe('request ids', () => {
  let app: TestApp;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const logger = createLogger('debug', (line) => lines.push(JSON.parse(line)));
    app = await startTestApp({}, { logger });
  });
  afterAll(() => app.close());

  it('every answer carries one in x-request-id, a different one each time', async () => {
    const a = await post(app.url);
    const b = await fetch(`${app.url}/healthz`);
    const c = await fetch(`${app.url}/nowhere`);
    const ids = [a, b, c].map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(new Set(ids).size).toBe(3);
  });

  it('a short safe incoming id is kept; anything else is replaced', async () => {
    const kept = await post(app.url, { 'x-request-id': 'lb-7f3a:42.x' });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a:42.x');
    for (const bad of ['a'.repeat(65), 'has space', 'quote"d', '']) {
      const response = await post(app.url, { 'x-request-id': bad });
      const id = response.headers.get('x-request-id');
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    }
  });

  it('a malformed request URL gets a 400 with an id, and the server goes on', async () => {
    const port = new URL(app.url).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET http://[bad HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toMatch(/x-request-id: [A-Za-z0-9_-]{8,}/i);
    expect(answer).toContain('BAD_USER_INPUT');
    expect((await post(app.url)).status).toBe(200);
  });

  it('every log line written for a request carries its id', async () => {
    lines.length = 0;
    const response = await post(app.url, { 'x-request-id': 'trace-me-1' });
    expect(response.status).toBe(200);
    await response.text();
    // The access line is written once the response is closed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const access = lines.filter((l) => l.msg === 'request' && l.path === '/graphql');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ requestId: 'trace-me-1', method: 'POST', status: 200 });
    expect(typeof access[0]?.ms).toBe('number');
    // Yoga's own lines (debug) for this request carry the id as well.
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.requestId).toBe('trace-me-1');
  });
});

describe('readiness', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('/readyz is 200 while serving, 503 "draining" once draining, while requests are still answered', async () => {
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
    app.drain();
    const draining = await fetch(`${app.url}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'draining' });
    // Liveness and the API are unaffected: the balancer stops sending, nothing fails.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect((await post(app.url)).status).toBe(200);
  });
});

describe('SIGTERM behind a load balancer (the bucketql command)', () => {
  let child: ChildProcess | null = null;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('fails readiness, keeps serving for BUCKETQL_DRAIN_SECONDS, then exits 0', { timeout: 90_000 }, async () => {
    const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
    const credentials = inject('s3Credentials');
    const proc = spawn(process.execPath, ['--import', 'tsx', cli], {
      env: {
        ...process.env,
        BUCKETQL_PORT: '0',
        BUCKETQL_STORE: 's3',
        BUCKETQL_DRAIN_SECONDS: '3',
        BUCKETQL_LOG_LEVEL: 'info',
        AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      proc.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /open (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(stderr);
        if (match) resolve(match[1] as string);
      });
      proc.once('exit', (code) => reject(new Error(`bucketql exited (${code}) before it was ready: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    proc.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    const during = await post(url);
    expect(during.status).toBe(200);
    expect((await during.json()).errors).toBeUndefined();

    expect(await exited).toBe(0);
    expect(stderr).toContain('"drainSeconds":3');
  });
});
