// /metrics: Prometheus metrics, scraped over HTTP like Prometheus does, behind the
// API's token unless BUCKETQL_METRICS_PUBLIC=1, and moving as requests come.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { postForm, uploadForm } from '../support/multipart.js';

const TOKEN = 'metrics-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** The value of one sample of the text exposition, 0 when absent; labels must all match. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(match[3]);
  }
  return total;
}

describe('/metrics', () => {
  let app: TestApp;
  const bucket = uniqueBucket('metrics');
  const scrape = async () => {
    const response = await fetch(`${app.url}/metrics`, { headers: AUTH });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  beforeAll(async () => {
    app = await startTestApp({ BUCKETQL_TOKENS: TOKEN });
    await app.storage.createBucket(bucket);
    await app.storage.putObject({ bucket, key: 'sales.csv' }, Buffer.from('region,amount\nseoul,10\nbusan,20\n'));
  });
  afterAll(() => app.close());

  it('needs the API token', async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('counts operations by name and outcome, and times them', async () => {
    const before = await scrape();
    const ok = await app.gql(
      'query ReadSales($b: String!) { object(bucket: $b, key: "sales.csv") { table { rowCount } } }',
      { b: bucket },
      AUTH,
    );
    expect(ok.errors).toBeUndefined();
    // The first question on a table GETs its first bytes in place of a HEAD; its size alone is a HEAD.
    expect(
      (await app.gql('query Size($b: String!) { object(bucket: $b, key: "sales.csv") { size } }', { b: bucket }, AUTH)).errors,
    ).toBeUndefined();
    const failed = await app.gql('query ReadMissing { object(bucket: "no-such-bucket-metrics", key: "x.csv") { text } }', {}, AUTH);
    expect(failed.data?.object ?? null).toBeNull();
    await app.gql('query Broken { nope }', {}, AUTH);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('bucketql_graphql_requests_total', { operation: 'ReadSales', type: 'query', outcome: 'ok' })).toBe(1);
    expect(delta('bucketql_graphql_requests_total', { outcome: 'rejected' })).toBe(1);
    expect(delta('bucketql_graphql_request_duration_seconds_count', { operation: 'ReadSales', type: 'query' })).toBe(1);
    expect(delta('bucketql_http_requests_total', { route: '/graphql', status: '200' })).toBeGreaterThanOrEqual(2);
    // The table read went to S3 (a GET, and its bytes), the size asked alone too (a HEAD).
    expect(delta('bucketql_s3_requests_total', { operation: 'GetObject', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(delta('bucketql_s3_requests_total', { operation: 'HeadObject', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(delta('bucketql_s3_received_bytes_total', { operation: 'GetObject' })).toBeGreaterThanOrEqual(30);
    expect(delta('bucketql_s3_request_duration_seconds_count', { operation: 'GetObject' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'bucketql_scans_in_flight')).toBe(0);
  });

  it('counts S3 errors by operation and error name', async () => {
    const before = await scrape();
    const result = await app.gql('query { object(bucket: "no-such-bucket-metrics", key: "x.csv") { key } }', {}, AUTH);
    expect(result.data?.object).toBeNull();
    const after = await scrape();
    const errors =
      sample(after, 'bucketql_s3_errors_total', { operation: 'HeadObject' }) -
      sample(before, 'bucketql_s3_errors_total', { operation: 'HeadObject' });
    expect(errors).toBeGreaterThanOrEqual(1);
  });

  it('counts table cache misses, then hits, and the bytes it holds', async () => {
    await app.storage.putObject({ bucket, key: 'cached.csv' }, Buffer.from('a,b\n1,2\n3,4\n'));
    const query = 'query($b: String!) { object(bucket: $b, key: "cached.csv") { table { rows(first: 1) { edges { node { cells } } } } } }';
    const before = await scrape();
    expect((await app.gql(query, { b: bucket }, AUTH)).errors).toBeUndefined();
    const middle = await scrape();
    expect((await app.gql(query, { b: bucket }, AUTH)).errors).toBeUndefined();
    const after = await scrape();
    expect(sample(middle, 'bucketql_cache_misses_total') - sample(before, 'bucketql_cache_misses_total')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'bucketql_cache_hits_total') - sample(middle, 'bucketql_cache_hits_total')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'bucketql_cache_misses_total')).toBe(sample(middle, 'bucketql_cache_misses_total'));
    expect(sample(after, 'bucketql_cache_bytes')).toBeGreaterThan(0);
  });

  it('counts upload bytes and the bytes sent to S3', async () => {
    const before = await scrape();
    const body = 'x'.repeat(100_000);
    const form = uploadForm(
      'mutation Up($b: String!, $f: File!) { uploadFile(bucket: $b, key: "up.txt", file: $f) { size } }',
      { b: bucket },
      { f: new Blob([body]) },
    );
    const result = await postForm(app.url, form, { 'graphql-preflight': '1', ...AUTH });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.uploadFile.size).toBe(100_000);
    const after = await scrape();
    expect(sample(after, 'bucketql_upload_bytes_total') - sample(before, 'bucketql_upload_bytes_total')).toBe(100_000);
    expect(sample(after, 'bucketql_s3_sent_bytes_total') - sample(before, 'bucketql_s3_sent_bytes_total')).toBeGreaterThanOrEqual(100_000);
    expect(
      sample(after, 'bucketql_graphql_requests_total', { operation: 'Up', type: 'mutation', outcome: 'ok' }) -
        sample(before, 'bucketql_graphql_requests_total', { operation: 'Up', type: 'mutation', outcome: 'ok' }),
    ).toBe(1);
  });

  it('includes the process metrics (memory, CPU, event loop lag)', async () => {
    const text = await scrape();
    expect(sample(text, 'bucketql_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('bucketql_nodejs_eventloop_lag_p99_seconds');
  });
});

describe('/metrics with BUCKETQL_METRICS_PUBLIC=1', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ BUCKETQL_TOKENS: TOKEN, BUCKETQL_METRICS_PUBLIC: '1' });
  });
  afterAll(() => app.close());

  it('answers without a token, while the API still needs one', async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('# TYPE bucketql_graphql_requests_total counter');
    const api = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ buckets { name } }"}',
    });
    expect(api.status).toBe(401);
  });
});
