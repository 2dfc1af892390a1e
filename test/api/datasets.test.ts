// Declared datasets: typed fields, typed filters, ordering, paging and aggregates,
// through GraphQL, checked against values computed here from the same data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/datasets/config.js';
import { type GraphQLResponse, startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { recordS3Commands } from '../support/s3-spy.js';

interface Order {
  order_id: number;
  sold_at: string;
  city: string;
  amount: number;
  qty: number;
  paid: boolean;
  note: string | null;
  internal: string;
}

const CITIES = ['서울', 'Busan', 'busan', '대구', 'Incheon'];
const ORDERS: Order[] = Array.from({ length: 60 }, (_, i) => ({
  order_id: i + 1,
  sold_at: new Date(Date.UTC(2024, 0, 1 + (i % 28), i % 24, (i * 7) % 60)).toISOString(),
  city: CITIES[i % CITIES.length] as string,
  amount: Math.round(((i * 37.5) % 900) * 100) / 100 + 0.25,
  qty: (i * 3) % 7,
  paid: i % 3 !== 0,
  note: i % 4 === 0 ? null : `note ${i}`,
  internal: `secret-${i}`,
}));

function ordersCsv(rows: Order[]): string {
  const lines = ['order_id,sold_at,city,amount,qty,paid,note,internal'];
  for (const o of rows)
    lines.push(
      [o.order_id, o.sold_at.replace('T', ' ').replace('.000Z', ''), o.city, o.amount, o.qty, o.paid, o.note ?? '', o.internal].join(','),
    );
  return `${lines.join('\n')}\n`;
}

const BRANCHES = [
  { 지점: '강남점', 월: '2024-01-01', 매출액: 120_000_000, '방문객 수': 1500 },
  { 지점: '홍대점', 월: '2024-01-01', 매출액: 80_000_000, '방문객 수': 900 },
  { 지점: '강남점', 월: '2024-02-01', 매출액: 150_000_000, '방문객 수': 1800 },
];

const LOGS: Record<string, Record<string, unknown>[]> = {
  'logs/2024-03-01.ndjson': [
    { ts: '2024-03-01T09:00:00Z', user: 'kim', amount: 10 },
    { ts: '2024-03-01T10:00:00Z', user: 'lee', amount: 20.5 },
  ],
  'logs/2024-03-02.ndjson': [{ ts: '2024-03-02T09:00:00Z', user: 'kim', amount: 7 }],
  'logs/2024-03-03.ndjson': [{ ts: '2024-03-03T11:30:00Z', user: 'park', amount: 1, channel: 'web' }],
};

describe('typed datasets', () => {
  let app: TestApp;
  const bucket = uniqueBucket('datasets');

  const config = (): ConfigFile => ({
    datasets: [
      {
        name: 'orders',
        bucket,
        key: 'shop/orders.csv',
        columns: {
          order_id: { field: 'orderId', description: 'The order number.' },
          sold_at: { field: 'soldAt' },
          internal: { hidden: true },
        },
      },
      { name: 'branches', bucket, key: 'branches.csv' },
      { name: 'events', bucket, prefix: 'logs/', sourceKeyColumn: 'source_key' },
      { name: 'missing', bucket, key: 'nope.csv' },
      { name: 'badOverride', bucket, key: 'branches.csv', columns: { nosuch: { hidden: true } } },
    ],
  });

  beforeAll(async () => {
    const storage = (await startTestApp()).storage;
    await storage.createBucket(bucket);
    await storage.putObject({ bucket, key: 'shop/orders.csv' }, Buffer.from(ordersCsv(ORDERS)));
    const branchCsv = `지점,월,매출액,방문객 수\n${BRANCHES.map((b) => [b.지점, b.월, b.매출액, b['방문객 수']].join(',')).join('\n')}\n`;
    await storage.putObject({ bucket, key: 'branches.csv' }, Buffer.from(branchCsv));
    for (const [key, rows] of Object.entries(LOGS)) {
      await storage.putObject({ bucket, key }, Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n')));
    }
    app = await startTestApp({}, { config: config() });
  });
  afterAll(() => app?.close());

  async function fieldsOf(type: string): Promise<Record<string, { type: string; description: string }>> {
    const result = await app.gql(`{ __type(name: "${type}") { fields { name description type { kind name ofType { name } } } } }`);
    expect(result.errors).toBeUndefined();
    const fields = result.data?.__type?.fields as {
      name: string;
      description: string;
      type: { kind: string; name: string | null; ofType: { name: string } | null };
    }[];
    return Object.fromEntries(
      fields.map((f) => [
        f.name,
        { type: f.type.kind === 'NON_NULL' ? `${f.type.ofType?.name}!` : (f.type.name as string), description: f.description },
      ]),
    );
  }

  it('gives each column a typed field, nullable as inferred, with renamed fields and hidden columns left out', async () => {
    const fields = await fieldsOf('OrdersRow');
    expect(Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.type]))).toEqual({
      _index: 'Int!',
      _values: 'JSONObject!',
      orderId: 'SafeInt!',
      soldAt: 'DateTime!',
      city: 'String!',
      amount: 'Float!',
      qty: 'SafeInt!',
      paid: 'Boolean!',
      note: 'String',
    });
    expect(fields.orderId?.description).toBe('The order number. Column "order_id" (INT).');
    expect(fields.soldAt?.description).toContain('Column "sold_at" (DATETIME)');
  });

  it('names Korean columns readably and keeps the original name in the description', async () => {
    const fields = await fieldsOf('BranchesRow');
    expect(Object.keys(fields)).toEqual(['_index', '_values', 'jijeom', 'wol', 'maechulaek', 'bangmungaekSu']);
    expect(fields.bangmungaekSu?.description).toBe('Column "방문객 수" (INT).');
    const result = await app.gql(
      '{ branches(where: { jijeom: { eq: "강남점" } }) { totalCount edges { node { jijeom wol maechulaek bangmungaekSu } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.branches).toEqual({
      totalCount: 2,
      edges: [
        { node: { jijeom: '강남점', wol: '2024-01-01T00:00:00.000Z', maechulaek: 120_000_000, bangmungaekSu: 1500 } },
        { node: { jijeom: '강남점', wol: '2024-02-01T00:00:00.000Z', maechulaek: 150_000_000, bangmungaekSu: 1800 } },
      ],
    });
  });

  it('leaves a dataset that cannot be read out, and serves the others', async () => {
    const result = await app.gql('{ __schema { queryType { fields { name } } } }');
    const names = ((result.data as Record<string, any>).__schema.queryType.fields as { name: string }[]).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['orders', 'ordersAggregate', 'branches', 'events']));
    expect(names).not.toContain('missing');
    expect(names).not.toContain('badOverride');
    const refreshed = await app.holder?.refresh();
    expect(refreshed?.failures.map((f) => f.name).sort()).toEqual(['badOverride', 'missing']);
    expect(refreshed?.failures.find((f) => f.name === 'badOverride')?.message).toContain('no column "nosuch"');
  });

  async function ids(where: string, extra = ''): Promise<number[]> {
    const result = await app.gql(`{ orders(first: 1000, where: ${where}${extra}) { totalCount edges { node { orderId } } } }`);
    expect(result.errors, where).toBeUndefined();
    const found = ((result.data as Record<string, any>).orders.edges as { node: { orderId: number } }[]).map((e) => e.node.orderId);
    expect(result.data?.orders.totalCount, where).toBe(found.length);
    return found;
  }
  const expectIds = (filter: (o: Order) => boolean) => ORDERS.filter(filter).map((o) => o.order_id);

  it('filters INT columns with every operator', async () => {
    expect(await ids('{ qty: { eq: 3 } }')).toEqual(expectIds((o) => o.qty === 3));
    expect(await ids('{ qty: { ne: 3 } }')).toEqual(expectIds((o) => o.qty !== 3));
    expect(await ids('{ qty: { gt: 4 } }')).toEqual(expectIds((o) => o.qty > 4));
    expect(await ids('{ qty: { gte: 4 } }')).toEqual(expectIds((o) => o.qty >= 4));
    expect(await ids('{ qty: { lt: 2 } }')).toEqual(expectIds((o) => o.qty < 2));
    expect(await ids('{ qty: { lte: 2 } }')).toEqual(expectIds((o) => o.qty <= 2));
    expect(await ids('{ qty: { in: [1, 5] } }')).toEqual(expectIds((o) => o.qty === 1 || o.qty === 5));
    expect(await ids('{ qty: { notIn: [1, 5] } }')).toEqual(expectIds((o) => o.qty !== 1 && o.qty !== 5));
    expect(await ids('{ orderId: { gte: 10, lt: 13 } }')).toEqual([10, 11, 12]);
  });

  it('filters FLOAT, BOOLEAN and DATETIME columns', async () => {
    expect(await ids('{ amount: { gt: 500.25 } }')).toEqual(expectIds((o) => o.amount > 500.25));
    expect(await ids('{ amount: { lte: 100 } }')).toEqual(expectIds((o) => o.amount <= 100));
    expect(await ids('{ amount: { in: [0.25, 37.75] } }')).toEqual(expectIds((o) => o.amount === 0.25 || o.amount === 37.75));
    expect(await ids('{ paid: { eq: false } }')).toEqual(expectIds((o) => !o.paid));
    expect(await ids('{ paid: { ne: false } }')).toEqual(expectIds((o) => o.paid));
    const from = '2024-01-10T00:00:00.000Z';
    const to = '2024-01-15T12:00:00+09:00';
    expect(await ids(`{ soldAt: { gte: "${from}", lt: "${to}" } }`)).toEqual(
      expectIds((o) => Date.parse(o.sold_at) >= Date.parse(from) && Date.parse(o.sold_at) < Date.parse(to)),
    );
    expect(await ids(`{ soldAt: { eq: "${ORDERS[4]?.sold_at}" } }`)).toEqual(expectIds((o) => o.sold_at === ORDERS[4]?.sold_at));
  });

  it('filters STRING columns, with ignoreCase, and nulls with isNull', async () => {
    expect(await ids('{ city: { eq: "busan" } }')).toEqual(expectIds((o) => o.city === 'busan'));
    expect(await ids('{ city: { eq: "busan", ignoreCase: true } }')).toEqual(expectIds((o) => o.city.toLowerCase() === 'busan'));
    expect(await ids('{ city: { contains: "us" } }')).toEqual(expectIds((o) => o.city.includes('us')));
    expect(await ids('{ city: { startsWith: "B" } }')).toEqual(expectIds((o) => o.city.startsWith('B')));
    expect(await ids('{ city: { endsWith: "울" } }')).toEqual(expectIds((o) => o.city.endsWith('울')));
    expect(await ids('{ city: { in: ["서울", "대구"] } }')).toEqual(expectIds((o) => o.city === '서울' || o.city === '대구'));
    expect(await ids('{ city: { notIn: ["서울", "대구"] } }')).toEqual(expectIds((o) => o.city !== '서울' && o.city !== '대구'));
    expect(await ids('{ note: { isNull: true } }')).toEqual(expectIds((o) => o.note === null));
    expect(await ids('{ note: { isNull: false } }')).toEqual(expectIds((o) => o.note !== null));
    // A null cell matches nothing but isNull, ne included.
    expect(await ids('{ note: { ne: "note 1" } }')).toEqual(expectIds((o) => o.note !== null && o.note !== 'note 1'));
  });

  it('combines filters with and, or and not', async () => {
    expect(await ids('{ or: [{ city: { eq: "서울" } }, { qty: { eq: 0 } }] }')).toEqual(expectIds((o) => o.city === '서울' || o.qty === 0));
    expect(await ids('{ and: [{ paid: { eq: true } }, { amount: { gt: 300 } }] }')).toEqual(expectIds((o) => o.paid && o.amount > 300));
    expect(await ids('{ not: { note: { isNull: true } }, city: { eq: "대구" } }')).toEqual(
      expectIds((o) => o.note !== null && o.city === '대구'),
    );
  });

  it('orders by several columns and pages through every row once', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: GraphQLResponse<Record<string, any>> = await app.gql(
        'query($after: String) { orders(first: 7, after: $after, orderBy: [{ column: city }, { column: amount, direction: DESC }]) { pageInfo { hasNextPage endCursor } edges { node { orderId } } } }',
        { after },
      );
      expect(result.errors).toBeUndefined();
      seen.push(...((result.data as Record<string, any>).orders.edges as { node: { orderId: number } }[]).map((e) => e.node.orderId));
      if (!result.data?.orders.pageInfo.hasNextPage) break;
      after = result.data?.orders.pageInfo.endCursor;
    }
    const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const expected = [...ORDERS]
      .sort((a, b) => byCodePoint(a.city, b.city) || b.amount - a.amount || a.order_id - b.order_id)
      .map((o) => o.order_id);
    expect(seen).toEqual(expected);
  });

  it('aggregates by groups, matching sums, averages, minimums and maximums computed here', async () => {
    const result = await app.gql(
      '{ ordersAggregate(groupBy: [city], where: { paid: { eq: true } }) { key { city } count sum { amount qty } avg { amount } min { soldAt amount } max { soldAt qty } } }',
    );
    expect(result.errors).toBeUndefined();
    const groups = result.data?.ordersAggregate as {
      key: { city: string };
      count: number;
      sum: { amount: number; qty: number };
      avg: { amount: number };
      min: { soldAt: string; amount: number };
      max: { soldAt: string; qty: number };
    }[];
    const paid = ORDERS.filter((o) => o.paid);
    const cities = [...new Set(paid.map((o) => o.city))].sort((a, b) => (a < b ? -1 : 1));
    expect(groups.map((g) => g.key.city)).toEqual(cities);
    for (const group of groups) {
      const rows = paid.filter((o) => o.city === group.key.city);
      const sum = rows.reduce((s, o) => s + o.amount, 0);
      expect(group.count).toBe(rows.length);
      expect(group.sum.amount).toBeCloseTo(sum, 9);
      expect(group.sum.qty).toBe(rows.reduce((s, o) => s + o.qty, 0));
      expect(group.avg.amount).toBeCloseTo(sum / rows.length, 9);
      expect(group.min.amount).toBe(Math.min(...rows.map((o) => o.amount)));
      expect(group.max.qty).toBe(Math.max(...rows.map((o) => o.qty)));
      expect(group.min.soldAt).toBe(rows.map((o) => o.sold_at).sort()[0]);
      expect(group.max.soldAt).toBe(
        rows
          .map((o) => o.sold_at)
          .sort()
          .at(-1),
      );
    }
    const all = await app.gql('{ ordersAggregate { key { city } count sum { amount } } }');
    expect(all.data?.ordersAggregate).toEqual([
      {
        key: { city: null },
        count: 60,
        sum: {
          amount: expect.closeTo(
            ORDERS.reduce((s, o) => s + o.amount, 0),
            9,
          ),
        },
      },
    ]);
  });

  it('reads every object under a prefix as one table, with the source key as a column', async () => {
    const fields = await fieldsOf('EventsRow');
    expect(fields).toMatchObject({
      ts: { type: 'DateTime!' },
      user: { type: 'String!' },
      amount: { type: 'Float!' },
      channel: { type: 'String' },
      source_key: { type: 'String!' },
    });
    const result = await app.gql('{ events(first: 10) { totalCount edges { node { _index ts user amount channel source_key } } } }');
    expect(result.errors).toBeUndefined();
    const expected = Object.entries(LOGS).flatMap(([key, rows]) =>
      rows.map((r) => ({
        ts: new Date(r.ts as string).toISOString(),
        user: r.user,
        amount: r.amount,
        channel: r.channel ?? null,
        source_key: key,
      })),
    );
    expect(result.data?.events.totalCount).toBe(4);
    expect(((result.data as Record<string, any>).events.edges as { node: Record<string, unknown> }[]).map((e) => e.node)).toEqual(
      expected.map((row, i) => ({ _index: i, ...row })),
    );
    // Paging across the objects: two rows a page.
    const second = await app.gql(`query($after: String) { events(first: 2, after: $after) { edges { node { source_key user } } } }`, {
      after: (await app.gql('{ events(first: 2) { pageInfo { endCursor } } }')).data?.events.pageInfo.endCursor,
    });
    expect(second.data?.events.edges).toEqual([
      { node: { source_key: 'logs/2024-03-02.ndjson', user: 'kim' } },
      { node: { source_key: 'logs/2024-03-03.ndjson', user: 'park' } },
    ]);
    const bySource = await app.gql('{ eventsAggregate(groupBy: [source_key]) { key { source_key } count sum { amount } } }');
    expect(bySource.data?.eventsAggregate).toEqual([
      { key: { source_key: 'logs/2024-03-01.ndjson' }, count: 2, sum: { amount: 30.5 } },
      { key: { source_key: 'logs/2024-03-02.ndjson' }, count: 1, sum: { amount: 7 } },
      { key: { source_key: 'logs/2024-03-03.ndjson' }, count: 1, sum: { amount: 1 } },
    ]);
  });

  it("lists a dataset's prefix once a request, however many of its fields ask (rows, count and aggregate)", async () => {
    const sent = recordS3Commands(app.storage);
    const result = await app.gql(
      '{ events(first: 2) { totalCount edges { node { user } } } eventsAggregate(groupBy: [user]) { key { user } count } again: events(where: { user: { eq: "kim" } }) { totalCount } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.events.totalCount).toBe(4);
    expect(result.data?.again.totalCount).toBe(2);
    expect(sent.filter((c) => c.name === 'ListObjectsV2Command')).toHaveLength(1);
    expect(sent.filter((c) => c.name === 'HeadObjectCommand').length).toBeLessThanOrEqual(Object.keys(LOGS).length);
  });

  it('serves the hidden column nowhere in the typed fields, but the generic values keep every value', async () => {
    const result = await app.gql('{ orders(first: 1) { edges { node { _values } } } }');
    expect(result.data?.orders.edges[0].node._values).toMatchObject({ order_id: 1, internal: 'secret-0' });
    const typed = await app.gql('{ orders(first: 1) { edges { node { internal } } } }');
    expect(typed.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('picks up changed data on refresh', async () => {
    const storage = app.storage;
    await storage.putObject(
      { bucket, key: 'logs/2024-03-04.ndjson' },
      Buffer.from('{"ts":"2024-03-04T08:00:00Z","user":"choi","amount":3,"region":"KR"}\n'),
    );
    await app.holder?.refresh();
    const fields = await fieldsOf('EventsRow');
    expect(fields.region).toEqual({ type: 'String', description: 'Column "region" (STRING).' });
    const result = await app.gql('{ events(where: { region: { eq: "KR" } }) { totalCount edges { node { user } } } }');
    expect(result.data?.events).toEqual({ totalCount: 1, edges: [{ node: { user: 'choi' } }] });
  });
});
