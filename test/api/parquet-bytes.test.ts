// What a Parquet question costs, measured at the S3 server: the columns and row count
// come from the footer alone; a first page reads the footer and the first row group's
// heads of the chunks of the columns asked for (the rest only when more rows are wanted); a filtered count reads only the row groups whose
// statistics may match; a cursor resumes at its row group. The file has an S3 server
// of its own, so that no other test file's reads add to the count.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARQUET_FOOTER_GUESS_BYTES } from '../../src/codecs/parquet/limits.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { type OwnStore, startOwnStore } from '../support/own-store.js';

const ROWS = 300_000;
const GROUP_ROWS = 30_720; // ten row groups
const BLOOM_GROUP_ROWS = 10_240;
let bloomFile: Buffer;
/** What the server's counter adds to the bodies of a few responses (headers). */
const OVERHEAD = 4096;

/** This file's own S3 server, counting the bytes it sends. */
let store: OwnStore;

/**
 * Bytes S3 sent while `work` ran: the smallest of a few tries (the first try of a
 * question also reads the footer). Each try asks something new (`work(try)`), so that
 * no cached answer makes a try free.
 */
async function bytesFor<T>(
  work: (attempt: number) => Promise<T>,
  enough: (bytes: number) => boolean,
): Promise<{ bytes: number; result: T }> {
  let best: { bytes: number; result: T } | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const { result, bytes } = await store.during(() => work(attempt));
    if (!best || bytes < best.bytes) best = { bytes, result };
    if (enough(bytes)) break;
  }
  return best as { bytes: number; result: T };
}

