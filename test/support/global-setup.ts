// Starts one real S3-compatible server (s3rver, the embedded store) on 127.0.0.1
// in a temporary folder for the whole test run. Tests reach it through inject().
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
  }
}

export default async function setup(project: TestProject) {
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
  return async () => {
    control.close();
    await store.stop();
    rmSync(directory, { recursive: true, force: true });
  };
}
