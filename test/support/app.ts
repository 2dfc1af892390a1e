// Test harness: a bucketql server in this process, on a free port, over the test
// run's S3 server; queries go through HTTP like a user's.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import type { ConfigFile } from '../../src/datasets/config.js';
import { SchemaHolder } from '../../src/datasets/schema-holder.js';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/log.js';
import type { StoreInfo } from '../../src/storage/check.js';
import { EMBEDDED_CREDENTIALS } from '../../src/storage/embedded/embedded.js';
import { Storage } from '../../src/storage/s3.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface TestApp {
  url: string;
  /** With a datasets config: the schema holder (refresh() rebuilds the dataset types). */
  holder: SchemaHolder | null;
  storage: Storage;
  settings: Settings;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export function testStorage(endpoint = inject('s3Endpoint')): Storage {
  return new Storage({ endpoint, credentials: EMBEDDED_CREDENTIALS, copySourceKeepsPlus: true, timeoutMs: 10_000, maxAttempts: 2 });
}

/** Bytes the test S3 server has sent so far (all tests together: compare differences). */
export async function s3BytesSent(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${inject('s3ControlPort')}/`);
  return Number(await response.text());
}

export function uniqueBucket(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase();
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: { endpoint?: string; storage?: Storage; config?: ConfigFile; store?: StoreInfo } = {},
): Promise<TestApp> {
  const settings = parseSettings([], { BUCKETQL_PORT: '0', BUCKETQL_LOG_LEVEL: 'silent', ...env });
  const storage =
    options.storage ??
    new Storage({
      endpoint: options.endpoint ?? inject('s3Endpoint'),
      credentials: EMBEDDED_CREDENTIALS,
      copySourceKeepsPlus: true,
      timeoutMs: settings.s3TimeoutMs,
      maxAttempts: settings.s3MaxAttempts,
    });
  const logger = createLogger(settings.logLevel);
  let holder: SchemaHolder | null = null;
  const app = createApp({
    settings,
    storage,
    logger,
    ...(options.store ? { store: options.store } : {}),
    ...(options.config ? { schema: () => (holder as SchemaHolder).current } : {}),
  });
  if (options.config) {
    holder = new SchemaHolder(app.services, options.config, logger);
    await holder.refresh();
  }
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
    async gql(query, variables, headers) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<any>;
    },
    async close() {
      await app.close();
      storage.destroy();
    },
  };
}
