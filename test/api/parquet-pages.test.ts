// Parquet page indexes (column and offset indexes) through HTTP: a filtered count or a
// filtered page of rows over a file with page indexes gives exactly what the same file
// without them gives (random filters over sorted, clustered, random and null-paged
// columns), reads fewer bytes when pages rule rows out, and files parquet-mr wrote with
// page indexes answer as a full read filtered by hand does. The S3 server is this
// file's own, so that the byte counts are this file's reads alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { type OwnStore, startOwnStore } from '../support/own-store.js';
import { indexedColumn } from '../support/parquet-write.js';

const TESTING = join(import.meta.dirname, '../fixtures/parquet/parquet-testing/data');

const ROWS = 12_000;
const BIG_ROWS = 200_000;
const CITIES = ['Busan', 'Daegu', 'Incheon', 'Seoul', 'Ulsan'];

/** The same table with and without page indexes: small pages, three row groups. */
function writeTable(pageIndexes: boolean): Buffer {
  const ids = Array.from({ length: ROWS }, (_, i) => i);
  // Values in runs of 700 rows: pages of a clustered column hold few values each.
  const city = ids.map((i) => CITIES[Math.floor(i / 700) % CITIES.length] as string);
  // Random amounts, a tenth null.
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const amount = ids.map(() => (random() < 0.1 ? null : Math.floor(random() * 1000)));
  // Whole pages of nulls (rows 3000 to 4499), then a rising score.
  const score = ids.map((i) => (i >= 3000 && i < 4500 ? null : i * 0.5));
  const at = ids.map((i) => new Date(Date.UTC(2024, 0, 1) + i * 60_000));
  const flag = ids.map((i) => Math.floor(i / 1000) % 2 === 0);
  const column = (name: string, data: unknown[], type: ColumnSource['type']) => indexedColumn(name, data, type, pageIndexes, true);
  const buffer = parquetWriteBuffer({
    columnData: [
      column('id', ids, 'INT32'),
      column('city', city, 'STRING'),
      column('amount', amount, 'INT32'),
      column('score', score, 'DOUBLE'),
      column('at', at, 'TIMESTAMP'),
      column('flag', flag, 'BOOLEAN'),
    ],
    rowGroupSize: 5000,
    pageSize: 1024,
    codec: 'SNAPPY',
  });
  return Buffer.from(buffer);
}

type Filter = Record<string, unknown>;

/** A random filter over the table's columns: conditions near its values, combined with and, or, not. */
function randomFilter(random: () => number, depth = 0): Filter {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const roll = random();
  if (depth < 2 && roll < 0.2) return { and: [randomFilter(random, depth + 1), randomFilter(random, depth + 1)] };
  if (depth < 2 && roll < 0.35) return { or: [randomFilter(random, depth + 1), randomFilter(random, depth + 1)] };
  if (depth < 2 && roll < 0.42) return { not: randomFilter(random, depth + 1) };
  const column = pick(['id', 'city', 'amount', 'score', 'at', 'flag']);
  if (random() < 0.12) return { column, op: pick(['IS_NULL', 'IS_NOT_NULL']) };
  const ops = ['EQ', 'NE', 'GT', 'GTE', 'LT', 'LTE', 'IN', 'NOT_IN'];
  const value = (): unknown => {
    switch (column) {
      case 'id':
        return Math.floor(random() * (ROWS + 200)) - 100;
      case 'city':
        return pick([...CITIES, 'Anyang', 'Seou', 'Zzz']);
      case 'amount':
        return Math.floor(random() * 1100) - 50;
      case 'score':
        return Math.floor(random() * ROWS) * 0.5;
      case 'at':
        return new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * (ROWS + 100)) * 60_000).toISOString();
      default:
        return random() < 0.5;
    }
  };
  const op = column === 'city' && random() < 0.2 ? 'STARTS_WITH' : pick(column === 'flag' ? ['EQ', 'NE'] : ops);
  if (op === 'STARTS_WITH') return { column, op, value: pick(['Se', 'B', 'U', 'x']) };
  if (op === 'IN' || op === 'NOT_IN') return { column, op, value: [value(), value(), value()] };
  return { column, op, value: value() };
}

