// The schema the server serves, with the declared datasets resolved against the data.
// Built at start; rebuilt on refresh (an interval or SIGHUP) to pick up changed data.
// A dataset that cannot be read is logged and left out; the others are served.
import type { GraphQLSchema } from 'graphql';
import { type AppServices, requestContext } from '../context.js';
import { buildSchema } from '../schema/index.js';
import type { Logger } from '../server/log.js';
import type { ConfigFile } from './config.js';
import { type DatasetFailure, type ResolvedDataset, resolveDataset } from './resolve.js';

export interface RefreshResult {
  datasets: ResolvedDataset[];
  failures: DatasetFailure[];
  ms: number;
}

/** Resolves every dataset of the config; failures are reported, not thrown. */
export async function resolveDatasets(
  services: AppServices,
  config: ConfigFile,
): Promise<{ datasets: ResolvedDataset[]; failures: DatasetFailure[] }> {
  // Reading the datasets' schemas (at start and on refresh) is not a user's request:
  // its own loaders, and no per-request scan limit (the process-wide slots still hold).
  const ctx = requestContext(services, new AbortController().signal, Number.MAX_SAFE_INTEGER);
  const results = await Promise.allSettled(config.datasets.map((dataset) => resolveDataset(ctx, dataset)));
  const datasets: ResolvedDataset[] = [];
  const failures: DatasetFailure[] = [];
  results.forEach((result, i) => {
    const name = config.datasets[i]?.name ?? String(i);
    if (result.status === 'fulfilled') datasets.push(result.value);
    else failures.push({ name, message: (result.reason as Error)?.message ?? String(result.reason) });
  });
  return { datasets, failures };
}

export class SchemaHolder {
  private schema: GraphQLSchema;
  private refreshing: Promise<RefreshResult> | null = null;

  constructor(
    private readonly services: AppServices,
    private readonly config: ConfigFile | null,
    private readonly log: Logger,
  ) {
    this.schema = buildSchema();
  }

  get current(): GraphQLSchema {
    return this.schema;
  }

  /** Re-reads the datasets' data and swaps the schema in; concurrent calls share one refresh. */
  refresh(): Promise<RefreshResult> {
    this.refreshing ??= this.rebuild().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async rebuild(): Promise<RefreshResult> {
    const started = performance.now();
    if (!this.config || this.config.datasets.length === 0) return { datasets: [], failures: [], ms: 0 };
    const { datasets, failures } = await resolveDatasets(this.services, this.config);
    for (const failure of failures)
      this.log.error('a dataset cannot be read and is left out of the schema', { dataset: failure.name, reason: failure.message });
    try {
      this.schema = buildSchema(datasets);
    } catch (error) {
      // A schema that does not build (e.g. a field name clash) must not take the server down.
      this.log.error('the datasets do not make a valid schema: serving the schema without them', { reason: (error as Error).message });
      this.schema = buildSchema();
      return { datasets: [], failures: [...failures, { name: '*', message: (error as Error).message }], ms: performance.now() - started };
    }
    const ms = performance.now() - started;
    this.log.info('schema built', {
      datasets: datasets.map((d) => d.config.name),
      failed: failures.map((f) => f.name),
      ms: Math.round(ms),
    });
    return { datasets, failures, ms };
  }
}
