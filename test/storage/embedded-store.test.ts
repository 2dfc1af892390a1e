// The embedded store (s3rver in a child process) answers only bucketql: anonymous
// requests, requests signed with another secret, and presigned URLs that were
// tampered with or have expired are refused, while bucketql's own requests and the
// presigned URLs it hands out work. And when the store's process dies, it is started
// again (same port, same secret) and queries work again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { startBucketql } from '../../src/main.js';
import { createLogger } from '../../src/server/log.js';
import { type EmbeddedStore, startEmbeddedStore } from '../../src/storage/embedded/embedded.js';
import { S3Storage } from '../../src/storage/s3.js';
import { type GraphQLResponse, startTestApp, type TestApp } from '../support/app.js';

const directory = mkdtempSync(join(tmpdir(), 'bucketql-embedded-'));
const bucket = 'guarded';
const logLines: { level: string; msg: string; [field: string]: unknown }[] = [];
let store: EmbeddedStore;
let storage: S3Storage;
let app: TestApp;

function storageWith(secretAccessKey: string): S3Storage {
  return new S3Storage({
    endpoint: store.endpoint,
    credentials: { accessKeyId: store.credentials.accessKeyId, secretAccessKey },
    timeoutMs: 10_000,
    maxAttempts: 1,
  });
}

beforeAll(async () => {
  const log = createLogger('info', (line) => logLines.push(JSON.parse(line)));
  store = await startEmbeddedStore({ directory, log, restart: { firstDelayMs: 50, maxDelayMs: 1000, healthyAfterMs: 60_000 } });
  storage = storageWith(store.credentials.secretAccessKey);
  await storage.createBucket(bucket);
  await storage.putObject({ bucket, key: 'a.txt' }, Buffer.from('only for bucketql'));
  await storage.putObject({ bucket, key: 'b.txt' }, Buffer.from('also private'));
  app = await startTestApp({}, { storage });
});

afterAll(async () => {
  await app?.close();
  await store?.stop();
  rmSync(directory, { recursive: true, force: true });
});

