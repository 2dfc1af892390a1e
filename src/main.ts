// Starting bucketql: pick the store (S3 or the embedded one), seed the demo data
// when embedded, and serve. Used by the CLI, the tests and the examples alike.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chooseStore, resolveDataDir, type Settings } from './config/settings.js';
import { type AppServices, createServices } from './context.js';
import { type ConfigFile, loadConfig } from './datasets/config.js';
import { SchemaHolder } from './datasets/schema-holder.js';
import { type App, createApp } from './server/app.js';
import { accessTokens, loadTokens } from './server/auth.js';
import { createLogger, type Logger } from './server/log.js';
import { checkStore, describeEmbedded, describeS3, type StoreInfo, type StoreStatus, storeSummary } from './storage/check.js';
import { type EmbeddedStore, startEmbeddedStore } from './storage/embedded/embedded.js';
import { DEMO_CONFIG, seedDemo } from './storage/embedded/seed.js';
import { S3Storage } from './storage/s3.js';
import type { Storage } from './storage/types.js';
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
  /** Which store is in use, in words (never a secret). */
  store: StoreInfo;
  /** The start-up check of the store: ok, or what is wrong. */
  storeStatus: StoreStatus;
  /** Resolves once the store answers (at once when the start-up check passed; after a retry otherwise). */
  storeReady: Promise<void>;
  /** The datasets config in use (a file path), or null. */
  configFile: string | null;
  /** The services requests are answered with (storage, settings, caches, scan slots). */
  services: AppServices;
  /** How long the start-up warm-up took (BUCKETQL_WARM_UP), or null when it is off. */
  warmUpMs: number | null;
  close(): Promise<void>;
}

/** Config files used without --config when found in the working folder, in this order. */
export const CONFIG_FILE_NAMES = ['bucketql.config.json', 'bucketql.config.yaml', 'bucketql.config.yml'];

/**
 * The datasets config file: BUCKETQL_CONFIG / --config, else a bucketql.config.json,
 * .yaml or .yml in the working folder, else the demo's with the embedded demo data,
 * else none. Says where it came from, for the log.
 */
export function findConfigFile(settings: Settings, embedded: boolean, cwd = process.cwd()): { file: string | null; source: string } {
  if (settings.config) return { file: resolve(settings.config), source: 'BUCKETQL_CONFIG / --config' };
  for (const name of CONFIG_FILE_NAMES) {
    const file = join(cwd, name);
    if (existsSync(file)) return { file, source: 'found in the working folder' };
  }
  if (embedded && settings.seedDemo && existsSync(DEMO_CONFIG)) return { file: DEMO_CONFIG, source: 'the demo datasets (embedded store)' };
  return { file: null, source: `no --config, BUCKETQL_CONFIG or ${CONFIG_FILE_NAMES.join(' / ')} in ${cwd}` };
}

/** Bounded back-off between checks of a store that does not answer: 1 s, 2 s, 4 s, ... 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
}

function datasetsConfig(settings: Settings, embedded: boolean, log: Logger): { config: ConfigFile | null; file: string | null } {
  const { file, source } = findConfigFile(settings, embedded);
  if (!file) {
    log.info('no datasets config is used', { reason: source });
    return { config: null, file: null };
  }
  log.info(`using the datasets config ${file}`, { config: file, source });
  return { config: loadConfig(file), file };
}

/** The warm-up's requests pass yoga's token rule like a client's: with the server's first token, when it has any. */
function warmUpAuthorization(settings: Settings): string | undefined {
  try {
    const token = loadTokens(settings)[0];
    return token ? `Bearer ${token}` : undefined;
  } catch {
    return undefined; // accessTokens() read them a moment ago; without one the warm-up is refused, and says so at debug
  }
}

export async function startBucketql(settings: Settings, env: NodeJS.ProcessEnv, logger?: Logger): Promise<Running> {
  const log = logger ?? createLogger(settings.logLevel);
  // Refuse an unsafe address before anything starts (the embedded store, the demo seed).
  const tokens = accessTokens(settings);
  const choice = chooseStore(settings, env);
  let embedded: EmbeddedStore | null = null;
  let storage: Storage;
  let store: StoreInfo;
  const common = { timeoutMs: settings.s3TimeoutMs, maxAttempts: settings.s3MaxAttempts };
  if (choice.kind === 'embedded') {
    const directory = join(resolveDataDir(settings), 's3');
    embedded = await startEmbeddedStore({ directory, log });
    storage = new S3Storage({ ...common, endpoint: embedded.endpoint, credentials: embedded.credentials, copySourceKeepsPlus: true });
    store = describeEmbedded(choice.reason, embedded.endpoint, resolveDataDir(settings));
    log.info(`using ${storeSummary(store)}`, { store });
    if (settings.seedDemo) await seedDemo(storage, log);
  } else {
    storage = new S3Storage({ ...common, forcePathStyle: settings.s3PathStyle });
    store = describeS3(choice.reason, env);
    log.info(`using ${storeSummary(store)}`, { store });
  }
  // One cheap call: a broken setup is said in words now, not on every query later.
  const storeStatus = await checkStore(storage, store);
  if (!storeStatus.ok) log.error(`the store does not work: ${storeStatus.message}`, { problem: storeStatus.problem, store });

  const services = createServices(settings, storage, store);
  let app: App;
  let port: number;
  let holder: SchemaHolder;
  let refresher: NodeJS.Timeout | undefined;
  let config: ConfigFile | null = null;
  let configFile: string | null = null;
  let warmUpMs: number | null = null;
  try {
    ({ config, file: configFile } = datasetsConfig(settings, embedded !== null, log));
    const schema = new SchemaHolder(services, config, log);
    holder = schema;
    app = createApp({ services, tokens, logger: log, schema: () => schema.current });
    await schema.refresh();
    if (config && settings.schemaRefresh > 0) {
      refresher = setInterval(() => void schema.refresh(), settings.schemaRefresh * 1000);
      refresher.unref();
    }
    // Before listening: the first request (and /healthz) comes after it.
    if (settings.warmUp) {
      const warm = await app.warmUp({ authorization: warmUpAuthorization(settings) });
      warmUpMs = warm.ms;
      log.debug('warmed up', warm);
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

  // A store that does not answer yet is checked again with a bounded back-off; once it
  // answers, the dataset types are built again (they could not be read before).
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const schemaHolder = holder;
  const storeReady = storeStatus.ok
    ? Promise.resolve()
    : new Promise<void>((ready) => {
        const again = (attempt: number) => {
          const delay = retryDelayMs(attempt);
          log.warn(`checking the store again in ${delay / 1000} s`, { attempt: attempt + 1 });
          retry = setTimeout(async () => {
            if (closed) return;
            const status = await checkStore(storage, store);
            if (closed) return;
            if (!status.ok) {
              log.error(`the store still does not work: ${status.message}`, { problem: status.problem });
              again(attempt + 1);
              return;
            }
            log.info(`the store answers now: ${storeSummary(store)}`);
            if (config && config.datasets.length > 0) await schemaHolder.refresh();
            ready();
          }, delay);
          retry.unref();
        };
        again(0);
      });

  return {
    port,
    url,
    schema: holder,
    embedded,
    storage,
    drain: () => app.drain(),
    tableCache: services.tableCache,
    store,
    storeStatus,
    storeReady,
    configFile,
    services,
    warmUpMs,
    close: async () => {
      closed = true;
      clearTimeout(retry);
      clearInterval(refresher);
      await app.close();
      storage.destroy();
      await embedded?.stop();
    },
  };
}
