// BUCKETQL_CACHE_DIR through HTTP: a table scanned once answers a restarted server, and
// a table pushed out of memory, from disk: S3 is asked only for HEAD (the ETag check)
// and sends no object bytes, as this file's own S3 server counts them. A changed
// object is read again from S3. A table larger than the memory budget is kept there in
// segments and answers the same way.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { type OwnStore, startOwnStore } from '../support/own-store.js';
import { recordS3Commands, type SentCommand } from '../support/s3-spy.js';

const ROWS = 30_000;
function csv(seed: number): string {
  const lines = ['id,name,city,amount'];
  for (let i = 0; i < ROWS; i++)
    lines.push(`${i},user_${i + seed},${['서울', 'Busan', '대구'][i % 3]},${((i * 1.37 + seed) % 1000).toFixed(2)}`);
  return `${lines.join('\n')}\n`;
}

const QUESTIONS = `query($b: String!, $k: String!) {
  object(bucket: $b, key: $k) {
    table {
      sorted: rows(first: 3, orderBy: [{ column: "amount", direction: DESC }]) { edges { node { index values } } }
      seoul: count(where: { column: "city", op: EQ, value: "서울" })
      first: rows(first: 1) { edges { node { values } } }
    }
  }
}`;

describe('the table cache on disk (BUCKETQL_CACHE_DIR), through HTTP', { timeout: 120_000 }, () => {
  let store: OwnStore;
  let cacheDir = '';
  const bucket = uniqueBucket('cache-disk');
  const apps: TestApp[] = [];
  const recorders = new Map<TestApp, SentCommand[]>();

  const storage = () => store.storage();
  /** A fresh server process, as far as the cache goes: nothing in memory, the same folder. */
  async function server(env: Record<string, string> = {}): Promise<TestApp> {
    const app = await startTestApp({ BUCKETQL_CACHE_DIR: cacheDir, ...env }, { storage: storage() });
    apps.push(app);
    return app;
  }
  async function ask(app: TestApp, key: string) {
    const result = await app.gql(QUESTIONS, { b: bucket, k: key });
    expect(result.errors).toBeUndefined();
    return result.data?.object.table;
  }
  /** What S3 sent, and the commands it was sent, while `work` ran. */
  async function s3During<T>(app: TestApp, work: () => Promise<T>) {
    let sent = recorders.get(app);
    if (!sent) {
      sent = recordS3Commands(app.storage);
      recorders.set(app, sent);
    }
    const from = sent.length;
    const { result, bytes } = await store.during(work);
    return { result, bytes, commands: sent.slice(from).map((c) => c.name) };
  }

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'engine-cache-dir-'));
    store = await startOwnStore('cache-disk');
    const s3 = storage();
    await s3.createBucket(bucket);
    await s3.putObject({ bucket, key: 'a.csv' }, Buffer.from(csv(0)));
    await s3.putObject({ bucket, key: 'b.csv' }, Buffer.from(csv(1)));
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    await store?.stop();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('answers a restarted server from disk, with no object bytes from S3', async () => {
    const first = await server();
    const expected = await ask(first, 'a.csv');
    await first.services.tableCache.disk?.flushed();
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.arrow'))).toHaveLength(1);
    await first.close();

    const restarted = await server();
    const { result, bytes, commands } = await s3During(restarted, () => ask(restarted, 'a.csv'));
    expect(result).toEqual(expected);
    expect(commands).not.toContain('GetObjectCommand');
    expect(commands).toContain('HeadObjectCommand'); // the ETag is still checked
    expect(bytes).toBeLessThan(16 * 1024); // HEAD responses only; the object is 0.8 MB
  });

  it('answers a table pushed out of memory from disk', async () => {
    const files = readdirSync(cacheDir).filter((f) => f.endsWith('.arrow'));
    const tableBytes = statSync(join(cacheDir, files[0] as string)).size; // about what the table takes in memory
    // Memory for one table only: b pushes a out.
    const oneTable = await server({ BUCKETQL_CACHE_BYTES: String(Math.ceil(tableBytes * 1.5)) });
    await ask(oneTable, 'a.csv');
    await ask(oneTable, 'b.csv');
    await oneTable.services.tableCache.disk?.flushed();
    const { bytes, commands } = await s3During(oneTable, () => ask(oneTable, 'a.csv'));
    expect(commands).not.toContain('GetObjectCommand');
    expect(bytes).toBeLessThan(16 * 1024);
  });

  it('shares one S3 read among concurrent first scans of a table (count, aggregate, summary), and reads nothing after', async () => {
    const lines = ['id,name,city,amount'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},user_${i},${['서울', 'Busan', '대구'][i % 3]},${((i * 1.37) % 1000).toFixed(2)}`);
    const big = Buffer.from(`${lines.join('\n')}\n`);
    await storage().putObject({ bucket, key: 'big.csv' }, big);
    const app = await startTestApp({ BUCKETQL_CACHE_TABLE_BYTES: '0' }, { storage: storage() }); // memory only; scanned, not read ahead
    apps.push(app);
    const vars = { b: bucket, k: 'big.csv' };
    const table = (fields: string) =>
      app.gql(`query($b: String!, $k: String!) { object(bucket: $b, key: $k) { table { ${fields} } } }`, vars);
    const { result, bytes, commands } = await s3During(app, () =>
      Promise.all([
        table('count(where: { column: "city", op: EQ, value: "서울" })'),
        table('aggregate(groupBy: ["city"], columns: ["amount"]) { key count }'),
        table('summary(column: "amount") { count }'),
      ]),
    );
    for (const r of result) expect(r.errors).toBeUndefined();
    expect(result[0]?.data?.object.table.count).toBe(66_667);
    expect(result[2]?.data?.object.table.summary.count).toBe(200_000);
    // One whole read, and at most a first window (512 KiB) for each other request's column types.
    expect(bytes).toBeGreaterThanOrEqual(big.length);
    expect(bytes).toBeLessThan(big.length + 2 * 640 * 1024);
    expect(commands.filter((c) => c === 'GetObjectCommand').length).toBeGreaterThan(0);
    const later = await s3During(app, () => table('count(where: { column: "amount", op: GT, value: 500 })'));
    expect(later.commands).not.toContain('GetObjectCommand');
  });

  it('keeps a table larger than memory on disk in segments: later questions read no object bytes', async () => {
    const lines = ['id,name,city,amount'];
    for (let i = 0; i < 100_000; i++) lines.push(`${i},user_${i},${['서울', 'Busan', '대구'][i % 3]},${((i * 1.37) % 1000).toFixed(2)}`);
    await storage().putObject({ bucket, key: 'spill.csv' }, Buffer.from(`${lines.join('\n')}\n`));
    const vars = { b: bucket, k: 'spill.csv' };
    const table = (app: TestApp, fields: string, more: Record<string, unknown> = {}) =>
      app.gql(
        `query($b: String!, $k: String!${fields.includes('$after') ? ', $after: String' : ''}) { object(bucket: $b, key: $k) { table { ${fields} } } }`,
        { ...vars, ...(fields.includes('$after') ? more : {}) },
      );
    // Memory for 256 KiB of tables (this one takes several MiB), segments of 512 KiB.
    const small = { BUCKETQL_CACHE_BYTES: '256KiB', BUCKETQL_CACHE_TABLE_BYTES: '0', BUCKETQL_CACHE_SEGMENT_BYTES: '512KiB' };
    const plain = await startTestApp({ BUCKETQL_CACHE_TABLE_BYTES: '0' }, { storage: storage() }); // no disk tier
    apps.push(plain);
    const probe = await table(plain, 'rows(first: 1, where: { column: "id", op: EQ, value: 89999 }) { pageInfo { endCursor } }');
    const after = probe.data?.object.table.rows.pageInfo.endCursor;
    const questions = [
      'count(where: { column: "amount", op: GT, value: 500 })',
      'rows(first: 3, orderBy: [{ column: "amount", direction: DESC }, { column: "id" }]) { edges { node { index values } } }',
      'aggregate(groupBy: ["city"], columns: ["amount"]) { key count }',
      'rows(first: 3, after: $after) { edges { node { index values } } }',
    ];
    const expected = [];
    for (const q of questions) expected.push((await table(plain, q, { after })).data);

    const first = await server(small);
    expect((await table(first, 'count')).data?.object.table.count).toBe(100_000);
    await first.services.tableCache.disk?.flushed();
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.spill'))).toHaveLength(1);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.part')).length).toBeGreaterThan(1);
    await first.close();

    const restarted = await server(small);
    for (const [i, q] of questions.entries()) {
      const { result, bytes, commands } = await s3During(restarted, () => table(restarted, q, { after }));
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual(expected[i]);
      expect(commands).not.toContain('GetObjectCommand');
      expect(bytes).toBeLessThan(16 * 1024); // HEAD responses only; the object is 2.6 MB
    }
    expect(expected[3]?.object.table.rows.edges[0].node.index).toBe(90_000);
  });

  it('reads a changed object from S3, not from the old one’s file', async () => {
    const app = await server();
    const before = await ask(app, 'a.csv');
    await app.services.tableCache.disk?.flushed();
    await storage().putObject({ bucket, key: 'a.csv' }, Buffer.from(csv(7)));
    const { result, commands } = await s3During(app, () => ask(app, 'a.csv'));
    expect(commands).toContain('GetObjectCommand');
    expect(result.first.edges[0].node.values.name).toBe('user_7');
    expect(result).not.toEqual(before);
  });
});
