// Objects made to cost CPU: one NDJSON line of tens of megabytes, stored plain and as
// a gzip of zeros that inflates to more than the line limit. Through HTTP, the table
// read fails with DECODE_FAILED naming the limit (32 MiB a line), for that field only.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../../src/codecs/ndjson.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const bucket = uniqueBucket('hostile-lines');
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await app.storage.createBucket(bucket);
  await app.storage.putObject({ bucket, key: 'one-line.ndjson' }, Buffer.alloc(MAX_LINE_BYTES + 1024 * 1024, 'x'));
  await app.storage.putObject({ bucket, key: 'zeros.ndjson.gz' }, gzipSync(Buffer.alloc(2 * MAX_LINE_BYTES)));
  await app.storage.putObject({ bucket, key: 'fine.ndjson' }, Buffer.from('{"a":1}\n{"a":2}\n'));
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('an NDJSON line longer than 32 MiB', () => {
  it.each(['one-line.ndjson', 'zeros.ndjson.gz'])(
    'in %s is DECODE_FAILED naming the limit; the other fields answer',
    async (key) => {
      const result = await app.gql(
        'query($b: String!, $k: String!) { bad: object(bucket: $b, key: $k) { table { rowCount } } good: object(bucket: $b, key: "fine.ndjson") { table { rowCount } } }',
        { b: bucket, k: key },
      );
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['DECODE_FAILED']);
      expect(result.errors?.[0]?.message).toContain(`longer than ${MAX_LINE_BYTES} bytes`);
      expect(result.errors?.[0]?.extensions).toMatchObject({ line: 1, limit: MAX_LINE_BYTES });
      expect(result.data?.good).toEqual({ table: { rowCount: 2 } });
    },
    60_000,
  );
});
