// Tables stream, measured at the S3 server: a first page, and a page after a cursor
// deep in a ~20 MB CSV, make S3 send a small part of the object (the download stops
// early; the cursor's byte offset becomes a ranged GET); the same table asked twice
// in a request reads the object's head once; anything cached is keyed by ETag, so an
// overwritten object is seen at once. Both paths: streamed tables (larger than
// BUCKETQL_CACHE_TABLE_BYTES) and small tables parsed once and cached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectMeta } from '../../src/storage/types.js';
import { onS3rver, s3BytesSent, startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const ROWS = 200_000;
const CITIES = ['서울', 'Busan', 'Incheon', '대구', 'Daejeon'];

function bigCsv(): Buffer {
  const lines = ['id,name,city,amount,active,created_at,code,note'];
  for (let i = 0; i < ROWS; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      `${i},user_${i},${CITIES[i % CITIES.length]},${((i * 37) % 100_000) / 100},${i % 3 === 0},2024-01-${day} 09:30:00,${String(i % 100_000).padStart(5, '0')},메모 ${'x'.repeat(12 + (i % 40))}`,
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** S3 commands the app's client sends, with their Range, from now on. */
function recordGets(app: TestApp): { name: string; range?: string }[] {
  const sent: { name: string; range?: string }[] = [];
  app.storage.client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Range?: string };
      sent.push({ name: String(context.commandName), ...(input.Range ? { range: input.Range } : {}) });
      return next(args);
    },
    { step: 'initialize', name: `tablesStreamingRecorder${Math.random()}` },
  );
  return sent;
}

const getsIn = (sent: { name: string; range?: string }[]) => sent.filter((c) => c.name === 'GetObjectCommand');

/**
 * Bytes S3 sent while `work` ran. Other test files share the S3 server and can only
 * add to the count: the smallest of a few tries is the closest to this work's own.
 */
async function bytesFor<T>(
  work: () => Promise<T>,
  enough: (bytes: number) => boolean,
): Promise<{ bytes: number; result: T; tries: number }> {
  let best: { bytes: number; result: T } | null = null;
  let tries = 0;
  while (tries < 3) {
    tries++;
    const before = await s3BytesSent();
    const result = await work();
    const bytes = (await s3BytesSent()) - before;
    if (!best || bytes < best.bytes) best = { bytes, result };
    if (enough(bytes)) break;
  }
  return { ...(best as { bytes: number; result: T }), tries };
}

const ROWS_QUERY = `query($b: String!, $k: String!, $first: Int, $after: String, $where: RowFilter) {
  object(bucket: $b, key: $k) { size table { rows(first: $first, after: $after, where: $where) {
    pageInfo { hasNextPage endCursor } edges { cursor node { index values } } } } } }`;

