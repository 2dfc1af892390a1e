// Datasets over hive-style folders (`year=2024/month=3/part-0.parquet`): the folder
// names become typed columns, and a filter on them skips whole objects without
// reading them (measured at the S3 server, one of the file's own so that no other test
// file's reads add to the count), for Parquet, CSV and NDJSON prefixes.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/datasets/config.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { type OwnStore, startOwnStore } from '../support/own-store.js';

/** This file's own S3 server, counting the bytes it sends. */
let store: OwnStore;
/** A client of that server (each app destroys its own when it closes). */
const ownStorage = () => store.storage();

const HIVE = join(import.meta.dirname, '../fixtures/parquet/hive');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Rows of one partition, as the Parquet fixture holds them (id % 2 → year, id % 3 → month). */
function rowsOf(year: number, month: number, copies: number): { id: number; item: string; amount: number }[] {
  const rows = [];
  for (let copy = 0; copy < copies; copy++) {
    for (let id = 0; id < 60; id++) {
      if (2023 + (id % 2) === year && 1 + (id % 3) === month) rows.push({ id: id + copy * 60, item: `item ${id}`, amount: id * 10 });
    }
  }
  return rows;
}

describe('datasets over hive-style partitions', () => {
  let app: TestApp;
  const bucket = uniqueBucket('partitions');
  const sizes: Record<string, number> = {};
  const config = (): ConfigFile => ({
    datasets: [
      { name: 'sales', bucket, prefix: 'sales/' },
      { name: 'csvSales', bucket, prefix: 'csv/' },
      { name: 'lines', bucket, prefix: 'ndjson/', sourceKeyColumn: 'source' },
      { name: 'flat', bucket, prefix: 'csv/', partitions: false },
    ],
  });

  beforeAll(async () => {
    store = await startOwnStore('partitions');
    const storage = ownStorage();
    await storage.createBucket(bucket);
    for (const file of filesUnder(HIVE)) await storage.putObject({ bucket, key: `sales/${relative(HIVE, file)}` }, readFileSync(file));
    for (const year of [2023, 2024]) {
      for (const month of [1, 2, 3]) {
        // 400 copies of each partition's rows: objects large enough to see which are read.
        const rows = rowsOf(year, month, 400);
        const csv = Buffer.from(`id,item,amount\n${rows.map((r) => `${r.id},${r.item},${r.amount}`).join('\n')}\n`);
        const ndjson = Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
        const path = `year=${year}/month=${String(month).padStart(2, '0')}`;
        await storage.putObject({ bucket, key: `csv/${path}/part-0.csv` }, csv);
        await storage.putObject({ bucket, key: `ndjson/${path}/data.ndjson` }, ndjson);
        sizes[`csv/${path}`] = csv.length;
      }
    }
    // A null partition, as Hive writes it.
    await storage.putObject(
      { bucket, key: 'ndjson/year=__HIVE_DEFAULT_PARTITION__/month=01/data.ndjson' },
      Buffer.from('{"id":-1,"item":"x","amount":0}\n'),
    );
    // Tables this small would be cached whole when the schema is built: stream them, so the counter sees every read.
    storage.destroy();
    app = await startTestApp({ BUCKETQL_CACHE_TABLE_BYTES: '1KiB' }, { config: config(), storage: ownStorage() });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await store?.stop();
  });

  const fieldsOf = async (type: string) => {
    const body = await app.gql(`query($t: String!) { __type(name: $t) { fields { name type { kind name ofType { name } } } } }`, {
      t: type,
    });
    return Object.fromEntries(
      (
        (body.data?.__type.fields ?? []) as { name: string; type: { kind: string; name: string | null; ofType: { name: string } | null } }[]
      ).map((f) => [f.name, f.type.kind === 'NON_NULL' ? `${f.type.ofType?.name}!` : f.type.name]),
    );
  };

  it('types the folder names as columns', async () => {
    expect(await fieldsOf('SalesRow')).toMatchObject({
      id: 'SafeInt',
      item: 'String',
      amount: 'SafeInt',
      year: 'SafeInt!',
      month: 'SafeInt!',
    });
    expect(await fieldsOf('CsvSalesRow')).toMatchObject({ id: 'SafeInt!', year: 'SafeInt!', month: 'SafeInt!' });
    expect(await fieldsOf('LinesRow')).toMatchObject({ year: 'SafeInt', month: 'SafeInt!', source: 'String!' });
    expect(Object.keys(await fieldsOf('FlatRow'))).not.toContain('year');
  });

  it('reads the partition values into every row, in key order', async () => {
    const body = await app.gql(`{ sales(first: 100) { totalCount edges { node { _index id year month } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data?.sales.totalCount).toBe(60);
    const nodes = body.data?.sales.edges.map((e: { node: unknown }) => e.node) as {
      _index: number;
      id: number;
      year: number;
      month: number;
    }[];
    expect(nodes.map((n) => n._index)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const n of nodes) expect([n.year, n.month]).toEqual([2023 + (n.id % 2), 1 + (n.id % 3)]);
  });

  it('filters on partitions, with indexes kept and cursors working', async () => {
    const query = `query($after: String) { sales(first: 4, after: $after, where: { year: { eq: 2024 }, month: { gte: 2 } }) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { _index id year month } } } }`;
    const first = await app.gql(query);
    expect(first.errors).toBeUndefined();
    expect(first.data?.sales.totalCount).toBe(20);
    const ids: number[] = [];
    let page = first;
    for (;;) {
      for (const edge of page.data?.sales.edges ?? []) {
        expect(edge.node.year).toBe(2024);
        expect(edge.node.month).toBeGreaterThanOrEqual(2);
        ids.push(edge.node.id);
      }
      if (!page.data?.sales.pageInfo.hasNextPage) break;
      page = await app.gql(query, { after: page.data?.sales.pageInfo.endCursor });
    }
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 2 === 1 && i % 3 !== 0));
    // The same rows' _index as in the unfiltered table.
    const all = await app.gql(`{ sales(first: 100) { edges { node { _index id } } } }`);
    const indexOf = new Map(all.data?.sales.edges.map((e: { node: { _index: number; id: number } }) => [e.node.id, e.node._index]));
    for (const edge of first.data?.sales.edges ?? []) expect(edge.node._index).toBe(indexOf.get(edge.node.id));
  });

  it('skips the objects a partition filter rules out, for CSV', async () => {
    const count = (month: number) =>
      app.gql(`query($m: SafeInt) { csvSales(first: 1, where: { year: { eq: 2024 }, month: { eq: $m } }) { totalCount } }`, { m: month });
    // Warm the schema's reads; then measure three months, one object each.
    await count(1);
    for (const month of [1, 2, 3]) {
      const { result: body, bytes } = await store.during(() => count(month));
      expect(body.errors).toBeUndefined();
      expect(body.data?.csvSales.totalCount).toBe(rowsOf(2024, month, 400).length);
      const own = sizes[`csv/year=2024/month=0${month}`] as number;
      const smallestOther = Math.min(
        ...Object.entries(sizes)
          .filter(([k]) => k !== `csv/year=2024/month=0${month}`)
          .map(([, v]) => v),
      );
      // Its own object (twice at most: the page and the count), and no other.
      expect(bytes).toBeLessThan(2 * own + smallestOther);
    }
  });

  it('counts and aggregates over a partition reading its objects alone, from a cold start', async () => {
    const cold = await startTestApp({ BUCKETQL_CACHE_TABLE_BYTES: '1KiB' }, { config: config(), storage: ownStorage() });
    try {
      const own = sizes['csv/year=2023/month=02'] as number;
      const { result: body, bytes } = await store.during(() =>
        cold.gql(`{ csvSalesAggregate(where: { year: { eq: 2023 }, month: { eq: 2 } }) { count sum { amount } } }`),
      );
      expect(body.errors).toBeUndefined();
      const rows = rowsOf(2023, 2, 400);
      expect(body.data?.csvSalesAggregate).toEqual([{ count: rows.length, sum: { amount: rows.reduce((a, r) => a + r.amount, 0) } }]);
      expect(bytes).toBeLessThan(own + 4096);
    } finally {
      await cold.close();
    }
  });

  it('prunes NDJSON partitions too, with Hive nulls', async () => {
    const body = await app.gql(
      `{ lines(first: 5, where: { year: { isNull: true } }) { totalCount edges { node { id year month source } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.lines).toEqual({
      totalCount: 1,
      edges: [{ node: { id: -1, year: null, month: 1, source: 'ndjson/year=__HIVE_DEFAULT_PARTITION__/month=01/data.ndjson' } }],
    });
    const { result: count, bytes } = await store.during(() =>
      app.gql(`{ linesAggregate(where: { year: { eq: 2023 }, month: { eq: 3 } }) { count } }`),
    );
    expect(count.data?.linesAggregate).toEqual([{ count: rowsOf(2023, 3, 400).length }]);
    const total = Object.values(sizes).reduce((a, b) => a + b, 0); // the CSV sizes: NDJSON objects are larger
    expect(bytes).toBeLessThan(total / 2);
  });
});
