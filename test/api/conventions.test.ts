// Conventions a GraphQL client expects: Relay's four PageInfo fields on every
// connection (forward paging: hasPreviousPage is true after `after`), generic and typed
// aggregates of the same shape (sum/avg for amounts, not for identifiers), and schema
// descriptions in plain English ("an Int column").
import { printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/datasets/config.js';
import { isIdentifierName } from '../../src/schema/summable.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const bucket = uniqueBucket('conventions');
const CSV =
  'order_id,customerId,zip_code,qty,price,sold_at\n1,10,01234,2,9.5,2024-01-01\n2,11,02345,3,1.25,2024-01-02\n3,10,03456,5,4,2024-01-03\n';
const config = (): ConfigFile => ({ datasets: [{ name: 'orders', bucket, key: 'orders.csv' }] });

let app: TestApp;

beforeAll(async () => {
  const plain = await startTestApp();
  await plain.storage.createBucket(bucket);
  await plain.storage.putObject({ bucket, key: 'orders.csv' }, Buffer.from(CSV));
  for (const key of ['a.txt', 'b.txt', 'c.txt']) await plain.storage.putObject({ bucket, key }, Buffer.from(key));
  await plain.close();
  app = await startTestApp({}, { config: config() });
});
afterAll(() => app?.close());

interface Page {
  edges: { cursor: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

/** Pages through a connection two at a time, checking Relay's PageInfo on each page. */
async function checkPaging(fetchPage: (after: string | null) => Promise<Page>): Promise<void> {
  const first = await fetchPage(null);
  expect(first.pageInfo).toEqual({
    hasNextPage: true,
    hasPreviousPage: false,
    startCursor: first.edges[0]?.cursor,
    endCursor: first.pageInfo.endCursor,
  });
  const second = await fetchPage(first.pageInfo.endCursor);
  expect(second.edges.length).toBeGreaterThan(0);
  expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: second.edges[0]?.cursor });
}

describe('PageInfo (Relay connection spec)', () => {
  it('on Table.rows', async () => {
    await checkPaging(async (after) => {
      const result = await app.gql(
        `query ($bucket: String!, $after: String) { object(bucket: $bucket, key: "orders.csv") { table { rows(first: 2, after: $after) { edges { cursor } ${PAGE_INFO} } } } }`,
        { bucket, after },
      );
      expect(result.errors).toBeUndefined();
      return result.data?.object.table.rows;
    });
  });

  it('on Bucket.objects', async () => {
    await checkPaging(async (after) => {
      const result = await app.gql(
        `query ($bucket: String!, $after: String) { bucket(name: $bucket) { objects(first: 2, after: $after, prefix: "") { edges { cursor } ${PAGE_INFO} } } }`,
        { bucket, after },
      );
      expect(result.errors).toBeUndefined();
      return result.data?.bucket.objects;
    });
  });

  it('on a dataset', async () => {
    await checkPaging(async (after) => {
      const result = await app.gql(`query ($after: String) { orders(first: 2, after: $after) { edges { cursor } ${PAGE_INFO} } }`, {
        after,
      });
      expect(result.errors).toBeUndefined();
      return result.data?.orders;
    });
  });

  it('has null cursors on an empty page', async () => {
    const result = await app.gql(
      `query ($bucket: String!) { object(bucket: $bucket, key: "orders.csv") { table { rows(first: 2, where: { column: "qty", op: GT, value: 100 }) { ${PAGE_INFO} } } } }`,
      { bucket },
    );
    expect(result.data?.object.table.rows.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    });
  });
});

describe('aggregates', () => {
  it('names identifier columns by their last word', () => {
    for (const name of ['id', 'order_id', 'orderId', 'customerID', 'zip_code', 'phone-no', 'Order Number', 'sku'])
      expect(isIdentifierName(name), name).toBe(true);
    for (const name of ['qty', 'price', 'amount', 'valid', 'idle_time', 'paid', 'unit_price'])
      expect(isIdentifierName(name), name).toBe(false);
  });

  it('typed: sum and avg for amounts, not for identifier columns; min and max for all numbers and dates', async () => {
    const fields = async (type: string) =>
      (
        (await app.gql(`{ __type(name: "${type}") { fields { name } } }`)).data as { __type: { fields: { name: string }[] } }
      ).__type.fields.map((f) => f.name);
    expect(await fields('OrdersSums')).toEqual(['qty', 'price']);
    expect(await fields('OrdersAverages')).toEqual(['qty', 'price']);
    expect(await fields('OrdersMaximums')).toEqual(['order_id', 'customerId', 'qty', 'price', 'sold_at']);
    const result = await app.gql('{ ordersAggregate { count sum { qty price } avg { qty } } }');
    expect(result.data?.ordersAggregate).toEqual([{ count: 3, sum: { qty: 10, price: 14.75 }, avg: { qty: 10 / 3 } }]);
  });

  it('generic Table.aggregate: the same sum/avg/min/max per column, as objects', async () => {
    const result = await app.gql(
      `query ($bucket: String!) { object(bucket: $bucket, key: "orders.csv") { table { aggregate(groupBy: ["customerId"]) { key count sum avg min max } } } }`,
      { bucket },
    );
    expect(result.errors).toBeUndefined();
    const groups = result.data?.object.table.aggregate;
    expect(groups).toContainEqual({
      key: { customerId: 10 },
      count: 2,
      sum: { qty: 7, price: 13.5 },
      avg: { qty: 3.5, price: 6.75 },
      min: { order_id: 1, customerId: 10, qty: 2, price: 4, sold_at: '2024-01-01T00:00:00.000Z' },
      max: { order_id: 3, customerId: 10, qty: 5, price: 9.5, sold_at: '2024-01-03T00:00:00.000Z' },
    });
  });
});

describe('schema descriptions', () => {
  it('say "an Int", not "a Int"', () => {
    const text = printSchema(app.holder?.current as never);
    expect(text).toContain('Conditions on an Int column');
    expect(text.match(/\ba (?:[AEIOU][A-Za-z]*)\b(?! ?\()/g) ?? []).toEqual([]);
  });
});