describe('a ~20 MB CSV, streamed', () => {
  let app: TestApp;
  const bucket = uniqueBucket('streaming');
  let size = 0;
  const measured: Record<string, number> = {};
  /** Cursors of rows 149,999 and 199,700 and a count, found by one scan (three fields, one pass). */
  const cursors: { deep?: string; tail?: string } = {};

  beforeAll(async () => {
    // A cache too small to keep the table's columns: every question streams it from S3.
    app = await startTestApp({ BUCKETQL_CACHE_BYTES: '4MiB' });
    await app.storage.createBucket(bucket);
    const bytes = bigCsv();
    size = bytes.length;
    await app.storage.putObject({ bucket, key: 'big.csv' }, bytes);
    const found = await app.gql(
      `query($b: String!) { object(bucket: $b, key: "big.csv") { table {
        deep: rows(first: 1, where: { column: "id", op: GTE, value: 149999 }) { pageInfo { endCursor } edges { node { index } } }
        tail: rows(first: 1, where: { column: "id", op: GTE, value: 199700 }) { pageInfo { endCursor } edges { node { index } } }
        count(where: { column: "id", op: GTE, value: 149999 }) } } }`,
      { b: bucket },
    );
    expect(found.errors).toBeUndefined();
    expect(found.data?.object.table.deep.edges[0].node.index).toBe(149_999);
    expect(found.data?.object.table.tail.edges[0].node.index).toBe(199_700);
    expect(found.data?.object.table.count).toBe(ROWS - 149_999);
    cursors.deep = found.data?.object.table.deep.pageInfo.endCursor;
    cursors.tail = found.data?.object.table.tail.pageInfo.endCursor;
  }, 60_000);

  afterAll(async () => {
    console.info(`streaming: object ${size} bytes; S3 sent ${JSON.stringify(measured)}`);
    await app?.close();
  });

  it('is larger than BUCKETQL_CACHE_TABLE_BYTES (so it is streamed, not cached)', () => {
    expect(size).toBeGreaterThan(20 * 1000 * 1000);
    expect(size).toBeGreaterThan(app.settings.cacheTableBytes);
  });

  it.skipIf(!onS3rver)('a first page of 100 rows makes S3 send under 5% of the object, in one GET', async () => {
    const sent = recordGets(app);
    const { bytes, result, tries } = await bytesFor(
      () => app.gql(ROWS_QUERY, { b: bucket, k: 'big.csv', first: 100 }),
      (b) => b < size * 0.05,
    );
    measured.firstPage = bytes;
    expect(result.errors).toBeUndefined();
    const edges = result.data?.object.table.rows.edges;
    expect(edges).toHaveLength(100);
    expect(edges[99].node.values).toMatchObject({ id: 99, name: 'user_99', created_at: '2024-01-16T09:30:00.000Z', code: '00099' });
    expect(result.data?.object.table.rows.pageInfo.hasNextPage).toBe(true);
    expect(bytes).toBeLessThan(size * 0.05);
    expect(getsIn(sent), JSON.stringify(getsIn(sent))).toHaveLength(tries);
    for (const get of getsIn(sent)) expect(get.range).toMatch(/^bytes=0-/);
  });

  it.skipIf(!onS3rver)(
    'a page after a cursor at row 150,000 makes S3 send under 5% of the object: a ranged GET from the cursor’s offset',
    async () => {
      const cursor = cursors.deep;
      const sent = recordGets(app);
      const { bytes, result } = await bytesFor(
        () => app.gql(ROWS_QUERY, { b: bucket, k: 'big.csv', first: 100, after: cursor }),
        (b) => b < size * 0.05,
      );
      measured.deepPage = bytes;
      expect(result.errors).toBeUndefined();
      const edges = result.data?.object.table.rows.edges;
      expect(edges.map((e: { node: { index: number } }) => e.node.index)).toEqual(Array.from({ length: 100 }, (_, i) => 150_000 + i));
      expect(edges.map((e: { node: { values: { id: number } } }) => e.node.values.id)).toEqual(
        Array.from({ length: 100 }, (_, i) => 150_000 + i),
      );
      expect(bytes).toBeLessThan(size * 0.05);
      const gets = getsIn(sent);
      expect(gets.length).toBeGreaterThanOrEqual(1);
      for (const get of gets) {
        const start = Number(/^bytes=(\d+)-/.exec(get.range ?? '')?.[1]);
        expect(start).toBeGreaterThan(size * 0.7);
      }
    },
  );

  it('pages after page through deep in the file, following each endCursor', async () => {
    let after = cursors.tail;
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await app.gql(ROWS_QUERY, { b: bucket, k: 'big.csv', first: 100, after });
      expect(result.errors).toBeUndefined();
      const rows = result.data?.object.table.rows;
      seen.push(...rows.edges.map((e: { node: { index: number } }) => e.node.index));
      if (!rows.pageInfo.hasNextPage) break;
      after = rows.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 299 }, (_, i) => 199_701 + i));
  });

  it('an overwritten object is seen by the next request (columns, rows and a count cached before)', async () => {
    const query = `query($b: String!) { object(bucket: $b, key: "big.csv") { table { columns { name type }
      rows(first: 2) { edges { node { values } } } count(where: { column: "id", op: GTE, value: 149999 }) } } }`;
    const before = await app.gql(query, { b: bucket }); // the count, from the cache
    expect(before.data?.object.table.columns).toHaveLength(8);
    expect(before.data?.object.table.count).toBe(ROWS - 149_999);
    // Written by another client, straight to S3.
    await app.storage.putObject(
      { bucket, key: 'big.csv' },
      Buffer.from(`id\n${Array.from({ length: 1000 }, (_, i) => 200_000 + i).join('\n')}\n`),
    );
    const after = await app.gql(query, { b: bucket });
    expect(after.errors).toBeUndefined();
    expect(after.data?.object.table).toEqual({
      columns: [{ name: 'id', type: 'INT' }],
      rows: { edges: [{ node: { values: { id: 200_000 } } }, { node: { values: { id: 200_001 } } }] },
      count: 1000,
    });
  });
});

