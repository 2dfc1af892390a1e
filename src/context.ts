// What every resolver gets: settings, the S3 layer, the shared table cache, the
// request's own loaders, its access policy and its abort signal.
import type { Settings } from './config/settings.js';
import type { Loaders } from './loaders/index.js';
import type { AccessPolicy } from './server/access.js';
import type { ScanBudget, ScanSlots } from './server/scan-budget.js';
import type { StoreInfo } from './storage/check.js';
import type { Storage } from './storage/types.js';
import type { TableCache } from './tables/cache.js';

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
