// Column names that are also names of Object.prototype members are ordinary columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

describe('column names like __proto__ and toString', () => {
  let app: TestApp;
  const bucket = uniqueBucket('rowkeys');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
    await app.storage.putObject({ bucket, key: 'odd.csv' }, Buffer.from('__proto__,toString,constructor\n1,2,3\n'));
  });
  afterAll(() => app.close());

  it('come back in Row.values and content as own keys', async () => {
    const result = await app.gql(
      'query($b: String!) { object(bucket: $b, key: "odd.csv") { content table { rows { edges { node { values cells } } } } } }',
      { b: bucket },
    );
    expect(result.errors).toBeUndefined();
    const expected = JSON.parse('{"__proto__":1,"toString":2,"constructor":3}');
    expect(result.data?.object.table.rows.edges[0].node.values).toEqual(expected);
    expect(Object.keys(result.data?.object.table.rows.edges[0].node.values)).toEqual(['__proto__', 'toString', 'constructor']);
    expect(result.data?.object.table.rows.edges[0].node.cells).toEqual([1, 2, 3]);
    expect(Object.keys(result.data?.object.content[0])).toEqual(['__proto__', 'toString', 'constructor']);
  });
});
