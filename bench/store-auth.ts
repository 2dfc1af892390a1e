// What verifying signatures costs the embedded store: sequential HEADs and 4 KiB GETs
// from bucketql's Storage against a fresh embedded store, per request.
// Run: npx tsx bench/store-auth.ts [requests]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedStore } from '../src/storage/embedded/embedded.js';
import { S3Storage } from '../src/storage/s3.js';

const requests = Number(process.argv[2] ?? 2000);
const directory = mkdtempSync(join(tmpdir(), 'bucketql-bench-auth-'));
const store = await startEmbeddedStore({ directory });
const storage = new S3Storage({ endpoint: store.endpoint, credentials: store.credentials, timeoutMs: 10_000, maxAttempts: 1 });
try {
  await storage.createBucket('bench');
  await storage.putObject({ bucket: 'bench', key: 'k.txt' }, Buffer.alloc(4096, 'x'));
  for (const [name, call] of [
    ['HEAD', () => storage.headObject({ bucket: 'bench', key: 'k.txt' })],
    [
      'GET 4 KiB',
      async () => {
        const body = await storage.getObject({ bucket: 'bench', key: 'k.txt' });
        for await (const _ of body.stream);
      },
    ],
  ] as const) {
    for (let i = 0; i < 100; i++) await call();
    const started = performance.now();
    for (let i = 0; i < requests; i++) await call();
    const ms = performance.now() - started;
    console.log(`${name}: ${requests} requests in ${ms.toFixed(0)} ms, ${((ms / requests) * 1000).toFixed(0)} µs each`);
  }
} finally {
  storage.destroy();
  await store.stop();
  rmSync(directory, { recursive: true, force: true });
}