describe('a 300,000-row Parquet file in ten row groups, read with ranged GETs', () => {
  let app: TestApp;
  const bucket = uniqueBucket('parquet-bytes');
  let size = 0;
  let footer = 0;
  /** Compressed bytes of each row group's chunk of each column. */
  let chunkBytes: Record<string, number>[] = [];
  /** Where each row group's chunk of each column starts. */
  let chunkStart: Record<string, number>[] = [];
  const gets: { range?: string }[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bucketql-parquet-'));
    const file = join(dir, 'big.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    await duck.run(
      `COPY (SELECT i AS id, 'user_' || i AS name, hash(i) % 100000 AS amount, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS at,
        md5(i::VARCHAR) AS note, (i / 100)::DECIMAL(12, 2) AS price FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE ${GROUP_ROWS}, COMPRESSION snappy)`,
    );
    // Each row group's team holds 'aaa', 'zzz' and a value of its own: statistics cannot tell the groups apart, Bloom filters can.
    await duck.run(
      `COPY (SELECT i AS id, ['aaa', 'zzz', 'team_' || (i // ${BLOOM_GROUP_ROWS})][1 + i % 3] AS team, md5(i::VARCHAR) AS note
        FROM range(${4 * BLOOM_GROUP_ROWS}) t(i)) TO '${file}.bloom' (FORMAT parquet, ROW_GROUP_SIZE ${BLOOM_GROUP_ROWS}, COMPRESSION snappy)`,
    );
    duck.closeSync();
    const bytes = readFileSync(file);
    bloomFile = readFileSync(`${file}.bloom`);
    rmSync(dir, { recursive: true });
    size = bytes.length;
    footer = bytes.readUInt32LE(size - 8) + 8;
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + size));
    chunkBytes = metadata.row_groups.map((g) =>
      Object.fromEntries(g.columns.map((c) => [c.meta_data?.path_in_schema[0], Number(c.meta_data?.total_compressed_size)])),
    );
    chunkStart = metadata.row_groups.map((g) =>
      Object.fromEntries(
        g.columns.map((c) => [
          c.meta_data?.path_in_schema[0],
          Number(c.meta_data?.dictionary_page_offset || c.meta_data?.data_page_offset),
        ]),
      ),
    );
    expect(chunkBytes).toHaveLength(10);
    store = await startOwnStore('parquet');
    app = await startTestApp({}, { storage: store.storage() });
    await app.storage.createBucket(bucket);
    await app.storage.putObject({ bucket, key: 'big.parquet' }, bytes);
    for (let i = 0; i < 3; i++) await app.storage.putObject({ bucket, key: `copy-${i}.parquet` }, bytes);
    await app.storage.putObject({ bucket, key: 'bloom.parquet' }, bloomFile);
    app.storage.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectCommand') gets.push({ range: (args.input as { Range?: string }).Range });
        return next(args);
      },
      { step: 'initialize', name: 'parquetBytesRecorder' },
    );
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await store?.stop();
  });

  const sum = (group: number, columns: string[]) => columns.reduce((total, c) => total + (chunkBytes[group]?.[c] ?? 0), 0);

  it('answers columns and rowCount from the footer alone, in one ranged GET', async () => {
    gets.length = 0;
    const { bytes, result } = await bytesFor(
      (i) =>
        app.gql(`query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { rowCount columns { name type } } } }`, {
          b: bucket,
          k: `copy-${i}.parquet`,
        }),
      (b) => b <= PARQUET_FOOTER_GUESS_BYTES + OVERHEAD,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.object.table.rowCount).toBe(ROWS);
    expect(result.data?.object.table.columns.map((c: { type: string }) => c.type)).toEqual([
      'INT',
      'STRING',
      'INT',
      'DATETIME',
      'STRING',
      'FLOAT',
    ]);
    expect(footer).toBeLessThan(PARQUET_FOOTER_GUESS_BYTES);
    expect(bytes).toBeLessThanOrEqual(PARQUET_FOOTER_GUESS_BYTES + OVERHEAD);
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((g) => g.range?.startsWith(`bytes=${size - PARQUET_FOOTER_GUESS_BYTES}-`))).toBe(true);
  });

  it("reads a first page from the heads of the first row group's chunks, and only the columns asked for", async () => {
    // DuckDB writes each column of a row group as one data page: a first page decompresses only the start of it.
    const page = (columns: string[] | null, first = 100) =>
      app.gql(
        `query($b: String!, $c: [String!], $n: Int!) { object(bucket: $b, key: "big.parquet") { table { rows(first: $n, columns: $c) { edges { node { index values } } } } } }`,
        { b: bucket, c: columns, n: first },
      );
    const all = ['id', 'name', 'amount', 'at', 'note', 'price'];
    const whole = await bytesFor(
      () => page(null),
      (b) => b <= sum(0, all) / 4,
    );
    expect(whole.result.errors).toBeUndefined();
    expect(whole.result.data?.object.table.rows.edges[99].node.values.name).toBe('user_99');
    expect(whole.result.data?.object.table.rows.edges[99].node.values.at).toBe('2024-01-01T00:01:39.000Z');
    expect(whole.bytes).toBeLessThan(sum(0, all) / 4);
    expect(whole.bytes / size).toBeLessThan(0.05);

    gets.length = 0;
    const projected = await bytesFor(
      () => page(['name']),
      (b) => b <= sum(0, ['name']) / 4,
    );
    expect(projected.result.data?.object.table.rows.edges[5].node.values).toEqual({ name: 'user_5' });
    expect(projected.bytes).toBeLessThan(sum(0, ['name']) / 4);
    expect(projected.bytes).toBeLessThan(whole.bytes / 2);
    // Read from S3 (the head of the name chunk), not answered from a copy of the table the engine kept.
    expect(projected.bytes).toBeGreaterThan(0);
    expect(gets.some((g) => g.range?.startsWith(`bytes=${chunkStart[0]?.name}-`))).toBe(true);

    // A page that needs more rows than the heads hold reads the rest of the chunk, not its head again.
    const long = await bytesFor(
      () => page(['name'], 3000),
      (b) => b <= sum(0, ['name']) + OVERHEAD,
    );
    expect(long.result.errors).toBeUndefined();
    const edges = long.result.data?.object.table.rows.edges;
    expect(edges).toHaveLength(3000);
    expect(edges.map((e: { node: { values: { name: string } } }) => e.node.values.name)).toEqual(
      Array.from({ length: 3000 }, (_, i) => `user_${i}`),
    );
    expect(long.bytes).toBeLessThanOrEqual(sum(0, ['name']) + OVERHEAD);
  });

  it('counts with a filter reading only the row groups whose statistics may match', async () => {
    const count = (i: number) =>
      app.gql(
        `query($b: String!, $v: JSON!) { object(bucket: $b, key: "big.parquet") { table { count(where: { column: "id", op: GTE, value: $v }) } } }`,
        {
          b: bucket,
          v: 290_000 + i,
        },
      );
    const { bytes, result } = await bytesFor(count, (b) => b <= PARQUET_FOOTER_GUESS_BYTES + sum(9, ['id']));
    expect(result.errors).toBeUndefined();
    expect(result.data?.object.table.count).toBeGreaterThan(9_990);
    expect(bytes).toBeLessThanOrEqual(PARQUET_FOOTER_GUESS_BYTES + sum(9, ['id']));
    expect(bytes / size).toBeLessThan(0.05);
    expect(bytes).toBeGreaterThanOrEqual(sum(9, ['id']));

    // Over the timestamps too, and a filter no group can match reads no chunk at all.
    const none = await bytesFor(
      (i) =>
        app.gql(
          `query($b: String!, $v: JSON!) { object(bucket: $b, key: "big.parquet") { table { count(where: { column: "at", op: LT, value: $v }) } } }`,
          {
            b: bucket,
            v: `2023-12-${20 + i}`,
          },
        ),
      (b) => b <= PARQUET_FOOTER_GUESS_BYTES,
    );
    expect(none.result.data?.object.table.count).toBe(0);
    expect(none.bytes).toBeLessThanOrEqual(PARQUET_FOOTER_GUESS_BYTES);
  });

  it('counts the same when a count shares its pass with a page (rows, not column blocks)', async () => {
    const where = {
      and: [
        { column: 'amount', op: 'GTE', value: 50_000 },
        { column: 'note', op: 'STARTS_WITH', value: 'a' },
      ],
    };
    const alone = await app.gql(
      `query($b: String!, $w: RowFilter) { object(bucket: $b, key: "copy-0.parquet") { table { count(where: $w) } } }`,
      { b: bucket, w: where },
    );
    const shared = await app.gql(
      `query($b: String!, $w: RowFilter) { object(bucket: $b, key: "copy-1.parquet") { table {
        count(where: $w) rows(first: 3, where: $w, orderBy: [{ column: "id", direction: DESC }]) { totalCount edges { node { values } } } } } }`,
      { b: bucket, w: where },
    );
    expect(alone.errors).toBeUndefined();
    expect(shared.errors).toBeUndefined();
    const count = alone.data?.object.table.count;
    expect(count).toBeGreaterThan(1000);
    expect(shared.data?.object.table.count).toBe(count);
    expect(shared.data?.object.table.rows.totalCount).toBe(count);
    for (const edge of shared.data?.object.table.rows.edges ?? []) {
      expect(edge.node.values.amount).toBeGreaterThanOrEqual(50_000);
      expect(edge.node.values.note.startsWith('a')).toBe(true);
    }
  });

  it("reads a row group's adjacent chunks in one GET when it counts", async () => {
    gets.length = 0;
    const body = await app.gql(
      `query($b: String!, $w: RowFilter) { object(bucket: $b, key: "copy-2.parquet") { table { count(where: $w) } } }`,
      {
        b: bucket,
        w: {
          and: [
            { column: 'amount', op: 'GTE', value: 50_000 },
            { column: 'at', op: 'GTE', value: '2024-01-01' },
          ],
        },
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.object.table.count).toBeGreaterThan(100_000);
    const chunkGets = gets.filter((g) => !g.range?.startsWith(`bytes=${size - PARQUET_FOOTER_GUESS_BYTES}-`)).map((g) => g.range);
    // amount and at lie next to each other in each of the ten row groups: one GET a group, from the start of one to the end of the other.
    const expected = chunkStart.map((group, g) => `bytes=${group.amount}-${(group.at as number) + (chunkBytes[g]?.at as number) - 1}`);
    expect(chunkGets).toEqual(expected);
  });

  it('prunes with DECIMAL statistics', async () => {
    // price is id / 100 as DECIMAL(12, 2): price >= 2900.5 is in the last row group only.
    const count = (i: number) =>
      app.gql(
        `query($b: String!, $v: JSON!) { object(bucket: $b, key: "big.parquet") { table { count(where: { column: "price", op: GTE, value: $v }) } } }`,
        { b: bucket, v: `${2900.5 + i / 100}` },
      );
    const { bytes, result } = await bytesFor(count, (b) => b <= PARQUET_FOOTER_GUESS_BYTES + sum(9, ['price']));
    expect(result.errors).toBeUndefined();
    expect(result.data?.object.table.count).toBeGreaterThan(9_940);
    expect(result.data?.object.table.count).toBeLessThanOrEqual(ROWS - 290_050);
    expect(bytes).toBeLessThanOrEqual(PARQUET_FOOTER_GUESS_BYTES + sum(9, ['price']));
    expect(bytes).toBeGreaterThanOrEqual(sum(9, ['price']));
  });

  it('counts row groups whose statistics prove every row matches without reading them', async () => {
    // Rows 245,760 on are row groups 8 and 9 exactly: both proved by their min, neither read.
    const count = (i: number) =>
      app.gql(`query($b: String!, $w: RowFilter) { object(bucket: $b, key: "big.parquet") { table { count(where: $w) } } }`, {
        b: bucket,
        w: i % 2 === 0 ? { column: 'id', op: 'GTE', value: 245_760 - i } : { not: { column: 'id', op: 'LT', value: 245_760 - i } },
      });
    const { bytes, result } = await bytesFor(count, (b) => b < sum(9, ['id']) / 2);
    expect(result.errors).toBeUndefined();
    expect(result.data?.object.table.count).toBeGreaterThanOrEqual(ROWS - 245_760);
    expect(bytes).toBeLessThan(sum(9, ['id']) / 2);
  });

  it('skips the row groups whose Bloom filters lack every value an EQ or IN asks for, where statistics cannot tell', async () => {
    const metadata = parquetMetadata(new Uint8Array(bloomFile).buffer);
    const teams = metadata.row_groups.map((g) => g.columns.find((c) => c.meta_data?.path_in_schema[0] === 'team')?.meta_data);
    expect(teams).toHaveLength(4);
    for (const team of teams) {
      expect(team?.statistics?.min_value).toBe('aaa');
      expect(team?.statistics?.max_value).toBe('zzz');
      expect(team?.bloom_filter_offset).toBeDefined();
    }
    const chunk = (group: number, column: string) =>
      Number(metadata.row_groups[group]?.columns.find((c) => c.meta_data?.path_in_schema[0] === column)?.meta_data?.total_compressed_size);
    const read = (groups: number[]) => groups.reduce((total, g) => total + chunk(g, 'team') + chunk(g, 'id'), 0);
    /** Rows of group `g` whose team is its own value ('team_g'), as DuckDB made them. */
    const own = (g: number) => {
      let n = 0;
      for (let i = g * BLOOM_GROUP_ROWS; i < (g + 1) * BLOOM_GROUP_ROWS; i++) if (i % 3 === 2) n++;
      return n;
    };
    const count = (where: unknown) =>
      app.gql(`query($b: String!, $w: RowFilter) { object(bucket: $b, key: "bloom.parquet") { table { count(where: $w) } } }`, {
        b: bucket,
        w: where,
      });
    // The footer first, with the Bloom filters (DuckDB writes them just before it) in the same GET of the file's tail.
    const none = await bytesFor(
      () => count({ column: 'team', op: 'EQ', value: 'nobody' }),
      () => true,
    );
    expect(none.result.data?.object.table.count).toBe(0);
    expect(none.bytes).toBeLessThanOrEqual(PARQUET_FOOTER_GUESS_BYTES + OVERHEAD);

    // A filter on id too (a new question each try): only row group 2's chunks are read.
    const one = await bytesFor(
      (i) =>
        count({
          and: [
            { column: 'team', op: 'EQ', value: 'team_2' },
            { column: 'id', op: 'GTE', value: i },
          ],
        }),
      (b) => b <= read([2]) + OVERHEAD,
    );
    expect(one.result.errors).toBeUndefined();
    expect(one.result.data?.object.table.count).toBe(own(2));
    expect(one.bytes).toBeGreaterThanOrEqual(chunk(2, 'team'));
    expect(one.bytes).toBeLessThanOrEqual(read([2]) + OVERHEAD);

    const two = await bytesFor(
      (i) =>
        count({
          and: [
            { column: 'team', op: 'IN', value: ['team_1', 'team_3', 'nobody'] },
            { column: 'id', op: 'GTE', value: i },
          ],
        }),
      (b) => b <= read([1, 3]) + OVERHEAD,
    );
    expect(two.result.data?.object.table.count).toBe(own(1) + own(3));
    expect(two.bytes).toBeLessThanOrEqual(read([1, 3]) + OVERHEAD);
    expect(read([1, 3])).toBeLessThan(read([0, 1, 2, 3]) * 0.6);
  });

  it('reads a first page from the heads of its chunks also when one is small enough to read whole', async () => {
    // bloom.parquet's team chunks (dictionary-encoded) are small: a first page reads all of one, and only the heads of id and note beside it.
    const metadata = parquetMetadata(new Uint8Array(bloomFile).buffer);
    const chunk = (group: number, column: string) =>
      Number(metadata.row_groups[group]?.columns.find((c) => c.meta_data?.path_in_schema[0] === column)?.meta_data?.total_compressed_size);
    const page = await bytesFor(
      () =>
        app.gql(
          `query($b: String!) { object(bucket: $b, key: "bloom.parquet") { table { rows(first: 10) { edges { node { values } } } } } }`,
          {
            b: bucket,
          },
        ),
      (b) => b <= chunk(0, 'note') / 4,
    );
    expect(page.result.data?.object.table.rows.edges[2].node.values).toEqual({ id: 2, team: 'team_0', note: expect.any(String) });
    expect(page.bytes).toBeLessThan(chunk(0, 'note') / 4);
  });

  it('resumes a cursor at its row group', async () => {
    const query = `query($b: String!, $after: String, $where: RowFilter) { object(bucket: $b, key: "big.parquet") { table {
      rows(first: 2, after: $after, where: $where, columns: ["id"]) { pageInfo { endCursor } edges { node { index values } } } } } }`;
    const first = await app.gql(query, { b: bucket, where: { column: 'id', op: 'GTE', value: 250_000 } });
    expect(first.errors).toBeUndefined();
    const after = first.data?.object.table.rows.pageInfo.endCursor;
    const { bytes, result } = await bytesFor(
      () => app.gql(query, { b: bucket, after }),
      (b) => b <= PARQUET_FOOTER_GUESS_BYTES + sum(8, ['id']),
    );
    expect(result.data?.object.table.rows.edges.map((e: { node: { index: number } }) => e.node.index)).toEqual([250_002, 250_003]);
    expect(bytes).toBeLessThanOrEqual(PARQUET_FOOTER_GUESS_BYTES + sum(8, ['id']));
  });
});
