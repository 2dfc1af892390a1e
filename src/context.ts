// What every resolver gets: settings, the storage layer, the shared table cache, the
// request's own loaders, its access policy and its abort signal; and the two
// functions that build them: createServices (once per server) and requestContext
// (once per request).
import type { Settings } from './config/settings.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { AccessPolicy } from './server/access.js';
import { ScanBudget, ScanSlots } from './server/scan-budget.js';
import type { StoreInfo } from './storage/check.js';
import type { Storage } from './storage/types.js';
import { TableCache } from './tables/cache.js';

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

/** The services of one server, over `storage` (which `store` describes). */
export function createServices(settings: Settings, storage: Storage, store: StoreInfo): AppServices {
  return {
    settings,
    storage,
    store,
    tableCache: new TableCache(settings.cacheBytes),
    access: new AccessPolicy(settings.buckets, settings.readOnly),
    scanSlots: new ScanSlots(settings.maxConcurrentScans),
  };
}

/** A request's context: the services, its own loaders and scan budget, and its signal. */
export function requestContext(services: AppServices, signal: AbortSignal): Context {
  return {
    ...services,
    loaders: createLoaders(services.storage, services.settings),
    signal,
    scans: new ScanBudget(services.settings.maxScansPerRequest, services.scanSlots, signal),
  };
}
