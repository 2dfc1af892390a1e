// Test harness: a bucketql server in this process, on a free port, over the test
// run's S3 server; queries go through HTTP like a user's.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import { type AppServices, createServices } from '../../src/context.js';
import type { ConfigFile } from '../../src/datasets/config.js';
import { SchemaHolder } from '../../src/datasets/schema-holder.js';
import { createApp } from '../../src/server/app.js';
import { accessTokens } from '../../src/server/auth.js';
import { createLogger, type Logger } from '../../src/server/log.js';
import type { StoreInfo } from '../../src/storage/check.js';
import { S3Storage } from '../../src/storage/s3.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface TestApp {
  url: string;
  /** With a datasets config: the schema holder (refresh() rebuilds the dataset types). */
  holder: SchemaHolder | null;
  storage: S3Storage;
  settings: Settings;
  /** The server's shared services (its scan slots, cache, ...), to look at from a test. */
  services: AppServices;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** Readiness goes 503 (as on SIGTERM with BUCKETQL_DRAIN_SECONDS); requests are still served. */
  drain(): void;
  close(): Promise<void>;
}

/** The credentials of the test run's S3 server (the embedded store's secret is drawn at each start). */
export function storeCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return inject('s3Credentials');
}

/** True when the tests run against the embedded s3rver (false under `npm run test:ceph`). */
export const onS3rver = inject('s3Store') === 's3rver';

/** Why a test that needs s3rver itself (its byte counter, its quirks) is skipped on another store. */
export const NEEDS_S3RVER = 'needs the embedded s3rver (its byte counter or its behaviour)';

/** The options that reach the test store: s3rver wants `+` in copy sources sent literally. */
function storeOptions(endpoint: string) {
  return { endpoint, credentials: storeCredentials(), copySourceKeepsPlus: onS3rver };
}

export function testStorage(endpoint = inject('s3Endpoint')): S3Storage {
  return new S3Storage({ ...storeOptions(endpoint), timeoutMs: 10_000, maxAttempts: 2 });
}

/** Bytes the test S3 server has sent so far (all tests together: compare differences). Only on s3rver. */
export async function s3BytesSent(): Promise<number> {
  if (!onS3rver) throw new Error(`s3BytesSent ${NEEDS_S3RVER}`);
  const response = await fetch(`http://127.0.0.1:${inject('s3ControlPort')}/`);
  return Number(await response.text());
}

export function uniqueBucket(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase();
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: { endpoint?: string; storage?: S3Storage; config?: ConfigFile; logger?: Logger; store?: StoreInfo } = {},
): Promise<TestApp> {
  const settings = parseSettings([], { BUCKETQL_PORT: '0', BUCKETQL_LOG_LEVEL: 'silent', ...env });
  const storage =
    options.storage ??
    new S3Storage({
      ...storeOptions(options.endpoint ?? inject('s3Endpoint')),
      timeoutMs: settings.s3TimeoutMs,
      maxAttempts: settings.s3MaxAttempts,
    });
  const logger = options.logger ?? createLogger(settings.logLevel);
  const services = createServices(settings, storage, options.store);
  const holder = options.config ? new SchemaHolder(services, options.config, logger) : null;
  const app = createApp({ services, tokens: accessTokens(settings), logger, ...(holder ? { schema: () => holder.current } : {}) });
  await holder?.refresh();
  const port = await app.listen();
  // Client and server share one event loop here: under load, the server's keep-alive
  // timeout can close a socket just as the client reuses it (ECONNRESET).
  app.server.keepAliveTimeout = 60_000;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    holder,
    storage,
    settings,
    services: app.services,
    async gql(query, variables, headers) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<any>;
    },
    drain: () => app.drain(),
    async close() {
      await app.close();
      storage.destroy();
    },
  };
}
