// Missing bucket or missing key: `object` stays null for both (the contract), but
// errors about a missing object say which one is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaHolder } from '../../src/datasets/schema-holder.js';
import { createLogger } from '../../src/server/log.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const bucket = uniqueBucket('missing');
const absent = uniqueBucket('absent');
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await app.storage.createBucket(bucket);
  await app.storage.putObject({ bucket, key: 'here.csv' }, Buffer.from('a\n1\n'));
});
afterAll(() => app?.close());

const COPY = `mutation ($from: ObjectRef!, $to: ObjectRef!) { copyObject(from: $from, to: $to) { key } }`;

describe('a missing object', () => {
  it('is null in queries, bucket or key alike', async () => {
    const result = await app.gql(
      'query ($a: String!, $b: String!) { k: object(bucket: $a, key: "nope.csv") { key } b: object(bucket: $b, key: "here.csv") { key } }',
      {
        a: bucket,
        b: absent,
      },
    );
    expect(result).toEqual({ data: { k: null, b: null } });
  });

  it('names the missing bucket in an error', async () => {
    const result = await app.gql(COPY, { from: { bucket: absent, key: 'here.csv' }, to: { bucket, key: 'copy.csv' } });
    expect(result.errors?.[0]?.message).toBe(`The copy source: bucket ${absent} does not exist`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', missing: 'bucket' });
  });

  it('names the missing key in an error', async () => {
    const result = await app.gql(COPY, { from: { bucket, key: 'nope.csv' }, to: { bucket, key: 'copy.csv' } });
    expect(result.errors?.[0]?.message).toBe(`The copy source: no object "nope.csv" in bucket ${bucket}`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', missing: 'key' });
  });

  it('is named precisely when a dataset cannot be read', async () => {
    const lines: string[] = [];
    const holder = new SchemaHolder(
      app.services,
      {
        datasets: [
          { name: 'noKey', bucket, key: 'nope.csv' },
          { name: 'noBucket', bucket: absent, key: 'here.csv' },
        ],
      },
      createLogger('error', (line) => lines.push(line)),
    );
    const { failures } = await holder.refresh();
    expect(failures).toEqual([
      { name: 'noKey', message: `Dataset noKey: no object "nope.csv" in bucket ${bucket}` },
      { name: 'noBucket', message: `Dataset noBucket: bucket ${absent} does not exist` },
    ]);
  });
});
