// Starting bucketql: pick the store (S3 or the embedded one), seed the demo data
// when embedded, and serve. Used by the CLI, the tests and the examples alike.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chooseStore, resolveDataDir, type Settings } from './config/settings.js';
import { type ConfigFile, loadConfig } from './datasets/config.js';
import { SchemaHolder } from './datasets/schema-holder.js';
import { type App, createApp } from './server/app.js';
import { checkListenSafety, loadTokens, TokenCheck } from './server/auth.js';
import { createLogger, type Logger } from './server/log.js';
import { type EmbeddedStore, startEmbeddedStore } from './storage/embedded/embedded.js';
import { DEMO_CONFIG, seedDemo } from './storage/embedded/seed.js';
import { Storage } from './storage/s3.js';
import type { TableCache } from './tables/cache.js';

export interface Running {
  port: number;
  url: string;
  /** The served schema; refresh() rebuilds the dataset types from the data. */
  schema: SchemaHolder;
  /** The embedded store, when bucketql started one. */
  embedded: EmbeddedStore | null;
  storage: Storage;
  /** /readyz answers 503 from now on; requests are still served until close(). */
  drain(): void;
  /** The cross-request table cache (SIGHUP empties it). */
  tableCache: TableCache;
  close(): Promise<void>;
}

/** The datasets config: BUCKETQL_CONFIG, else the demo's with the embedded demo data, else none. */
function datasetsConfig(settings: Settings, embedded: boolean, log: Logger): ConfigFile | null {
  if (settings.config) return loadConfig(settings.config);
  if (embedded && settings.seedDemo && existsSync(DEMO_CONFIG)) {
    log.info('serving the demo datasets', { config: DEMO_CONFIG });
    return loadConfig(DEMO_CONFIG);
  }
  return null;
}

export async function startBucketql(settings: Settings, env: NodeJS.ProcessEnv, logger?: Logger): Promise<Running> {
  const log = logger ?? createLogger(settings.logLevel);
  // Refuse an unsafe address before anything starts (the embedded store, the demo seed).
  checkListenSafety(settings, new TokenCheck(loadTokens(settings)));
  const choice = chooseStore(settings, env);
  let embedded: EmbeddedStore | null = null;
  let storage: Storage;
  const common = { timeoutMs: settings.s3TimeoutMs, maxAttempts: settings.s3MaxAttempts };
  if (choice.kind === 'embedded') {
    const directory = join(resolveDataDir(settings), 's3');
    embedded = await startEmbeddedStore({ directory, log });
    storage = new Storage({ ...common, endpoint: embedded.endpoint, credentials: embedded.credentials, copySourceKeepsPlus: true });
    log.info('using the embedded S3-compatible store (s3rver)', { reason: choice.reason, directory, endpoint: embedded.endpoint });
    if (settings.seedDemo) await seedDemo(storage, log);
  } else {
    storage = new Storage({ ...common, forcePathStyle: settings.s3PathStyle });
    log.info('using S3', { reason: choice.reason, endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? 'AWS' });
  }

  let app: App;
  let port: number;
  let holder: SchemaHolder | null = null;
  let refresher: NodeJS.Timeout | undefined;
  try {
    const config = datasetsConfig(settings, embedded !== null, log);
    app = createApp({ settings, storage, logger: log, schema: () => (holder as SchemaHolder).current });
    holder = new SchemaHolder(app.services, config, log);
    await holder.refresh();
    if (config && settings.schemaRefresh > 0) {
      const schema = holder;
      refresher = setInterval(() => void schema.refresh(), settings.schemaRefresh * 1000);
      refresher.unref();
    }
    port = await app.listen();
  } catch (error) {
    clearInterval(refresher);
    storage.destroy();
    await embedded?.stop();
    throw error;
  }
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;
  return {
    port,
    url,
    schema: holder,
    embedded,
    storage,
    drain: () => app.drain(),
    tableCache: app.services.tableCache,
    close: async () => {
      clearInterval(refresher);
      await app.close();
      storage.destroy();
      await embedded?.stop();
    },
  };
}
