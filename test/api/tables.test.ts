// Typed tables through GraphQL with small tables parsed once and kept in the table
// cache (the default for objects up to BUCKETQL_CACHE_TABLE_BYTES); the promises
// themselves are in ./table-behaviour.ts. And rows written by putObject read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { describeTables } from './table-behaviour.js';

describeTables('cached small tables', {});

describe('putObject rows read back as the same table', () => {
  let app: TestApp;
  const bucket = uniqueBucket('tables-write');
  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
  });
  afterAll(() => app?.close());

  it('keeps every row of a one-column table, empty cells included', async () => {
    const content = { columns: ['v'], rows: [['a'], [null], [''], ['b']] };
    const written = await app.gql('mutation($b: String!, $c: JSON!) { putObject(bucket: $b, key: "one.csv", content: $c) { key } }', {
      b: bucket,
      c: content,
    });
    expect(written.errors).toBeUndefined();
    const result = await app.gql(
      'query($b: String!) { object(bucket: $b, key: "one.csv") { table { rowCount rows { edges { node { values } } } } } }',
      { b: bucket },
    );
    expect(result.data?.object.table.rowCount).toBe(4);
    expect(result.data?.object.table.rows.edges.map((e: { node: { values: unknown } }) => e.node.values)).toEqual([
      { v: 'a' },
      { v: null },
      { v: null },
      { v: 'b' },
    ]);
  });
});
