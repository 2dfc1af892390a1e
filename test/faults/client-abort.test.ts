// A client that goes away mid-request stops the S3 download behind it: scans of a
// large CSV (row counts, filtered counts) keep a GetObject open for seconds while no
// response byte has been written; when the client's socket is destroyed, the read
// must stop well short of the object, at the proxy's count and at the S3 server's.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Storage } from '../../src/storage/s3.js';
import { s3BytesSent, startTestApp, type TestApp, testStorage, uniqueBucket } from '../support/app.js';
import { type FaultProxy, socketsTo, startFaultProxy } from '../support/fault-proxy.js';

const bucket = uniqueBucket('client-abort');
const KEY = 'big.csv';
const ROWS = 700_000;

let direct: S3Storage;
let proxy: FaultProxy;
let app: TestApp;
let size = 0;

/** A CSV of about 40 MB, made of a few column types (and text worth filtering). */
function bigCsv(): Buffer {
  const lines = ['id,city,amount,note'];
  const cities = ['서울', 'Busan', 'Incheon', 'Daegu'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},${cities[i % 4]},${(i * 7) % 1000}.5,row number ${i} of the big table`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs a query and destroys the connection once `readBytes` bytes have come from S3
 * for it; resolves when the socket is gone, with whether any response byte arrived.
 */
function queryAndHangUp(query: string, readBytes: number): Promise<{ answered: boolean }> {
  const before = proxy.bytesFromUpstream();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('response', () => {
      answered = true;
    });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ query, variables: { b: bucket, k: KEY } }));
    const started = Date.now();
    const poll = setInterval(() => {
      if (proxy.bytesFromUpstream() - before >= readBytes) {
        clearInterval(poll);
        req.destroy();
        resolve({ answered });
      } else if (Date.now() - started > 30_000) {
        clearInterval(poll);
        req.destroy();
        reject(new Error('S3 never sent the bytes the test waits for'));
      }
    }, 10);
  });
}

beforeAll(async () => {
  direct = testStorage();
  await direct.createBucket(bucket);
  const body = bigCsv();
  size = body.length;
  await direct.putObject({ bucket, key: KEY }, body, { contentType: 'text/csv' });
  proxy = await startFaultProxy(inject('s3Endpoint'));
  app = await startTestApp({}, { endpoint: proxy.endpoint });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await proxy?.close();
  direct?.destroy();
});

describe('a client that disconnects while its query reads S3', () => {
  it.each([
    ['rowCount', 'query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rowCount } } }'],
    [
      'a filtered totalCount',
      'query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rows(first: 1, where: { column: "city", op: EQ, value: "Busan" }) { totalCount } } } }',
    ],
  ])(
    'aborts the S3 download behind %s',
    async (_, query) => {
      const proxyBefore = proxy.bytesFromUpstream();
      const s3Before = await s3BytesSent();
      const { answered } = await queryAndHangUp(query, 2 * 1024 * 1024);
      // The query was still reading: nothing had been answered.
      expect(answered).toBe(false);
      // Let whatever was in flight drain, then check that the reading stopped.
      await sleep(1500);
      const read = proxy.bytesFromUpstream() - proxyBefore;
      await sleep(500);
      expect(proxy.bytesFromUpstream() - proxyBefore, 'bytes kept coming after the client left').toBe(read);
      expect(read).toBeLessThan(size / 4);
      // The S3 server agrees (other test files share it, hence the looser bound).
      expect((await s3BytesSent()) - s3Before).toBeLessThan(size);
      // bucketql closed its connection to S3: nothing waits on the proxy.
      expect(proxy.inFlight()).toBe(0);
    },
    60_000,
  );

  it('still reads the whole object for a client that waits (the same scan, to the end)', async () => {
    const before = proxy.bytesFromUpstream();
    const result = await app.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rowCount } } }', {
      b: bucket,
      k: KEY,
    });
    expect(result).toEqual({ data: { object: { table: { rowCount: ROWS } } } });
    expect(proxy.bytesFromUpstream() - before).toBeGreaterThanOrEqual(size * 0.9);
  }, 60_000);

  it('leaves no socket to S3 open afterwards', async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && socketsTo(proxy.port) > 0) await sleep(100);
    expect(socketsTo(proxy.port)).toBe(0);
  }, 20_000);
});
