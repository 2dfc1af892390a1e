// Prints the schema bucketql serves, with the demo datasets (examples/bucketql.demo.json)
// resolved against the demo data, to schema/schema.graphql: the file clients (GraphQL
// Code Generator, examples/, the explorer) are generated from.
// `npm run schema:print`; `--check` exits 1 when the file is stale.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { parseSettings } from '../src/config/settings.js';
import { loadConfig } from '../src/datasets/config.js';
import { resolveDatasets } from '../src/datasets/schema-holder.js';
import { buildSchema } from '../src/schema/index.js';
import { AccessPolicy } from '../src/server/access.js';
import { createLogger } from '../src/server/log.js';
import { ScanSlots } from '../src/server/scan-budget.js';
import { startEmbeddedStore } from '../src/storage/embedded/embedded.js';
import { DEMO_CONFIG, seedDemo } from '../src/storage/embedded/seed.js';
import { Storage } from '../src/storage/s3.js';
import { TableCache } from '../src/tables/cache.js';

// bucketql pins SDK versions that support Node 20 (see cli.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
export { DEMO_CONFIG };

/** The schema with the demo datasets, resolved against the demo data in a throwaway embedded store. */
export async function printedSchema(): Promise<string> {
  const directory = mkdtempSync(join(tmpdir(), 'bucketql-schema-'));
  const store = await startEmbeddedStore({ directory });
  const storage = new Storage({
    endpoint: store.endpoint,
    credentials: store.credentials,
    copySourceKeepsPlus: true,
    timeoutMs: 10_000,
    maxAttempts: 2,
  });
  try {
    const log = createLogger('silent');
    await seedDemo(storage, log);
    const settings = parseSettings([], {});
    const services = {
      settings,
      storage,
      tableCache: new TableCache(settings.cacheBytes),
      access: new AccessPolicy(undefined, false),
      scanSlots: new ScanSlots(settings.maxConcurrentScans),
    };
    const { datasets, failures } = await resolveDatasets(services, loadConfig(DEMO_CONFIG));
    if (failures.length > 0) throw new Error(`demo datasets failed: ${failures.map((f) => `${f.name}: ${f.message}`).join('; ')}`);
    return `${printSchema(buildSchema(datasets))}\n`;
  } finally {
    storage.destroy();
    await store.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const printed = await printedSchema();
  if (process.argv.includes('--check')) {
    if (readFileSync(SCHEMA_FILE, 'utf8') !== printed) {
      process.stderr.write('schema/schema.graphql is stale: run `npm run schema:print`\n');
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_FILE, printed);
    process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
  }
}
