// The HTTP server: routes /healthz, /graphql (yoga) and /, enforces the request
// body limit before GraphQL runs, and ties each request's lifetime to an
// AbortSignal so that reads behind a request that went away stop.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Settings } from '../config/settings.js';
import type { AppServices, Context } from '../context.js';
import { createLoaders } from '../loaders/index.js';
import { schema } from '../schema/index.js';
import type { Storage } from '../storage/s3.js';
import { TableCache } from '../tables/cache.js';
import { AccessPolicy } from './access.js';
import { createErrorMasker } from './errors.js';
import { checkHealth } from './health.js';
import { ExplorerAssets } from './explorer.js';
import { checkListenSafety, loadTokens, TokenCheck } from './auth.js';
import { queryLimitPlugins } from './limits.js';
import { createLogger, type Logger } from './log.js';
import { type GraphQLParams, type ParsedMultipart, parseMultipart } from './multipart.js';
import { isBucketqlError } from '../errors.js';

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
  /** Parameters of a multipart request, parsed (and streaming) before yoga sees it. */
  multipart?: GraphQLParams;
}

/** Multipart requests are parsed by us (streaming); yoga takes their parameters as they are. */
function streamingMultipartPlugin(): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onRequestParse({ serverContext, setRequestParser }) {
      const params = serverContext.multipart;
      if (params) setRequestParser(() => params as never);
    },
  };
}

/** Multipart requests must say they are not a form post from another site (CSRF). */
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'graphql-preflight'];

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
    access: new AccessPolicy(settings.buckets, settings.readOnly),
  };
  const tokens = new TokenCheck(loadTokens(settings));
  const explorer = new ExplorerAssets();
  checkListenSafety(settings, tokens);

  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    healthCheckEndpoint: '/yoga-health',
    // GraphiQL's page is served (cached and compressed) by the router below.
    graphiql: false,
    maskedErrors: { maskError: createErrorMasker(log) },
    cors: settings.corsOrigins?.length
      ? { origin: settings.corsOrigins, credentials: false, methods: ['GET', 'POST', 'OPTIONS'], maxAge: 600 }
      : false,
    batching: settings.maxBatch > 0 ? { limit: settings.maxBatch } : false,
    // Yoga logs every rejected request as an error; the masker logs what is unexpected.
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.debug(args.map(String).join(' ')),
      warn: (...args) => log.debug(args.map(String).join(' ')),
      error: (...args) => log.debug(args.map(String).join(' ')),
    },
    context: ({ signal }) => ({ ...services, loaders: createLoaders(storage, settings), signal }),
    multipart: false,
    // Body limits are enforced before yoga, per kind of request (JSON or multipart).
    maxRequestBodySize: false,
    plugins: [streamingMultipartPlugin(), ...queryLimitPlugins(settings)],
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      const healthy = await checkHealth(storage);
      sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'unavailable' }, { 'cache-control': 'no-store' });
      return;
    }
    if (url.pathname !== '/graphql' && explorer.serve(req, res, url.pathname)) return;
    if (url.pathname === '/') {
      // Without a built explorer (a checkout where `npm run build` did not run), GraphiQL.
      res.writeHead(302, { location: '/graphql' });
      res.end();
      return;
    }
    if (url.pathname !== '/graphql') {
      sendJson(res, 404, { error: 'not found: the API is at /graphql' });
      return;
    }

    // GraphiQL's page and CORS preflights carry no token; everything that runs GraphQL does.
    const wantsPage = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !url.searchParams.has('query');
    if (wantsPage && settings.graphiql) {
      sendPage(req, res, graphiqlPage());
      return;
    }
    if (!wantsPage && req.method !== 'OPTIONS' && !tokens.verify(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer realm="bucketql"');
      graphqlError(res, 401, 'UNAUTHENTICATED', 'This bucketql server needs `Authorization: Bearer <token>`');
      req.resume();
      return;
    }

    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    let body: string | undefined;
    let multipart: ParsedMultipart | undefined;
    if ((req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
      if (!CSRF_HEADERS.some((h) => h in req.headers)) {
        graphqlError(res, 400, 'BAD_USER_INPUT', `Multipart requests need one of the headers ${CSRF_HEADERS.join(', ')} (CSRF prevention)`);
        req.resume();
        return;
      }
      const limit = settings.maxUploadBytes;
      if (Number(req.headers['content-length'] ?? Number.NaN) > limit) {
        graphqlError(res, 413, 'PAYLOAD_TOO_LARGE', `The upload is larger than BUCKETQL_MAX_UPLOAD_BYTES (${limit} bytes)`);
        req.resume();
        return;
      }
      try {
        multipart = await parseMultipart(req, { maxUploadBytes: limit, maxFieldBytes: settings.maxBodyBytes });
      } catch (error) {
        const e = isBucketqlError(error) ? error : null;
        graphqlError(res, e?.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400, e?.code ?? 'BAD_USER_INPUT', e?.message ?? 'Malformed multipart request');
        req.resume();
        return;
      }
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
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
      body = Buffer.concat(chunks, length).toString('utf8');
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    if (multipart) {
      headers.set('content-type', 'application/json');
      headers.delete('content-length');
    }
    const request = new yoga.fetchAPI.Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
      method: req.method ?? 'GET',
      headers,
      ...(body ? { body } : {}),
      signal: controller.signal,
    });
    const response = await yoga.fetch(request, { signal: controller.signal, ...(multipart ? { multipart: multipart.params } : {}) });
    const outHeaders: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      outHeaders[name] = value;
    });
    res.writeHead(response.status, outHeaders);
    if (!response.body) {
      res.end();
      await multipart?.finish();
      return;
    }
    await writeBody(response.body, res);
    await multipart?.finish();
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

interface Page {
  html: Buffer;
  gzipped: Buffer;
}

let graphiql: Page | null = null;

/** GraphiQL with its scripts inlined (it works offline), rendered once. */
function graphiqlPage(): Page {
  if (!graphiql) {
    const html = Buffer.from(renderGraphiQL({ endpoint: '/graphql', title: 'bucketql · GraphiQL', defaultQuery: DEFAULT_QUERY }));
    graphiql = { html, gzipped: gzipSync(html) };
  }
  return graphiql;
}

function sendPage(req: IncomingMessage, res: ServerResponse, page: Page): void {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(gzip ? page.gzipped : page.html);
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
