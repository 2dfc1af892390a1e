// Writing Parquet: putObject to a .parquet key encodes rows as typed columns that
// DuckDB reads back equal (and bucketql too); content that does not fit is refused
// with nothing written; uploadFile stores a Parquet file byte for byte, which then
// reads as a table.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { postForm, uploadForm } from '../support/multipart.js';

const PUT = `mutation($b: String!, $k: String!, $c: JSON!) { putObject(bucket: $b, key: $k, content: $c) { key size contentType format } }`;
const UPLOAD = 'mutation($b: String!, $k: String!, $f: File!) { uploadFile(bucket: $b, key: $k, file: $f) { key size etag } }';

/** The rows DuckDB reads from Parquet bytes, with the column types it sees. */
async function duckdbRead(bytes: Buffer): Promise<{ types: Record<string, string>; rows: Record<string, unknown>[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-parquet-write-'));
  try {
    const file = join(dir, 'written.parquet');
    writeFileSync(file, bytes);
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    const described = await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const types = Object.fromEntries(described.getRowObjectsJS().map((r) => [String(r.column_name), String(r.column_type)]));
    const reader = await duck.runAndReadAll(
      `SELECT * REPLACE (strftime("at", '%Y-%m-%dT%H:%M:%S.%g') AS "at", to_json(tags)::VARCHAR AS tags) FROM read_parquet('${file}')`,
    );
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    duck.closeSync();
    return { types, rows };
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe('writing Parquet', () => {
  let app: TestApp;
  const bucket = uniqueBucket('parquet-write');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
  });
  afterAll(async () => app?.close());

  const rows = [
    { id: 1, name: '김민수', score: 91.5, active: true, at: '2024-01-15T09:30:00.123Z', tags: ['a', 'b'], big: 2 ** 53 - 1, note: null },
    { id: 2, name: 'Lee', score: 78, active: false, at: '2024-02-29 00:00:00', tags: { k: 1 }, big: -5, note: 'x' },
    { id: 3, name: '', score: null, active: null, at: null, tags: null, big: 0 },
  ];

  it('encodes rows as typed columns that DuckDB reads back equal', async () => {
    const put = await app.gql(PUT, { b: bucket, k: 'out/people.parquet', c: rows });
    expect(put.errors).toBeUndefined();
    expect(put.data?.putObject).toMatchObject({
      key: 'out/people.parquet',
      format: 'PARQUET',
      contentType: 'application/vnd.apache.parquet',
    });
    const stored = await app.storage.getObject({ bucket, key: 'out/people.parquet' });
    const chunks: Buffer[] = [];
    for await (const chunk of stored.stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const { types, rows: back } = await duckdbRead(Buffer.concat(chunks));
    expect(types).toEqual({
      id: 'BIGINT',
      name: 'VARCHAR',
      score: 'DOUBLE',
      active: 'BOOLEAN',
      at: 'TIMESTAMP',
      tags: 'JSON',
      big: 'BIGINT',
      note: 'VARCHAR',
    });
    expect(back).toEqual([
      {
        id: 1n,
        name: '김민수',
        score: 91.5,
        active: true,
        at: '2024-01-15T09:30:00.123',
        tags: '["a","b"]',
        big: 9007199254740991n,
        note: null,
      },
      { id: 2n, name: 'Lee', score: 78, active: false, at: '2024-02-29T00:00:00.000', tags: '{"k":1}', big: -5n, note: 'x' },
      { id: 3n, name: '', score: null, active: null, at: null, tags: null, big: 0n, note: null },
    ]);
  });

  it('reads back through bucketql as the same typed table', async () => {
    await app.gql(PUT, { b: bucket, k: 'out/cols.parquet', c: { columns: ['k', 'v'], rows: [['a', 1], ['b', 2.5], ['c']] } });
    const body = await app.gql(
      `query($b: String!) { object(bucket: $b, key: "out/cols.parquet") { table { columns { name type } rows { edges { node { values } } } } } }`,
      { b: bucket },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.object.table.columns).toEqual([
      { name: 'k', type: 'STRING' },
      { name: 'v', type: 'FLOAT' },
    ]);
    expect(body.data?.object.table.rows.edges.map((e: { node: { values: unknown } }) => e.node.values)).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 2.5 },
      { k: 'c', v: null },
    ]);
  });

  it('refuses content that is not rows, writing nothing', async () => {
    for (const content of ['text', [1, 2], { columns: ['a', 'a'], rows: [] }, []]) {
      const body = await app.gql(PUT, { b: bucket, k: 'out/bad.parquet', c: content });
      expect(body.errors?.[0]?.extensions?.code, JSON.stringify(content)).toBe('BAD_USER_INPUT');
    }
    expect(await app.storage.headObject({ bucket, key: 'out/bad.parquet' })).toBeNull();
  });

  it('uploads a Parquet file byte for byte, and reads it as a table', async () => {
    const bytes = readFileSync(join(import.meta.dirname, '../fixtures/parquet/row-groups.parquet'));
    const form = uploadForm(UPLOAD, { b: bucket, k: 'up/rows.parquet' }, { f: new File([bytes], 'rows.parquet') });
    const { body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(body.data?.uploadFile.size).toBe(bytes.length);
    const stored = await app.storage.getObject({ bucket, key: 'up/rows.parquet' });
    const chunks: Buffer[] = [];
    for await (const chunk of stored.stream as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    const read = await app.gql(`query($b: String!) { object(bucket: $b, key: "up/rows.parquet") { table { rowCount } } }`, { b: bucket });
    expect(read.data?.object.table.rowCount).toBe(10240);
  });
});
