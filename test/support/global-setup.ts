// Starts one real S3-compatible server (s3rver, the embedded store) on 127.0.0.1
// in a temporary folder for the whole test run. Tests reach it through inject().
// With BUCKETQL_TEST_STORE=external the tests use the S3 named by AWS_ENDPOINT_URL_S3,
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead (`npm run test:ceph`: Ceph RGW).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedStore } from '../../src/storage/embedded/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
    /** The credentials of the test store (its secret is drawn at each start). */
    s3Credentials: { accessKeyId: string; secretAccessKey: string };
    s3ControlPort: number;
    /** Which store the tests run against: the embedded s3rver, or an external S3 (Ceph RGW). */
    s3Store: 's3rver' | 'external';
  }
}

function externalStore(project: TestProject): void {
  const { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!endpoint || !accessKeyId || !secretAccessKey) {
    throw new Error('BUCKETQL_TEST_STORE=external needs AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(endpoint)) throw new Error('tests only talk to a store on 127.0.0.1');
  project.provide('s3Endpoint', endpoint);
  project.provide('s3ControlPort', 0);
  project.provide('s3Credentials', { accessKeyId, secretAccessKey });
  project.provide('s3Store', 'external');
}

export default async function setup(project: TestProject) {
  if (process.env.BUCKETQL_TEST_STORE === 'external') return externalStore(project);
  const directory = mkdtempSync(join(tmpdir(), 'bucketql-test-s3-'));
  const store = await startEmbeddedStore({ directory, countBytes: true });
  // Test files ask the store how many bytes it sent through a tiny control server.
  const { createServer } = await import('node:http');
  const control = createServer(async (_req, res) => {
    res.end(String(await store.bytesSent()));
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const address = control.address();
  project.provide('s3Endpoint', store.endpoint);
  project.provide('s3Credentials', store.credentials);
  project.provide('s3ControlPort', typeof address === 'object' && address ? address.port : 0);
  project.provide('s3Store', 's3rver');
  return async () => {
    control.close();
    await store.stop();
    rmSync(directory, { recursive: true, force: true });
  };
}