describe('the embedded store answers only bucketql', () => {
  it('draws a secret at each start', async () => {
    expect(store.credentials.secretAccessKey).toMatch(/^[0-9a-f]{64}$/);
    const other = await startEmbeddedStore({ directory: mkdtempSync(join(tmpdir(), 'bucketql-embedded-2-')) });
    try {
      expect(other.credentials.secretAccessKey).not.toBe(store.credentials.secretAccessKey);
    } finally {
      await other.stop();
    }
  });

  it('refuses anonymous GET, PUT, DELETE and ListBuckets', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', `/${bucket}`],
      ['GET', `/${bucket}/a.txt`],
      ['HEAD', `/${bucket}/a.txt`],
      ['PUT', `/${bucket}/pwned.txt`],
      ['DELETE', `/${bucket}/a.txt`],
      ['PUT', '/newbucket'],
    ] as const) {
      const response = await fetch(`${store.endpoint}${path}`, { method, ...(method === 'PUT' ? { body: 'pwned' } : {}) });
      const text = await response.text();
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(text).not.toContain('only for bucketql');
    }
    const listed = await storage.listObjects({ bucket, maxKeys: 10 });
    expect(listed.objects.map((o) => o.key)).toEqual(['a.txt', 'b.txt']);
    expect((await storage.listBuckets()).map((b) => b.name)).toEqual([bucket]);
  });

  it('refuses requests signed with another secret, and writes nothing for them', async () => {
    const impostor = storageWith('S3RVER');
    try {
      await expect(impostor.listBuckets()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(impostor.headObject({ bucket, key: 'a.txt' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(impostor.putObject({ bucket, key: 'pwned.txt' }, Buffer.from('x'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(impostor.deleteObject({ bucket, key: 'a.txt' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const forged = await getSignedUrl(impostor.client, new GetObjectCommand({ Bucket: bucket, Key: 'a.txt' }), { expiresIn: 60 });
      expect((await fetch(forged)).status).toBe(403);
    } finally {
      impostor.destroy();
    }
    expect((await storage.listObjects({ bucket, maxKeys: 10 })).objects.map((o) => o.key)).toEqual(['a.txt', 'b.txt']);
  });

  it('refuses a presigned URL whose path, method, expiry or signature was changed, or that has expired', async () => {
    const url = new URL(await storage.presignGet({ bucket, key: 'a.txt' }, 60));
    expect(await (await fetch(url)).text()).toBe('only for bucketql');

    const otherKey = new URL(url);
    otherKey.pathname = `/${bucket}/b.txt`;
    expect((await fetch(otherKey)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '604800');
    expect((await fetch(longer)).status).toBe(403);
    const resigned = new URL(url);
    resigned.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    expect((await fetch(resigned)).status).toBe(403);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(403);

    const old = await getSignedUrl(storage.client, new GetObjectCommand({ Bucket: bucket, Key: 'a.txt' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3600_000),
    });
    expect((await fetch(old)).status).toBe(403);
    const put = await getSignedUrl(storage.client, new PutObjectCommand({ Bucket: bucket, Key: 'late.txt' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3600_000),
    });
    expect((await fetch(put, { method: 'PUT', body: 'late' })).status).toBe(403);
    expect(await storage.headObject({ bucket, key: 'late.txt' })).toBeNull();
  });

  it('serves bucketql, its downloadUrl and its createUploadUrl as before', async () => {
    const read = await app.gql(`{ object(bucket: "${bucket}", key: "a.txt") { text downloadUrl } }`);
    expect(read.data?.object.text).toBe('only for bucketql');
    expect(await (await fetch(read.data?.object.downloadUrl)).text()).toBe('only for bucketql');
    const upload = await app.gql(
      `mutation { createUploadUrl(bucket: "${bucket}", key: "up/é 1.csv", contentType: "text/csv") { url method headers } }`,
    );
    const { url, method, headers } = upload.data?.createUploadUrl ?? {};
    expect((await fetch(url, { method, headers, body: 'a,b\n1,2\n' })).status).toBe(200);
    const back = await app.gql(`{ object(bucket: "${bucket}", key: "up/é 1.csv") { contentType table { rowCount } } }`);
    expect(back.data?.object).toEqual({ contentType: 'text/csv', table: { rowCount: 1 } });
    await storage.deleteObject({ bucket, key: 'up/é 1.csv' });
  });
});

describe('when the embedded store dies', () => {
  it('is started again, on the same port with the same secret, with a log line, and queries work again', async () => {
    const before = store.pid();
    expect(before).toBeGreaterThan(0);
    process.kill(before as number, 'SIGKILL');
    let answer: GraphQLResponse<Record<string, any>> | null = null;
    for (let i = 0; i < 200; i++) {
      answer = await app.gql(`{ object(bucket: "${bucket}", key: "a.txt") { text } }`);
      if (!answer.errors) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer?.errors).toBeUndefined();
    expect(answer?.data?.object.text).toBe('only for bucketql');
    expect(store.pid()).not.toBe(before);
    expect(logLines.find((l) => l.msg === 'the embedded S3 store exited: restarting it')).toMatchObject({
      level: 'error',
      signal: 'SIGKILL',
      pid: before,
    });
    expect(logLines.find((l) => l.msg === 'the embedded S3 store is running again')).toMatchObject({ pid: store.pid(), port: store.port });
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
  }, 60_000);

  it('backs off, doubling the delay up to its bound, while the store cannot start', async () => {
    // Kill each new store as soon as it is told to be running: the delays in the log grow, bounded.
    logLines.length = 0;
    let kills = 0;
    const killer = setInterval(() => {
      const pid = store.pid();
      if (pid && kills < 6 && logLines.filter((l) => l.msg === 'the embedded S3 store is running again').length === kills) {
        try {
          process.kill(pid, 'SIGKILL');
          kills++;
        } catch {}
      }
    }, 20);
    try {
      // Each restart starts a Node process: on a busy machine six of them take a while.
      for (let i = 0; i < 1800 && logLines.filter((l) => l.msg === 'the embedded S3 store is running again').length < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      clearInterval(killer);
    }
    const delays = logLines.filter((l) => l.msg === 'the embedded S3 store exited: restarting it').map((l) => l.inMs);
    expect(delays.length).toBeGreaterThanOrEqual(6);
    // Each delay twice the one before, up to the bound (1 s here; 30 s by default).
    for (let i = 1; i < 6; i++) expect(delays[i]).toBe(Math.min((delays[i - 1] as number) * 2, 1000));
    expect(delays).toContain(1000);
    let answer: GraphQLResponse<Record<string, any>> | null = null;
    for (let i = 0; i < 100; i++) {
      answer = await app.gql(`{ object(bucket: "${bucket}", key: "a.txt") { text } }`);
      if (!answer.errors) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer?.data?.object.text).toBe('only for bucketql');
  }, 150_000);

  it('is restarted by `npm start` too (startBucketql), which logs it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bucketql-embedded-main-'));
    const lines: { level: string; msg: string; [field: string]: unknown }[] = [];
    const settings = parseSettings([], {
      BUCKETQL_PORT: '0',
      BUCKETQL_STORE: 'embedded',
      BUCKETQL_DATA_DIR: dataDir,
      BUCKETQL_SEED_DEMO: '0',
    });
    const running = await startBucketql(
      settings,
      {},
      createLogger('info', (line) => lines.push(JSON.parse(line))),
    );
    try {
      const before = running.embedded?.pid();
      process.kill(before as number, 'SIGKILL');
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await fetch(`${running.url}/healthz`)).status;
      }
      expect(status).toBe(200);
      const answer = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ buckets { name } }' }),
      });
      expect(((await answer.json()) as GraphQLResponse).errors).toBeUndefined();
      expect(lines.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['the embedded S3 store exited: restarting it', 'the embedded S3 store is running again']),
      );
    } finally {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