describe('Parquet page indexes', () => {
  let app: TestApp;
  let store: OwnStore;
  const bucket = uniqueBucket('parquet-pages');
  const indexed = writeTable(true);
  const plain = writeTable(false);
  let fresh = 0;

  /** The indexed file under a key never read before: no table the engine kept answers for it. */
  const freshKey = async () => {
    const key = `indexed-${fresh++}.parquet`;
    await app.storage.putObject({ bucket, key }, indexed);
    return key;
  };

  beforeAll(async () => {
    store = await startOwnStore('parquet-pages');
    app = await startTestApp({}, { storage: store.storage() });
    await app.storage.createBucket(bucket);
    await app.storage.putObject({ bucket, key: 'plain.parquet' }, plain);
    for (const name of ['alltypes_tiny_pages.parquet', 'alltypes_tiny_pages_plain.parquet', 'int32_with_null_pages.parquet'])
      await app.storage.putObject({ bucket, key: `testing/${name}` }, readFileSync(join(TESTING, name)));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await store?.stop();
  });

  const count = (key: string, where: Filter) =>
    app.gql(`query($b: String!, $k: String!, $w: RowFilter) { object(bucket: $b, key: $k) { table { count(where: $w) } } }`, {
      b: bucket,
      k: key,
      w: where,
    });
  const rows = (key: string, where: Filter | null, columns: string[] | null = null) =>
    app.gql(
      `query($b: String!, $k: String!, $w: RowFilter, $c: [String!]) { object(bucket: $b, key: $k) { table {
        rows(first: 10000, where: $w, columns: $c) { totalCount edges { node { index values } } } } } }`,
      { b: bucket, k: key, w: where, c: columns },
    );

  it('writes the fixture with page indexes, and without them', async () => {
    const { parquetMetadata } = await import('hyparquet');
    const chunks = (bytes: Buffer) => parquetMetadata(new Uint8Array(bytes).buffer).row_groups.flatMap((g) => g.columns);
    // hyparquet-writer indexes chunks of more than one page: all but the short dictionary-coded ones here.
    const id = chunks(indexed).filter((c) => c.meta_data?.path_in_schema[0] === 'id');
    expect(id.every((c) => c.column_index_offset !== undefined && c.offset_index_offset !== undefined)).toBe(true);
    expect(chunks(plain).every((c) => c.column_index_offset === undefined && c.offset_index_offset === undefined)).toBe(true);
  });

  it('counts and pages of rows with random filters equal those of the file without page indexes', async () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let pruned = 0;
    for (let i = 0; i < 40; i++) {
      const where = randomFilter(random);
      const expected = await count('plain.parquet', where);
      expect(expected.errors, JSON.stringify(where)).toBeUndefined();
      const got = await count(await freshKey(), where);
      expect(got.errors, JSON.stringify(where)).toBeUndefined();
      expect(got.data?.object.table.count, JSON.stringify(where)).toBe(expected.data?.object.table.count);
      const n = expected.data?.object.table.count as number;
      if (n > 0 && n < ROWS / 2) pruned++;

      const columns = i % 2 === 0 ? null : ['id', 'amount'];
      const expectedRows = await rows('plain.parquet', where, columns);
      const gotRows = await rows(await freshKey(), where, columns);
      expect(gotRows.errors, JSON.stringify(where)).toBeUndefined();
      expect(gotRows.data?.object.table.rows, JSON.stringify(where)).toEqual(expectedRows.data?.object.table.rows);
    }
    // The filters are not all trivial: some select a small part of the table.
    expect(pruned).toBeGreaterThan(5);
  }, 120_000);

  it('answers filters on sorted, clustered and null-paged columns as the file without page indexes does', async () => {
    const cases: Filter[] = [
      { column: 'id', op: 'GTE', value: 11_900 },
      { column: 'id', op: 'LT', value: 130 },
      {
        and: [
          { column: 'id', op: 'GTE', value: 2000 },
          { column: 'id', op: 'LT', value: 2100 },
        ],
      },
      {
        or: [
          { column: 'id', op: 'LT', value: 50 },
          { column: 'id', op: 'GT', value: 11_950 },
        ],
      },
      { not: { column: 'id', op: 'GTE', value: 100 } },
      { column: 'city', op: 'EQ', value: 'Ulsan' },
      { column: 'score', op: 'IS_NULL' },
      {
        and: [
          { column: 'score', op: 'IS_NOT_NULL' },
          { column: 'id', op: 'LT', value: 3100 },
        ],
      },
      { column: 'at', op: 'LT', value: '2024-01-01T01:00:00Z' },
      {
        and: [
          { column: 'flag', op: 'EQ', value: false },
          { column: 'amount', op: 'LT', value: 10 },
        ],
      },
    ];
    for (const where of cases) {
      const expected = await count('plain.parquet', where);
      const got = await count(await freshKey(), where);
      expect(got.errors, JSON.stringify(where)).toBeUndefined();
      expect(got.data?.object.table.count, JSON.stringify(where)).toBe(expected.data?.object.table.count);
      const gotRows = await rows(await freshKey(), where);
      expect(gotRows.data?.object.table.rows, JSON.stringify(where)).toEqual((await rows('plain.parquet', where)).data?.object.table.rows);
    }
  }, 60_000);

  it('reads fewer bytes when pages rule rows out', async () => {
    // A file larger than the footer's tail (which holds all of a small file): ids in order and text that does not compress.
    const big = (pageIndexes: boolean) => {
      const ids = Array.from({ length: BIG_ROWS }, (_, i) => i);
      const note = ids.map((i) => `${(i * 2654435761) % 4294967296}`.padStart(10, '0').repeat(3));
      const column = (name: string, data: unknown[], type: ColumnSource['type']) => indexedColumn(name, data, type, pageIndexes);
      return Buffer.from(
        parquetWriteBuffer({
          columnData: [column('id', ids, 'INT32'), column('note', note, 'STRING')],
          rowGroupSize: BIG_ROWS / 2,
          pageSize: 8192,
        }),
      );
    };
    const where = { column: 'id', op: 'GTE', value: BIG_ROWS - 50 };
    const bytesOf = async (key: string) => {
      // The footer first (both files keep theirs), then the count alone.
      await app.gql(`query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rowCount } } }`, { b: bucket, k: key });
      const { result: body, bytes } = await store.during(() => count(key, where));
      expect(body.errors).toBeUndefined();
      expect(body.data?.object.table.count).toBe(50);
      return bytes;
    };
    await app.storage.putObject({ bucket, key: 'big-plain.parquet' }, big(false));
    await app.storage.putObject({ bucket, key: 'big-indexed.parquet' }, big(true));
    const without = await bytesOf('big-plain.parquet');
    const withIndexes = await bytesOf('big-indexed.parquet');
    // Without page indexes the last row group's id chunk is read whole; with them, its indexes and its last page.
    expect(without).toBeGreaterThan(BIG_ROWS);
    expect(withIndexes).toBeLessThan(without / 4);

    // A page of rows with the same filter reads the last pages of both columns, not their chunks.
    const { result: page, bytes: pageBytes } = await store.during(() => rows('big-indexed.parquet', where));
    expect(page.data?.object.table.rows.totalCount).toBe(50);
    expect(page.data?.object.table.rows.edges[0].node.values.id).toBe(BIG_ROWS - 50);
    expect(pageBytes).toBeLessThan(without / 4);

    // A page of rows resumed in the middle of a row group starts at the pages holding its rows.
    const first = await app.gql(
      `query($b: String!) { object(bucket: $b, key: "big-indexed.parquet") { table { rows(first: 5000, columns: ["id"]) { pageInfo { endCursor } } } } }`,
      { b: bucket },
    );
    const cursor = first.data?.object.table.rows.pageInfo.endCursor;
    const { result: resumed, bytes: resumedBytes } = await store.during(() =>
      app.gql(
        `query($b: String!, $a: String) { object(bucket: $b, key: "big-indexed.parquet") { table { rows(first: 100, after: $a) { edges { node { index values } } } } } }`,
        { b: bucket, a: cursor },
      ),
    );
    expect(resumed.errors).toBeUndefined();
    const edges = resumed.data?.object.table.rows.edges;
    expect(edges.map((e: { node: { values: { id: number } } }) => e.node.values.id)).toEqual(
      Array.from({ length: 100 }, (_, i) => 5000 + i),
    );
    expect(edges[7].node.values.note).toBe(`${(5007 * 2654435761) % 4294967296}`.padStart(10, '0').repeat(3));
    // Without page indexes it reads both chunks of the first row group from their start (the id chunk alone is about 400 KB).
    expect(resumedBytes).toBeLessThan(without / 4);
  });

  it('pages through with cursors, with and without a filter, as the file without page indexes does', async () => {
    const page = (key: string, where: Filter | null, after: string | null) =>
      app.gql(
        `query($b: String!, $k: String!, $w: RowFilter, $a: String) { object(bucket: $b, key: $k) { table {
          rows(first: 1500, where: $w, after: $a) { pageInfo { hasNextPage endCursor } edges { node { index values } } } } } }`,
        { b: bucket, k: key, w: where, a: after },
      );
    const all = async (key: string, where: Filter | null) => {
      const nodes: unknown[] = [];
      let after: string | null = null;
      for (;;) {
        const body = await page(key, where, after);
        expect(body.errors, JSON.stringify(where)).toBeUndefined();
        const rows = body.data?.object.table.rows;
        nodes.push(...rows.edges.map((e: { node: unknown }) => e.node));
        if (!rows.pageInfo.hasNextPage) return nodes;
        after = rows.pageInfo.endCursor;
      }
    };
    for (const where of [
      null,
      { column: 'id', op: 'GTE', value: 4321 },
      {
        or: [
          { column: 'city', op: 'EQ', value: 'Seoul' },
          { column: 'score', op: 'IS_NULL' },
        ],
      },
    ]) {
      const expected = await all('plain.parquet', where);
      expect(expected.length).toBeGreaterThan(1500);
      expect(await all(await freshKey(), where), JSON.stringify(where)).toEqual(expected);
    }
  }, 60_000);

  it('counts NaN and infinities, which read as null, as null: statistics leave them out of their null counts', async () => {
    // No null in the file: a NaN every 97 rows, an infinity every 101; the row group's and the pages' null counts are 0.
    const values = Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? Number.NaN : i % 101 === 0 ? Number.POSITIVE_INFINITY : i + 0.5));
    const file = (indexes: boolean) =>
      Buffer.from(
        parquetWriteBuffer({
          columnData: [{ name: 'x', data: values, type: 'DOUBLE', nullable: true, columnIndex: indexes, offsetIndex: indexes }],
          pageSize: 1024,
        }),
      );
    await app.storage.putObject({ bucket, key: 'nan-indexed.parquet' }, file(true));
    await app.storage.putObject({ bucket, key: 'nan-plain.parquet' }, file(false));
    const cells = (await rows('nan-plain.parquet', null, ['x'])).data?.object.table.rows.edges.map(
      (e: { node: { values: { x: number | null } } }) => e.node.values.x,
    ) as (number | null)[];
    const nulls = cells.filter((v) => v === null).length;
    expect(nulls).toBe(values.filter((v) => !Number.isFinite(v)).length);
    for (const key of ['nan-indexed.parquet', 'nan-plain.parquet']) {
      const counted = async (where: Filter) => (await count(key, where)).data?.object.table.count;
      expect(await counted({ column: 'x', op: 'IS_NULL' }), key).toBe(nulls);
      expect(await counted({ column: 'x', op: 'IS_NOT_NULL' }), key).toBe(5000 - nulls);
      expect(await counted({ column: 'x', op: 'GT', value: 0 }), key).toBe(5000 - nulls);
      expect(await counted({ column: 'x', op: 'LT', value: 1000 }), key).toBe(cells.filter((v) => v !== null && v < 1000).length);
    }
  });

  it('answers parquet-mr files with page indexes as a full read filtered by hand does', async () => {
    const all = async (key: string, column: string) => {
      const body = await rows(key, null, [column]);
      const edges: { node: { values: Record<string, unknown> } }[] = body.data?.object.table.rows.edges ?? [];
      return edges.map((e) => e.node.values[column]);
    };
    const check = async (key: string, where: Filter, test: (v: unknown) => boolean, column: string) => {
      const values = await all(key, column);
      const expected = values.filter(test).length;
      expect(expected, `${key} ${JSON.stringify(where)}`).toBeGreaterThan(0);
      const got = await count(key, where);
      expect(got.errors).toBeUndefined();
      expect(got.data?.object.table.count, `${key} ${JSON.stringify(where)}`).toBe(expected);
      const page = await rows(key, where, [column]);
      expect(page.data?.object.table.rows.totalCount).toBe(expected);
      expect(page.data?.object.table.rows.edges.map((e: { node: { values: Record<string, unknown> } }) => e.node.values[column])).toEqual(
        values.filter(test).slice(0, 10_000),
      );
    };
    const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
    for (const name of ['alltypes_tiny_pages.parquet', 'alltypes_tiny_pages_plain.parquet']) {
      const key = `testing/${name}`;
      await check(key, { column: 'id', op: 'LT', value: 300 }, (v) => num(v) < 300, 'id');
      await check(key, { column: 'id', op: 'GTE', value: 7000 }, (v) => num(v) >= 7000, 'id');
      await check(key, { column: 'int_col', op: 'EQ', value: 3 }, (v) => v === 3, 'int_col');
      await check(key, { column: 'month', op: 'GT', value: 10 }, (v) => num(v) > 10, 'month');
      await check(key, { column: 'string_col', op: 'EQ', value: '7' }, (v) => v === '7', 'string_col');
    }
    const key = 'testing/int32_with_null_pages.parquet';
    await check(key, { column: 'int32_field', op: 'IS_NULL' }, (v) => v === null, 'int32_field');
    await check(key, { column: 'int32_field', op: 'IS_NOT_NULL' }, (v) => v !== null, 'int32_field');
    await check(key, { column: 'int32_field', op: 'GT', value: 0 }, (v) => num(v) > 0, 'int32_field');
  }, 60_000);
});
