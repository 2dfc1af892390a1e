// Seeds the embedded store's `demo` bucket, once, with the files in
// examples/demo-data (written by pandas and openpyxl; see make_demo_data.py).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { codecForWrite } from '../../codecs/registry.js';
import { packageRoot } from '../../package-root.js';
import type { Logger } from '../../server/log.js';
import type { Storage } from '../types.js';

export const DEMO_BUCKET = 'demo';

/** The demo's datasets config, served with the demo data when no BUCKETQL_CONFIG is given. */
export const DEMO_CONFIG = join(packageRoot(), 'examples', 'bucketql.demo.json');

export function demoDataDir(): string {
  return join(packageRoot(), 'examples', 'demo-data');
}

function contentTypeOf(key: string): string {
  if (key.endsWith('.gz')) return 'application/gzip';
  try {
    return codecForWrite(key).codec.contentType;
  } catch {
    return 'application/octet-stream';
  }
}

/** Creates the demo bucket with its files, unless it exists already. Returns true when it seeded. */
export async function seedDemo(storage: Storage, log: Logger, bucket = DEMO_BUCKET): Promise<boolean> {
  if (await storage.bucketExists(bucket)) return false;
  try {
    await storage.createBucket(bucket);
  } catch (error) {
    // Another process seeding the same store at once (tests) created it first: fill it anyway.
    if (!(await storage.bucketExists(bucket))) throw error;
  }
  const dir = demoDataDir();
  // Keys are paths under the folder (logs/2024-03-01.ndjson); the script that made them stays out.
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.py'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  for (const key of files) {
    await storage.putObject({ bucket, key }, readFileSync(join(dir, key)), { contentType: contentTypeOf(key) });
  }
  log.info('seeded the demo bucket', { bucket, objects: files.length });
  return true;
}
