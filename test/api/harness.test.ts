// The test harness itself: a bucketql server over the test S3 server answers GraphQL over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onS3rver, s3BytesSent, startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

describe('test harness', () => {
  let app: TestApp;
  const bucket = uniqueBucket('harness');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
    await app.storage.putObject({ bucket, key: 'a.txt' }, Buffer.from('hello'));
  });
  afterAll(() => app.close());

  it('serves GraphQL over HTTP against the test S3 server', async () => {
    const result = await app.gql('query($b: String!) { bucket(name: $b) { objects { edges { node { key size text } } } } }', { b: bucket });
    expect(result.errors).toBeUndefined();
    expect(result.data?.bucket.objects.edges).toEqual([{ node: { key: 'a.txt', size: 5, text: 'hello' } }]);
  });

  it.skipIf(!onS3rver)('can tell how many bytes the S3 server sent', async () => {
    const before = await s3BytesSent();
    await app.gql('query($b: String!) { object(bucket: $b, key: "a.txt") { text } }', { b: bucket });
    expect(await s3BytesSent()).toBeGreaterThan(before);
  });
});
