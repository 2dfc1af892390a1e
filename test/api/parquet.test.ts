// Parquet through HTTP, as a user reads it: every type DuckDB writes comes back typed
// and lossless, every codec decodes, the Apache parquet-testing files read (or are
// refused with DECODE_FAILED naming what is unsupported), hostile files fail fast with
// the limit named, and `content` gives the rows as JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/parquet');
const TESTING = join(FIXTURES, 'parquet-testing/data');

const TABLE = `query($b: String!, $k: String!, $first: Int, $columns: [String!], $where: RowFilter) {
  object(bucket: $b, key: $k) { format table { format rowCount columns { name type nullable }
    rows(first: $first, columns: $columns, where: $where) { pageInfo { hasNextPage } edges { node { index values } } } } } }`;

describe('Parquet tables through HTTP', () => {
  let app: TestApp;
  const bucket = uniqueBucket('parquet');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
    const put = (key: string, file: string) => app.storage.putObject({ bucket, key }, readFileSync(file));
    await put('types.parquet', join(FIXTURES, 'types.parquet'));
    await put('empty.parquet', join(FIXTURES, 'empty.parquet'));
    await put('row-groups.parq', join(FIXTURES, 'row-groups.parquet'));
    for (const name of readdirSync(FIXTURES).filter((n) => n.startsWith('codec-'))) await put(name, join(FIXTURES, name));
    for (const name of readdirSync(join(FIXTURES, 'hostile'))) await put(`hostile/${name}`, join(FIXTURES, 'hostile', name));
    for (const name of readdirSync(TESTING).filter((n) => /\.parquet(\.encrypted)?$/.test(n))) {
      await put(`testing/${name.replace(/\.encrypted$/, '')}`, join(TESTING, name));
    }
  });
  afterAll(async () => app?.close());

  const table = async (key: string, variables: Record<string, unknown> = {}) => {
    const body = await app.gql(TABLE, { b: bucket, k: key, ...variables });
    return { body, table: body.data?.object?.table };
  };

  it('reads every type DuckDB writes, typed and lossless, in UTC', async () => {
    const { body, table: t } = await table('types.parquet');
    expect(body.errors).toBeUndefined();
    expect(body.data?.object.format).toBe('PARQUET');
    expect(t.format).toBe('PARQUET');
    expect(t.rowCount).toBe(3);
    const types = Object.fromEntries(t.columns.map((c: { name: string; type: string }) => [c.name, c.type]));
    expect(types).toEqual({
      tiny: 'INT',
      small: 'INT',
      int: 'INT',
      big: 'INT',
      ubig: 'INT',
      uint: 'INT',
      f32: 'FLOAT',
      f64: 'FLOAT',
      dec5_2: 'FLOAT',
      dec18_4: 'FLOAT',
      dec38_10: 'FLOAT',
      dec9_0: 'INT',
      d: 'DATETIME',
      ts_us: 'DATETIME',
      ts_ms: 'DATETIME',
      ts_ns: 'DATETIME',
      tstz: 'DATETIME',
      t: 'STRING',
      bin: 'STRING',
      txt: 'STRING',
      id: 'STRING',
      flag: 'BOOLEAN',
      list: 'JSON',
      struct: 'JSON',
      map: 'JSON',
      nested: 'JSON',
    });
    const [first, nulls, last] = t.rows.edges.map((e: { node: { values: Record<string, unknown> } }) => e.node.values);
    expect(first).toEqual({
      tiny: 1,
      small: 300,
      int: 70000,
      big: '9007199254740993', // beyond 2^53: its exact digits
      ubig: '18446744073709551615',
      uint: 4000000000,
      f32: 2.5,
      f64: 0.1,
      dec5_2: 123.45,
      dec18_4: 12345678901.2345,
      dec38_10: '12345678901234567890.0123456789', // no double holds it: the exact decimal
      dec9_0: 42,
      d: '2024-02-29T00:00:00.000Z',
      ts_us: '2024-01-15T09:30:00.123Z',
      ts_ms: '1969-12-31T23:59:59.999Z',
      ts_ns: '2024-01-15T09:30:00.123Z',
      tstz: '2024-01-15T00:30:00.000Z',
      t: '13:45:30.500000',
      bin: '3q2+7w==', // DE AD BE EF is not UTF-8: base64
      txt: '서울 café',
      id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      flag: true,
      list: [1, 2, null],
      struct: { x: 1, y: 'two' },
      map: { k1: 10, k2: 20 },
      nested: [{ a: [1.5] }],
    });
    expect(Object.values(nulls).every((v) => v === null)).toBe(true);
    expect(last).toMatchObject({
      tiny: -128,
      big: -9007199254740991,
      dec18_4: -0.0001,
      dec38_10: -1e-10,
      ts_ns: '1969-12-31T23:59:59.999Z', // rounded down, not toward 1970
      d: '1900-01-01T00:00:00.000Z',
      list: [],
      map: {},
    });
  });

  it('filters and orders typed values', async () => {
    const { body, table: t } = await table('types.parquet', {
      where: { column: 'ts_us', op: 'GT', value: '2000-01-01' },
      columns: ['txt'],
    });
    expect(body.errors).toBeUndefined();
    expect(t.rows.edges.map((e: { node: { values: unknown } }) => e.node.values)).toEqual([{ txt: '서울 café' }]);
  });

  it('decodes every codec DuckDB writes to the same rows', async () => {
    const codecs = ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4', 'lz4_raw'];
    const pages = await Promise.all(codecs.map((c) => table(`codec-${c}.parquet`, { first: 1000 })));
    for (const [i, { body, table: t }] of pages.entries()) {
      expect(body.errors, codecs[i]).toBeUndefined();
      expect(t.rowCount).toBe(1000);
      expect(t.rows.edges[999].node.values).toEqual({ id: 999, name: 'name 999', score: 499.5, even: false });
      expect(t.rows.edges).toEqual(pages[0]?.table.rows.edges);
    }
  });

  it('reads an empty file: its columns, no rows', async () => {
    const { body, table: t } = await table('empty.parquet');
    expect(body.errors).toBeUndefined();
    expect(t.columns.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual([
      ['a', 'INT'],
      ['b', 'STRING'],
    ]);
    expect(t.rowCount).toBe(0);
    expect(t.rows.edges).toEqual([]);
  });

  it('pages across row groups with cursors, and counts with filters', async () => {
    const query = `query($b: String!, $after: String) { object(bucket: $b, key: "row-groups.parq") { table {
      count(where: { column: "city", op: EQ, value: "city_3" })
      rows(first: 1500, after: $after, columns: ["id", "at"]) { pageInfo { hasNextPage endCursor } edges { node { index values } } } } } }`;
    let after: string | null = null;
    const ids: number[] = [];
    let count = 0;
    for (let page = 0; page < 10; page++) {
      const body: GraphQLResponse<Record<string, any>> = await app.gql(query, { b: bucket, after });
      expect(body.errors).toBeUndefined();
      const rows: { edges: { node: { index: number; values: { id: number } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } =
        body.data?.object.table.rows;
      count = body.data?.object.table.count;
      for (const edge of rows.edges) {
        expect(edge.node.values.id).toBe(edge.node.index);
        ids.push(edge.node.values.id);
      }
      if (!rows.pageInfo.hasNextPage) break;
      after = rows.pageInfo.endCursor;
    }
    expect(count).toBe(2048);
    expect(ids).toEqual(Array.from({ length: 10240 }, (_, i) => i));
  });

  it('keeps no projected or pruned read as the whole table: later questions see every column and row', async () => {
    // Each of these reads the object to its end, but only some columns or row groups of it.
    const partial = {
      ordered: `rows(first: 3, orderBy: [{ column: "id", direction: DESC }], columns: ["id"]) { edges { node { values } } }`,
      count: `count(where: { column: "city", op: EQ, value: "city_3" })`,
      aggregate: `aggregate(groupBy: ["city"], columns: ["amount"]) { key count }`,
    };
    for (const [name, question] of Object.entries(partial)) {
      const key = `whole-${name}.parq`;
      await app.storage.putObject({ bucket, key }, readFileSync(join(FIXTURES, 'row-groups.parquet')));
      const first = await app.gql(`query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { ${question} } } }`, {
        b: bucket,
        k: key,
      });
      expect(first.errors, name).toBeUndefined();
      // Another request, served from the shared cache if the read above had been kept.
      const { body, table: t } = await table(key, { first: 10000 });
      expect(body.errors, name).toBeUndefined();
      expect(t.rows.edges, name).toHaveLength(10000);
      expect(t.rows.edges[6200].node, name).toEqual({
        index: 6200,
        values: { id: 6200, city: 'city_3', at: '2024-01-05T07:20:00.000Z', amount: 7750 },
      });
    }
  });

  it('gives `content` as rows of JSON', async () => {
    const body = await app.gql(`query($b: String!) { object(bucket: $b, key: "codec-zstd.parquet") { content } }`, { b: bucket });
    expect(body.errors).toBeUndefined();
    expect(body.data?.object.content).toHaveLength(1000);
    expect(body.data?.object.content[3]).toEqual({ id: 3, name: 'name 3', score: 1.5, even: false });
  });

  it('reads the Apache parquet-testing files, or refuses them naming what is unsupported', async () => {
    const names = readdirSync(TESTING).filter((n) => /\.parquet(\.encrypted)?$/.test(n));
    const outcomes: Record<string, string> = {};
    for (const name of names) {
      const key = `testing/${name.replace(/\.encrypted$/, '')}`;
      const body = await app.gql(
        `query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rowCount columns { name type } rows(first: 10000) { edges { node { index } } } } } }`,
        { b: bucket, k: key },
      );
      if (body.errors) {
        const error = body.errors[0];
        outcomes[name] = `${error?.extensions?.code}: ${error?.message}`;
        expect(['DECODE_FAILED', 'PAYLOAD_TOO_LARGE'], `${name}: ${error?.message}`).toContain(error?.extensions?.code);
      } else {
        const t = body.data?.object.table;
        expect(t.rows.edges.length, name).toBe(Math.min(t.rowCount, 10000));
        outcomes[name] = `${t.rowCount} rows`;
      }
    }
    // Every encrypted file is refused as encrypted; only these few others are refused.
    for (const name of names.filter((n) => n.endsWith('.encrypted'))) expect(outcomes[name]).toMatch(/DECODE_FAILED: .*encrypted/);
    const refused = Object.entries(outcomes)
      .filter(([name, outcome]) => !name.endsWith('.encrypted') && !outcome.endsWith(' rows'))
      .map(([name, outcome]) => `${name} ${outcome.split(':')[0]}`);
    expect(refused).toEqual(['large_string_map.brotli.parquet PAYLOAD_TOO_LARGE', 'nation.dict-malformed.parquet DECODE_FAILED']);
    expect(outcomes['large_string_map.brotli.parquet']).toContain('at most 1073741824 bytes');
    expect(Object.keys(outcomes).length).toBeGreaterThan(70);
  });

  it('matches the values parquet-testing expects', async () => {
    for (const name of ['delta_binary_packed', 'delta_byte_array', 'delta_encoding_optional_column', 'delta_encoding_required_column']) {
      const expected = Papa.parse<string[]>(readFileSync(join(TESTING, `${name}_expect.csv`), 'utf8').trim()).data;
      const header = expected[0] as string[];
      const body = await app.gql(
        `query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rows(first: 10000) { edges { node { cells } } } } } }`,
        { b: bucket, k: `testing/${name}.parquet` },
      );
      expect(body.errors).toBeUndefined();
      const rows = body.data?.object.table.rows.edges.map((e: { node: { cells: unknown[] } }) => e.node.cells);
      expect(rows.length, name).toBe(expected.length - 1);
      for (let r = 1; r < expected.length; r++) {
        const want = expected[r] as string[];
        const got = rows[r - 1] as unknown[];
        for (let c = 0; c < header.length; c++)
          expect(got[c] === null ? '' : String(got[c]), `${name} row ${r} ${header[c]}`).toBe(want[c]);
      }
    }
  });

  it('refuses hostile files quickly, naming the limit', async () => {
    const cases: [string, string, RegExp][] = [
      ['bomb.parquet', 'PAYLOAD_TOO_LARGE', /page declares 536870912 bytes.*at most 268435456/],
      ['bomb-understated.parquet', 'DECODE_FAILED', /decompresses to more than the 4096 bytes it declares/],
      ['huge-page.parquet', 'PAYLOAD_TOO_LARGE', /at most 1073741824 bytes are read at once/],
      ['deep-nesting.parquet', 'DECODE_FAILED', /nested 201 deep; at most 64/],
      ['footer-outside.parquet', 'DECODE_FAILED', /footer declares 2147483392 bytes, more than the \d+-byte file holds/],
      ['not-parquet.parquet', 'DECODE_FAILED', /not a Parquet file/],
      ['truncated.parquet', 'DECODE_FAILED', /not a Parquet file/],
    ];
    for (const [name, code, message] of cases) {
      const { body } = await table(`hostile/${name}`);
      expect(body.errors?.[0]?.extensions?.code, name).toBe(code);
      expect(body.errors?.[0]?.message, name).toMatch(message);
    }
    const { body } = await table('hostile/handmade-ok.parquet');
    expect(body.errors).toBeUndefined();
    expect(body.data?.object.table.rows.edges.map((e: { node: { values: unknown } }) => e.node.values)).toEqual([
      { v: 0 },
      { v: 1 },
      { v: 2 },
    ]);
  });
});