describe.each<{ path: 'streamed' | 'cached'; env: Record<string, string> }>([
  // Streamed: larger than BUCKETQL_CACHE_TABLE_BYTES, and its columns do not fit the cache.
  { path: 'streamed', env: { BUCKETQL_CACHE_TABLE_BYTES: '1000', BUCKETQL_CACHE_BYTES: '20000' } },
  { path: 'cached', env: {} },
])('a small table, $path', ({ path, env }) => {
  let app: TestApp;
  const bucket = uniqueBucket(`small-${path}`);
  const csv = (n: number, word: string) => `id,word\n${Array.from({ length: n }, (_, i) => `${i},${word}${i}`).join('\n')}\n`;

  beforeAll(async () => {
    app = await startTestApp(env);
    await app.storage.createBucket(bucket);
  });
  afterAll(() => app?.close());

  const TWICE = `query($b: String!, $k: String!) { object(bucket: $b, key: $k) {
    a: table { rowCount rows(first: 3) { edges { node { values } } } }
    b: table { rowCount rows(first: 3) { edges { node { values } } } } } }`;
  const ONCE = `query($b: String!, $k: String!) { object(bucket: $b, key: $k) {
    a: table { rowCount rows(first: 3) { edges { node { values } } } } } }`;

  it('asked twice in one request, reads the object’s head once, and no more than asked once', async () => {
    // Two objects alike, so that neither finds the other's work in the cache.
    await app.storage.putObject({ bucket, key: 'once.csv' }, Buffer.from(csv(5000, 'w')));
    await app.storage.putObject({ bucket, key: 'twice.csv' }, Buffer.from(csv(5000, 'w')));
    const sent = recordGets(app);
    const once = await app.gql(ONCE, { b: bucket, k: 'once.csv' });
    const onceGets = getsIn(sent.splice(0));
    const twice = await app.gql(TWICE, { b: bucket, k: 'twice.csv' });
    const twiceGets = getsIn(sent.splice(0));
    expect(once.errors).toBeUndefined();
    expect(twice.errors).toBeUndefined();
    const expected = { rowCount: 5000, rows: { edges: [0, 1, 2].map((i) => ({ node: { values: { id: i, word: `w${i}` } } })) } };
    expect(twice.data?.object).toEqual({ a: expected, b: expected });
    expect(twiceGets).toHaveLength(onceGets.length);
    // The head (from byte 0) is read once; a streamed table then reads on from where the sample ended.
    expect(twiceGets.filter((g) => !g.range || g.range.startsWith('bytes=0-'))).toHaveLength(1);
    expect(twiceGets.length).toBe(path === 'streamed' ? 2 : 1);
    // Asked again, a cached table needs no GET at all; a streamed one reads once (its schema is cached).
    await app.gql(TWICE, { b: bucket, k: 'twice.csv' });
    expect(getsIn(sent.splice(0))).toHaveLength(path === 'streamed' ? 1 : 0);
  });

  it.runIf(path === 'cached')(
    'read to its end on its first question: a GET of the first window in place of HEAD, then one of the rest',
    async () => {
      const text = csv(60_000, 'w'); // about 0.8 MB: more than the first window (512 KiB)
      expect(text.length).toBeGreaterThan(600 * 1024);
      await app.storage.putObject({ bucket, key: 'whole.csv' }, Buffer.from(text));
      const meta = (await app.storage.headObject({ bucket, key: 'whole.csv' })) as ObjectMeta;
      const sent = recordGets(app);
      const query = `query($b: String!) { object(bucket: $b, key: "whole.csv") { size etag contentType table {
      rows(first: 2, where: { column: "id", op: GTE, value: 59998 }) { totalCount edges { node { values } } } } } }`;
      const result = await app.gql(query, { b: bucket });
      expect(result.errors).toBeUndefined();
      expect(result.data?.object).toMatchObject({ size: text.length, etag: meta.etag, contentType: meta.contentType });
      expect(result.data?.object.table.rows).toEqual({
        totalCount: 2,
        edges: [{ node: { values: { id: 59998, word: 'w59998' } } }, { node: { values: { id: 59999, word: 'w59999' } } }],
      });
      expect(sent.splice(0)).toEqual([
        { name: 'GetObjectCommand', range: 'bytes=0-524287' },
        { name: 'GetObjectCommand', range: 'bytes=524288-' },
      ]);
      // The next question checks the ETag (HEAD), and is answered from the table kept.
      expect((await app.gql(query, { b: bucket })).data).toEqual(result.data);
      expect(sent.splice(0)).toEqual([{ name: 'HeadObjectCommand' }]);
    },
  );

  it.runIf(path === 'cached')('a missing or empty object, asked for as a table, is what a HEAD says it is', async () => {
    await app.storage.putObject({ bucket, key: 'empty.csv' }, Buffer.alloc(0));
    const query = `query($b: String!, $k: String!) { object(bucket: $b, key: $k) { size table { rowCount columns { name } } } }`;
    expect((await app.gql(query, { b: bucket, k: 'missing.csv' })).data).toEqual({ object: null });
    const empty = await app.gql(query, { b: bucket, k: 'empty.csv' });
    expect(empty.errors).toBeUndefined();
    expect(empty.data).toEqual({ object: { size: 0, table: { rowCount: 0, columns: [] } } });
  });

  it('sees an overwrite by any client at the next request, even of the same size', async () => {
    const query = `query($b: String!) { object(bucket: $b, key: "v.csv") { table {
      rowCount count(where: { column: "id", op: GTE, value: 1 }) columns { name type }
      rows(first: 2) { edges { node { values } } } } } }`;
    await app.storage.putObject({ bucket, key: 'v.csv' }, Buffer.from(csv(500, 'a')));
    const first = await app.gql(query, { b: bucket });
    expect(first.data?.object.table).toMatchObject({ rowCount: 500, count: 499 });
    expect((await app.gql(query, { b: bucket })).data?.object.table.rows.edges[1].node.values).toEqual({ id: 1, word: 'a1' });
    // Same length, other bytes: only the ETag tells.
    await app.storage.putObject({ bucket, key: 'v.csv' }, Buffer.from(csv(500, 'b')));
    const second = await app.gql(query, { b: bucket });
    expect(second.data?.object.table.rows.edges[1].node.values).toEqual({ id: 1, word: 'b1' });
    await app.storage.putObject({ bucket, key: 'v.csv' }, Buffer.from('id,word\nx,1\ny,2\n'.padEnd(1500, '\n')));
    const third = await app.gql(query.replace('op: GTE, value: 1', 'op: EQ, value: "y"'), { b: bucket });
    expect(third.errors).toBeUndefined();
    expect(third.data?.object.table).toEqual({
      rowCount: 2,
      count: 1,
      columns: [
        { name: 'id', type: 'STRING' },
        { name: 'word', type: 'INT' },
      ],
      rows: { edges: [{ node: { values: { id: 'x', word: 1 } } }, { node: { values: { id: 'y', word: 2 } } }] },
    });
  });
});
