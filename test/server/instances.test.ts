// Several bucketql instances over one S3 behave as one: nothing a client holds (a
// cursor) or writes depends on which instance answered. The full version, behind
// HAProxy under load with an instance killed, is `npm run bench:cluster`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const PAGE = `query($b: String!, $k: String!, $after: String) { object(bucket: $b, key: $k) {
  table { rows(first: 3, after: $after) { edges { node { index values } } pageInfo { endCursor } } } } }`;
const JSON_OF = 'query($b: String!, $k: String!) { object(bucket: $b, key: $k) { json table { rowCount } } }';

describe('three instances over one S3', () => {
  let apps: TestApp[];
  const bucket = uniqueBucket('instances');

  beforeAll(async () => {
    apps = await Promise.all([startTestApp(), startTestApp(), startTestApp()]);
    await apps[0]?.storage.createBucket(bucket);
    const rows = Array.from({ length: 10 }, (_, i) => `${i},name${i}`).join('\n');
    await apps[0]?.storage.putObject({ bucket, key: 'people.csv' }, Buffer.from(`id,name\n${rows}\n`));
  });
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  it('accept each other’s cursors', async () => {
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [2, 0],
    ] as const) {
      const first = await apps[a]?.gql(PAGE, { b: bucket, k: 'people.csv' });
      const cursor = first?.data?.object.table.rows.pageInfo.endCursor;
      expect(cursor).toEqual(expect.any(String));
      const other = await apps[b]?.gql(PAGE, { b: bucket, k: 'people.csv', after: cursor });
      const same = await apps[a]?.gql(PAGE, { b: bucket, k: 'people.csv', after: cursor });
      expect(other?.errors).toBeUndefined();
      expect(other?.data).toEqual(same?.data);
      expect(other?.data?.object.table.rows.edges.map((e: { node: { index: number } }) => e.node.index)).toEqual([3, 4, 5]);
    }
  });

  it('see a write through one instance at once, even with the old version cached', async () => {
    const put = 'mutation($b: String!, $k: String!, $c: JSON!) { putObject(bucket: $b, key: $k, content: $c) { etag } }';
    for (let round = 0; round < 3; round++) {
      const content = [{ round, writer: round % 3 }];
      const writer = apps[round % 3] as TestApp;
      // Every instance reads (and caches) the current version first.
      if (round > 0) {
        for (const app of apps) {
          const before = await app.gql(JSON_OF, { b: bucket, k: 'state.json' });
          expect(before.data?.object.json).toEqual([{ round: round - 1, writer: (round - 1) % 3 }]);
        }
      }
      expect((await writer.gql(put, { b: bucket, k: 'state.json', c: content })).errors).toBeUndefined();
      for (const app of apps) {
        const read = await app.gql(JSON_OF, { b: bucket, k: 'state.json' });
        expect(read.errors).toBeUndefined();
        expect(read.data?.object.json).toEqual(content);
        expect(read.data?.object.table.rowCount).toBe(1);
      }
    }
  });
});
