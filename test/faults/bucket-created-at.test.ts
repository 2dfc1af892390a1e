// Bucket.createdAt comes from the bucket list (HeadBucket does not tell it). Credentials
// that may not list buckets leave it null; any other failure of the list is the field's
// error with its contract code, never a silent null.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp, testStorage, uniqueBucket } from '../support/app.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';

const bucket = uniqueBucket('created-at');
const QUERY = 'query($b: String!) { bucket(name: $b) { name createdAt } }';
const isListBuckets = (a: { method: string; path: string }) => a.method === 'GET' && a.path === '/';

let proxy: FaultProxy;
let app: TestApp;

beforeAll(async () => {
  const direct = testStorage();
  await direct.createBucket(bucket);
  direct.destroy();
  proxy = await startFaultProxy(inject('s3Endpoint'));
  app = await startTestApp({ BUCKETQL_S3_MAX_ATTEMPTS: '1' }, { endpoint: proxy.endpoint });
});

afterAll(async () => {
  await app?.close();
  await proxy?.close();
});

describe('Bucket.createdAt when the bucket list fails', () => {
  it('is the date when the list answers', async () => {
    proxy.clearFaults();
    const result = await app.gql(QUERY, { b: bucket });
    expect(result.errors).toBeUndefined();
    expect(result.data?.bucket.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('is null, without an error, when the credentials may not list buckets (AccessDenied)', async () => {
    proxy.setFaults({ fault: { kind: 'status', status: 403, code: 'AccessDenied' }, match: isListBuckets });
    const result = await app.gql(QUERY, { b: bucket });
    expect(result).toEqual({ data: { bucket: { name: bucket, createdAt: null } } });
  });

  it('is an UPSTREAM_ERROR on that field when S3 fails the list (500), the rest answered', async () => {
    proxy.setFaults({ fault: { kind: 'status', status: 500, code: 'InternalError' }, match: isListBuckets });
    const result = await app.gql(QUERY, { b: bucket });
    expect(result.data).toEqual({ bucket: { name: bucket, createdAt: null } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({ path: ['bucket', 'createdAt'], extensions: { code: 'UPSTREAM_ERROR' } });
  });

  it('is an UPSTREAM_UNAVAILABLE on that field when S3 is busy (503 SlowDown)', async () => {
    proxy.setFaults({ fault: { kind: 'status', status: 503, code: 'SlowDown' }, match: isListBuckets });
    const result = await app.gql(QUERY, { b: bucket });
    expect(result.data).toEqual({ bucket: { name: bucket, createdAt: null } });
    expect(result.errors?.[0]).toMatchObject({ path: ['bucket', 'createdAt'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
  });
});
