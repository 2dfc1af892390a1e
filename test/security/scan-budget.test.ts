// Reads of whole objects — table scans (rowCount, count, totalCount, aggregate,
// summary, filtered or ordered pages, the datasets' equivalents) and text/json/content —
// are bounded: a request may start at most BUCKETQL_MAX_SCANS_PER_REQUEST (counted
// before it runs, and again as they start when a list multiplies them), and the process
// runs at most BUCKETQL_MAX_CONCURRENT_SCANS at once, the others waiting their turn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanSlots } from '../../src/server/scan-budget.js';
import { type GraphQLResponse, startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const bucket = uniqueBucket('scan-budget');
const KEYS = ['a.csv', 'b.csv', 'c.csv', 'd.csv', 'e.csv'];
let app: TestApp;

function codes(result: GraphQLResponse): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

beforeAll(async () => {
  // No table cache: every scan reads S3, so that concurrent ones overlap.
  app = await startTestApp({ BUCKETQL_MAX_SCANS_PER_REQUEST: '3', BUCKETQL_MAX_CONCURRENT_SCANS: '1', BUCKETQL_CACHE_BYTES: '0' });
  await app.storage.createBucket(bucket);
  const rows = ['id,city,amount'];
  for (let i = 0; i < 50_000; i++) rows.push(`${i},city ${i % 40},${(i * 7) % 1000}`);
  const body = Buffer.from(`${rows.join('\n')}\n`);
  for (const key of KEYS) await app.storage.putObject({ bucket, key }, body, { contentType: 'text/csv' });
}, 60_000);
afterAll(() => app?.close());

const obj = (key: string) => `object(bucket: "${bucket}", key: "${key}")`;

describe('scans one request may start (BUCKETQL_MAX_SCANS_PER_REQUEST)', () => {
  it.each([
    [
      'aliased rowCounts',
      KEYS.slice(0, 4)
        .map((k, i) => `s${i}: ${obj(k)} { table { rowCount } }`)
        .join(' '),
    ],
    [
      'every kind of scan field on one table',
      `${obj('a.csv')} { text table { count(where: { column: "city", op: EQ, value: "city 1" }) aggregate { count } summary(column: "amount") { count } } }`,
    ],
    [
      'filtered and ordered pages with totalCount',
      `${obj('a.csv')} { table { x: rows(first: 1, where: { column: "id", op: GT, value: "5" }) { totalCount } y: rows(first: 1, orderBy: [{ column: "amount" }]) { edges { cursor } } rowCount } }`,
    ],
    [
      'scans in fragments',
      `fragment T on Table { rowCount count } { a: ${obj('a.csv')} { table { ...T } } b: ${obj('b.csv')} { table { ...T } } }`,
    ],
  ])('%s beyond it: refused before anything runs, naming the setting', async (_, query) => {
    const result = await app.gql(query.startsWith('fragment') ? query : `{ ${query} }`);
    expect(result.data).toBeUndefined();
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(result.errors?.[0]?.message).toMatch(/BUCKETQL_MAX_SCANS_PER_REQUEST/);
  });

  it('up to it, a query runs; plain pages and metadata are no scans', async () => {
    const result = await app.gql(
      `{ a: ${obj('a.csv')} { size table { columns { name } rows(first: 2) { edges { cursor } } rowCount } } b: ${obj('b.csv')} { table { rowCount } } c: ${obj('c.csv')} { table { count } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.a.table.rowCount).toBe(50_000);
    // The same field asked twice under one name is one field, one scan.
    const merged = await app.gql(`{ ${obj('a.csv')} { table { rowCount rowCount } } ${obj('a.csv')} { table { rowCount } } }`);
    expect(merged.errors).toBeUndefined();
  });

  it('scans multiplied by a list are counted as they start: the ones beyond it fail, naming the setting', async () => {
    const result = await app.gql(`{ bucket(name: "${bucket}") { objects(first: 10) { edges { node { key table { rowCount } } } } } }`);
    const edges = result.data?.bucket.objects.edges as { node: { key: string; table: { rowCount: number } | null } }[];
    expect(edges).toHaveLength(5);
    expect(edges.filter((e) => e.node.table?.rowCount === 50_000)).toHaveLength(3);
    expect(codes(result)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    for (const error of result.errors ?? []) expect(error.message).toMatch(/BUCKETQL_MAX_SCANS_PER_REQUEST/);
  });
});

describe('scans running at once in the process (BUCKETQL_MAX_CONCURRENT_SCANS)', () => {
  it('concurrent requests take turns: never more than the limit run, every one finishes', async () => {
    const slots = app.services.scanSlots;
    let mostActive = 0;
    let mostQueued = 0;
    const sampler = setInterval(() => {
      mostActive = Math.max(mostActive, slots.active);
      mostQueued = Math.max(mostQueued, slots.queued);
    }, 1);
    try {
      const results = await Promise.all(
        KEYS.slice(0, 4).map((key) =>
          app.gql(
            `{ ${obj(key)} { table { rows(first: 3, orderBy: [{ column: "amount", direction: DESC }]) { edges { node { values } } } } } }`,
          ),
        ),
      );
      for (const result of results) {
        expect(result.errors).toBeUndefined();
        expect(result.data?.object.table.rows.edges[0].node.values.amount).toBe(999);
      }
    } finally {
      clearInterval(sampler);
    }
    expect(mostActive).toBe(1);
    expect(mostQueued).toBeGreaterThan(0);
    expect(slots.active).toBe(0);
    expect(slots.queued).toBe(0);
  }, 60_000);
});

describe('ScanSlots', () => {
  it('lets `max` run, queues the rest in order, and drops a waiter whose request was aborted', async () => {
    const slots = new ScanSlots(2);
    const order: string[] = [];
    const a = await slots.acquire();
    const b = await slots.acquire();
    const aborted = new AbortController();
    const c = slots.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const gone = slots.acquire(aborted.signal).then(
      () => order.push('gone'),
      () => order.push('gone aborted'),
    );
    const d = slots.acquire().then((release) => {
      order.push('d');
      return release;
    });
    expect(slots.queued).toBe(3);
    aborted.abort();
    await gone;
    a();
    a(); // a second release changes nothing
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['gone aborted', 'c', 'd']);
    expect(slots.active).toBe(0);
  });
});
