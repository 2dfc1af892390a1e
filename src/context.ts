// What every resolver gets, and the one place it is built: the services (settings,
// the S3 layer, the shared table cache, the access policy, the scan slots) once per
// server, and per request its own loaders, abort signal and scan budget.
import { setMaxListeners } from 'node:events';
import type { Settings } from './config/settings.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { AccessPolicy } from './server/access.js';
import { createLogger } from './server/log.js';
import { ScanBudget, ScanSlots } from './server/scan-budget.js';
import { describeS3, type StoreInfo } from './storage/check.js';
import type { Storage } from './storage/types.js';
import { type TableCache, tableCacheFor } from './tables/cache.js';

/** Abort listeners a request's signal may have at once (its concurrent S3 reads) before Node warns. */
const REQUEST_SIGNAL_LISTENERS = 1024;

/** Lives as long as the server: shared by every request. */
export interface AppServices {
  settings: Settings;
  storage: Storage;
  /** Which store this is, in words (never a secret): for serverInfo.store and /healthz. */
  store: StoreInfo;
  tableCache: TableCache;
  access: AccessPolicy;
  /** Whole-object reads running in the process (BUCKETQL_MAX_CONCURRENT_SCANS). */
  scanSlots: ScanSlots;
}

/** Lives for one request. */
export interface Context extends AppServices {
  loaders: Loaders;
  /** Aborted when the client goes away: reads behind the request stop. */
  signal: AbortSignal;
  /** This request's whole-object reads (BUCKETQL_MAX_SCANS_PER_REQUEST); each runs in one of scanSlots. */
  scans: ScanBudget;
}

/**
 * The server's services, from its settings and the store it uses. `store` says which
 * store `storage` is; described from the environment when omitted (a Storage made by hand).
 */
export function createServices(settings: Settings, storage: Storage, store?: StoreInfo): AppServices {
  return {
    settings,
    storage,
    store: store ?? { ...describeS3('given to createApp', process.env), endpoint: storage.endpoint },
    tableCache: tableCacheFor(settings, createLogger(settings.logLevel)),
    access: new AccessPolicy(settings.buckets, settings.readOnly),
    scanSlots: new ScanSlots(settings.maxConcurrentScans),
  };
}

/**
 * A request's context: fresh loaders, its signal, and its scan budget
 * (BUCKETQL_MAX_SCANS_PER_REQUEST unless `maxScans` says otherwise).
 */
export function requestContext(services: AppServices, signal: AbortSignal, maxScans = services.settings.maxScansPerRequest): Context {
  // Every S3 read of the request listens to its signal, and one request may have many
  // in flight (a Parquet page reads a chunk head per column at once): past Node's
  // default of 10 listeners it warned of a leak that a request-scoped signal cannot have.
  setMaxListeners(REQUEST_SIGNAL_LISTENERS, signal);
  return {
    ...services,
    loaders: createLoaders(services.storage, services.settings),
    signal,
    scans: new ScanBudget(maxScans, services.scanSlots, signal),
  };
}
