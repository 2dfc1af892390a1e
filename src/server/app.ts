// The HTTP server: routes /healthz, /graphql (yoga) and /, enforces the request
// body limit before GraphQL runs, and ties each request's lifetime to an
// AbortSignal so that reads behind a request that went away stop.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga } from 'graphql-yoga';
import type { Settings } from '../config/settings.js';
import type { AppServices, Context } from '../context.js';
import { createLoaders } from '../loaders/index.js';
import { schema } from '../schema/index.js';
import type { Storage } from '../storage/s3.js';
import { TableCache } from '../tables/cache.js';
import { AccessPolicy } from './access.js';
import { createErrorMasker } from './errors.js';
import { checkHealth } from './health.js';
import { createLogger, type Logger } from './log.js';

export interface AppOptions {
  settings: Settings;
  storage: Storage;
  logger?: Logger;
}

export interface App {
  server: Server;
  services: AppServices;
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting requests and waits for the ones in flight. */
  close(): Promise<void>;
}

interface ServerContext {
  signal: AbortSignal;
}

/** Writes a web ReadableStream to a Node response, respecting backpressure. */
async function writeBody(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    reader.releaseLock();
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function graphqlError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

export function createApp(options: AppOptions): App {
  const { settings, storage } = options;
  const log = options.logger ?? createLogger(settings.logLevel);
  const services: AppServices = {
    settings,
    storage,
    tableCache: new TableCache(settings.cacheBytes),
    access: new AccessPolicy(undefined, false),
  };

  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    healthCheckEndpoint: '/yoga-health',
    graphiql: { title: 'bucketql', defaultQuery: DEFAULT_QUERY },
    renderGraphiQL,
    maskedErrors: { maskError: createErrorMasker(log) },
    cors: false,
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      error: (...args) => log.error(args.map(String).join(' ')),
    },
    context: ({ signal }) => ({ ...services, loaders: createLoaders(storage, settings), signal }),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      const healthy = await checkHealth(storage);
      sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'unavailable' }, { 'cache-control': 'no-store' });
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/graphql' });
      res.end();
      return;
    }
    if (url.pathname !== '/graphql') {
      sendJson(res, 404, { error: 'not found: the API is at /graphql' });
      return;
    }

    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    let body: Buffer | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const limit = settings.maxBodyBytes;
      const declared = Number(req.headers['content-length'] ?? Number.NaN);
      if (declared > limit) {
        graphqlError(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than BUCKETQL_MAX_BODY_BYTES (${limit} bytes)`);
        req.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        length += chunk.length;
        if (length > limit) {
          graphqlError(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than BUCKETQL_MAX_BODY_BYTES (${limit} bytes)`);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      }
      body = Buffer.concat(chunks, length);
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const request = new yoga.fetchAPI.Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
      method: req.method ?? 'GET',
      headers,
      ...(body ? { body } : {}),
      signal: controller.signal,
    });
    const response = await yoga.fetch(request, { signal: controller.signal });
    const outHeaders: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      outHeaders[name] = value;
    });
    res.writeHead(response.status, outHeaders);
    if (!response.body) {
      res.end();
      return;
    }
    await writeBody(response.body, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error('request failed', { error: String((error as Error)?.stack ?? error) });
      if (!res.headersSent) graphqlError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
      else res.destroy();
    });
  });

  return {
    server,
    services,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(settings.port, settings.host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

const DEFAULT_QUERY = `# Welcome to bucketql. Run this query (▶) to read the demo CSV as typed rows.
{
  object(bucket: "demo", key: "sales.csv") {
    key
    size
    table {
      columns { name type }
      rowCount
      rows(first: 5) {
        edges { node { index values } }
      }
    }
  }
}
`;
