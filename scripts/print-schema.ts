// Prints the schema bucketql serves to schema/schema.graphql: the file clients (GraphQL
// Code Generator, examples/, the explorer) are generated from.
//
// - Without a config: the demo datasets (examples/bucketql.demo.json) resolved
//   against the demo data held in memory (src/storage/memory.ts: no store is
//   started); `--check` exits 1 when
//   schema/schema.graphql is stale.
// - With a config (BUCKETQL_CONFIG, --config, or a bucketql.config.json/.yaml/.yml in
//   the working folder, as `npm start` finds it): its datasets resolved against the
//   store `npm start` would use (S3 as configured, or the embedded store's data
//   folder), printed to stdout or to `--out <file>`. Dataset types come from the data,
//   so the store must answer; no bucketql server needs to run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { chooseStore, parseSettings, resolveDataDir, type Settings } from '../src/config/settings.js';
import { createServices } from '../src/context.js';
import { type ConfigFile, loadConfig } from '../src/datasets/config.js';
import { resolveDatasets } from '../src/datasets/schema-holder.js';
import { findConfigFile } from '../src/main.js';
import { buildSchema } from '../src/schema/index.js';
import { createLogger } from '../src/server/log.js';
import { describeS3 } from '../src/storage/check.js';
import { type EmbeddedStore, startEmbeddedStore } from '../src/storage/embedded/embedded.js';
import { DEMO_CONFIG, seedDemo } from '../src/storage/embedded/seed.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { S3Storage } from '../src/storage/s3.js';
import type { Storage } from '../src/storage/types.js';

// bucketql pins SDK versions that support Node 20 (see cli.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
export { DEMO_CONFIG };

/** The schema for `config`'s datasets resolved against `storage`; throws naming every dataset that cannot be read. */
async function schemaFor(
  settings: Settings,
  storage: Storage,
  config: ConfigFile,
  store = describeS3('schema:print', process.env),
): Promise<string> {
  const { datasets, failures } = await resolveDatasets(createServices(settings, storage, store), config);
  if (failures.length > 0) throw new Error(`datasets that cannot be read: ${failures.map((f) => `${f.name}: ${f.message}`).join('; ')}`);
  return `${printSchema(buildSchema(datasets))}\n`;
}

/** The schema with the demo datasets, resolved against the demo data held in memory (no store started). */
export async function printedSchema(): Promise<string> {
  const storage = new MemoryStorage();
  await seedDemo(storage, createLogger('silent'));
  return schemaFor(parseSettings([], {}), storage, loadConfig(DEMO_CONFIG), {
    ...describeS3('schema:print', {}),
    reason: 'the demo data, held in memory',
  });
}

/** The schema for a config file, against the store `npm start` would use with these settings. */
export async function printedSchemaFor(settings: Settings, configFile: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const common = { timeoutMs: settings.s3TimeoutMs, maxAttempts: settings.s3MaxAttempts };
  const choice = chooseStore(settings, env);
  let embedded: EmbeddedStore | null = null;
  let storage: S3Storage;
  if (choice.kind === 'embedded') {
    embedded = await startEmbeddedStore({ directory: join(resolveDataDir(settings), 's3') });
    storage = new S3Storage({ ...common, endpoint: embedded.endpoint, credentials: embedded.credentials, copySourceKeepsPlus: true });
    if (settings.seedDemo) await seedDemo(storage, createLogger('silent'));
  } else storage = new S3Storage({ ...common, forcePathStyle: settings.s3PathStyle });
  try {
    return await schemaFor(settings, storage, loadConfig(configFile));
  } finally {
    storage.destroy();
    await embedded?.stop();
  }
}

/** Flags of this script that are not bucketql settings. */
function ownFlag(argv: string[], name: string): { value: string | undefined; present: boolean; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  let present = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === name) {
      present = true;
      if (name === '--out') value = argv[++i];
    } else if (arg.startsWith(`${name}=`)) {
      present = true;
      value = arg.slice(name.length + 1);
    } else rest.push(arg);
  }
  return { value, present, rest };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = ownFlag(process.argv.slice(2), '--check');
  const out = ownFlag(check.rest, '--out');
  const settings = parseSettings(out.rest, process.env);
  const { file } = findConfigFile(settings, false);
  if (file) {
    const printed = await printedSchemaFor(settings, file);
    if (out.value) {
      writeFileSync(out.value, printed);
      process.stderr.write(`wrote ${out.value} (datasets of ${file})\n`);
    } else process.stdout.write(printed);
  } else {
    const printed = await printedSchema();
    if (check.present) {
      if (readFileSync(SCHEMA_FILE, 'utf8') !== printed) {
        process.stderr.write('schema/schema.graphql is stale: run `npm run schema:print`\n');
        process.exit(1);
      }
    } else {
      writeFileSync(out.value ?? SCHEMA_FILE, printed);
      process.stdout.write(`wrote ${out.value ?? SCHEMA_FILE}\n`);
    }
  }
}
