// The HTTP server: routes /healthz, /graphql (yoga) and /, enforces the request
// body limit before GraphQL runs, and ties each request's lifetime to an
// AbortSignal so that reads behind a request that went away stop.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Settings } from '../config/settings.js';
import type { AppServices, Context } from '../context.js';
import { isBucketqlError } from '../errors.js';
import { createLoaders } from '../loaders/index.js';
import { schema as baseSchema } from '../schema/index.js';
import { describeS3, type StoreInfo } from '../storage/check.js';
import type { Storage } from '../storage/types.js';
import { TableCache } from '../tables/cache.js';
import { AccessPolicy } from './access.js';
import { checkListenSafety, isLoopback, loadTokens, TokenCheck } from './auth.js';
import { CorsPolicy } from './cors.js';
import { discardRequest } from './discard.js';
import { createErrorMasker } from './errors.js';
import { ExplorerAssets } from './explorer.js';
import { GRAPHIQL_ASSETS, GraphiQLPages } from './graphiql.js';
import { checkHealth } from './health.js';
import { queryLimitPlugins } from './limits.js';
import { createLogger, type Logger, requestIdFor, withRequestId } from './log.js';
import { countHttpResponse, requestMetricsPlugin, routeOf, serveMetrics } from './metrics.js';
import { type GraphQLParams, type ParsedMultipart, parseMultipart } from './multipart.js';
import { ScanBudget, ScanSlots } from './scan-budget.js';
import { tokenGuardPlugin, UNAUTHENTICATED_MESSAGE } from './token-guard.js';

export interface AppOptions {
  settings: Settings;
  storage: Storage;
  logger?: Logger;
  /** The schema to serve, asked for on every request (datasets can change it); the base schema when omitted. */
  schema?: () => GraphQLSchema;
  /** Which store `storage` is, for serverInfo.store and /healthz; described from the environment when omitted. */
  store?: StoreInfo;
}

export interface App {
  server: Server;
  services: AppServices;
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /**
   * Starts draining: /readyz answers 503 from now on, so that a load balancer sends
   * no new requests here; the server keeps answering until close().
   */
  drain(): void;
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

/**
 * POSTs of the kinds a page on any site can send without a CORS preflight (a form,
 * text) must carry one of these headers, which such a page cannot set (CSRF): multipart
 * uploads, and url-encoded forms, which yoga would otherwise run as GraphQL.
 */
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'graphql-preflight'];
const SIMPLE_CONTENT_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded', 'text/plain'];

/**
 * Without tokens, a loopback server answers only requests addressed to a loopback
 * name: a page whose own name an attacker points at 127.0.0.1 (DNS rebinding) is
 * same-origin with it and would otherwise read and write the buckets.
 */
function loopbackHostHeader(host: string | undefined): boolean {
  if (!host) return true;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return isLoopback(name) || name.toLowerCase().endsWith('.localhost');
}

/** Resolves on the response's next 'drain', or when its connection is gone (no drain ever comes then). */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes a web ReadableStream to a Node response, respecting backpressure. When the
 * client goes away it cancels the body, so that nothing keeps producing it.
 */
async function writeBody(body: ReadableStream<Uint8Array>, res: ServerResponse, end = true): Promise<void> {
  const reader = body.getReader();
  try {
    while (!res.destroyed) {
      const { done, value } = await reader.read();
      if (done) {
        if (end) res.end();
        return;
      }
      if (!res.write(value)) await drainOrClose(res);
    }
    await reader.cancel().catch(() => undefined);
  } finally {
    reader.releaseLock();
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function graphqlError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}

export function createApp(options: AppOptions): App {
  const { settings, storage } = options;
  const log = options.logger ?? createLogger(settings.logLevel);
  const services: AppServices = {
    settings,
    storage,
    store: options.store ?? { ...describeS3('given to createApp', process.env), endpoint: storage.endpoint },
    tableCache: new TableCache(settings.cacheBytes),
    access: new AccessPolicy(settings.buckets, settings.readOnly),
    scanSlots: new ScanSlots(settings.maxConcurrentScans),
  };
  const tokens = new TokenCheck(loadTokens(settings));
  const explorer = new ExplorerAssets();
  const graphiql = new GraphiQLPages({ title: 'bucketql · GraphiQL', defaultQuery: DEFAULT_QUERY });
  checkListenSafety(settings, tokens);
  const cors = new CorsPolicy(settings.corsOrigins);
  const guardHost = !tokens.required && isLoopback(settings.host);

  /** CORS headers for every answer, the ones written here and yoga's (yoga's own CORS is off). */
  const corsFor = (req: IncomingMessage): Record<string, string> => cors.headersFor(req.headers.origin);

  const yoga = createYoga<ServerContext, Context>({
    schema: options.schema ?? (() => baseSchema),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    healthCheckEndpoint: '/yoga-health',
    // GraphiQL's page is served (cached and compressed) by the router below.
    graphiql: false,
    maskedErrors: { maskError: createErrorMasker(log) },
    // CORS is decided by CorsPolicy for every answer (yoga's would answer other origins with `null`).
    cors: false,
    batching: settings.maxBatch > 0 ? { limit: settings.maxBatch } : false,
    // Yoga logs every rejected request as an error; the masker logs what is unexpected.
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.debug(args.map(String).join(' ')),
      warn: (...args) => log.debug(args.map(String).join(' ')),
      error: (...args) => log.debug(args.map(String).join(' ')),
    },
    context: ({ signal }) => ({
      ...services,
      loaders: createLoaders(storage, settings),
      signal,
      scans: new ScanBudget(settings.maxScansPerRequest, services.scanSlots, signal),
    }),
    multipart: false,
    // Body limits are enforced before yoga, per kind of request (JSON or multipart).
    maxRequestBodySize: false,
    plugins: [tokenGuardPlugin(tokens), streamingMultipartPlugin(), requestMetricsPlugin(), ...queryLimitPlugins(settings)],
  });
  let draining = false;

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    // A refused request's body is read and dropped up to a bound (it may be gigabytes),
    // so that a client still sending it reads the answer; then the connection closes.
    const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      req.unpipe();
      const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        connection: 'close',
        ...corsFor(req),
        ...headers,
      });
      res.write(text);
      void discardRequest(req).then(() => res.end());
    };
    if (url.pathname === '/healthz') {
      const health = await checkHealth(storage, services.store);
      sendJson(res, health.status === 'ok' ? 200 : 503, health, { 'cache-control': 'no-store' });
      return;
    }
    if (url.pathname === '/readyz') {
      // Ready: not draining, and S3 answers. A balancer checks this one.
      const status = draining ? 'draining' : (await checkHealth(storage, services.store)).status === 'ok' ? 'ok' : 'unavailable';
      sendJson(res, status === 'ok' ? 200 : 503, { status }, { 'cache-control': 'no-store' });
      return;
    }
    if (guardHost && !loopbackHostHeader(req.headers.host)) {
      refuse(
        403,
        'FORBIDDEN',
        'This bucketql server has no tokens: it answers only requests addressed to localhost or 127.0.0.1 (DNS rebinding protection). Set BUCKETQL_TOKENS to serve it under other names.',
      );
      return;
    }
    if (url.pathname === '/metrics') {
      if (!settings.metricsPublic && !tokens.verify(req.headers.authorization)) {
        refuse(401, 'UNAUTHENTICATED', 'This bucketql server needs `Authorization: Bearer <token>` (or BUCKETQL_METRICS_PUBLIC=1)', {
          'www-authenticate': 'Bearer realm="bucketql"',
        });
        return;
      }
      await serveMetrics(req, res);
      return;
    }
    if (url.pathname.startsWith(GRAPHIQL_ASSETS) && settings.graphiql && (await graphiql.sendAsset(req, res, url.pathname))) return;
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

    // GraphiQL's page and CORS preflights carry no token and run nothing; every other
    // request needs the token (tokenGuardPlugin checks it again inside yoga).
    if (req.method === 'OPTIONS') {
      cors.answerPreflight(req, res);
      return;
    }
    // A browser opening /graphql (also /graphql?query=..., the explorer's "Show query") gets GraphiQL.
    if (settings.graphiql && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
      await graphiql.sendPage(req, res);
      return;
    }
    if (!tokens.verify(req.headers.authorization)) {
      refuse(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE, { 'www-authenticate': 'Bearer realm="bucketql"' });
      return;
    }

    const controller = new AbortController();
    const started = Date.now();
    res.on('close', () => {
      if (res.writableFinished) return;
      // A client that goes away is a normal event: one line, and what it was doing stops.
      log.info('client went away', { method: req.method, path: url.pathname, afterMs: Date.now() - started });
      controller.abort();
    });
    let body: string | undefined;
    let multipart: ParsedMultipart | undefined;
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    if (
      req.method === 'POST' &&
      SIMPLE_CONTENT_TYPES.some((t) => contentType.startsWith(t)) &&
      !CSRF_HEADERS.some((h) => h in req.headers)
    ) {
      refuse(
        400,
        'BAD_USER_INPUT',
        `${contentType.split(';')[0]} requests need one of the headers ${CSRF_HEADERS.join(', ')} (CSRF prevention)`,
      );
      return;
    }
    if (contentType.startsWith('multipart/form-data')) {
      const limit = settings.maxUploadBytes;
      if (Number(req.headers['content-length'] ?? Number.NaN) > limit) {
        refuse(413, 'PAYLOAD_TOO_LARGE', `The upload is larger than BUCKETQL_MAX_UPLOAD_BYTES (${limit} bytes)`);
        return;
      }
      try {
        multipart = await parseMultipart(req, { maxUploadBytes: limit, maxFieldBytes: settings.maxBodyBytes });
      } catch (error) {
        const e = isBucketqlError(error) ? error : null;
        refuse(e?.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400, e?.code ?? 'BAD_USER_INPUT', e?.message ?? 'Malformed multipart request');
        return;
      }
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      const limit = settings.maxBodyBytes;
      const tooLarge = `The request body is larger than BUCKETQL_MAX_BODY_BYTES (${limit} bytes)`;
      if (Number(req.headers['content-length'] ?? Number.NaN) > limit) {
        refuse(413, 'PAYLOAD_TOO_LARGE', tooLarge);
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      try {
        // The request stays readable after a refusal inside the loop (refuse() drains it).
        for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
          length += chunk.length;
          if (length > limit) {
            refuse(413, 'PAYLOAD_TOO_LARGE', tooLarge);
            return;
          }
          chunks.push(chunk);
        }
      } catch {
        // The client went away before its request was whole: nobody to answer.
        res.destroy();
        return;
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
      if (!name.startsWith('access-control-')) outHeaders[name] = value;
    });
    const corsHeaders = corsFor(req);
    if (corsHeaders.vary && outHeaders.vary) corsHeaders.vary = `${outHeaders.vary}, ${corsHeaders.vary}`;
    Object.assign(outHeaders, corsHeaders);
    // An upload that grew past its limit is answered (413) while the client may still be
    // sending it: the rest is read and dropped up to a bound, then the connection closes.
    const overLimit = multipart?.overLimit ?? false;
    if (overLimit) outHeaders.connection = 'close';
    res.writeHead(response.status, outHeaders);
    if (response.body) await writeBody(response.body, res, !overLimit);
    if (overLimit) {
      await discardRequest(req);
      res.end();
    } else if (!response.body) {
      res.end();
    }
    await multipart?.finish();
    // It went past the limit after the answer: the rest is not read.
    if (multipart?.overLimit && !req.complete) res.destroy();
  };

  // Node's default requestTimeout (300 s to receive a whole request) would cut off every
  // upload that takes longer; slow headers are still cut by headersTimeout (60 s).
  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    const requestId = requestIdFor(req.headers['x-request-id']);
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    const started = performance.now();
    res.setHeader('x-request-id', requestId);
    countHttpResponse(routeOf(url?.pathname ?? ''), res);
    res.once('close', () =>
      withRequestId(requestId, () =>
        log.info('request', {
          method: req.method,
          path: url?.pathname ?? null,
          status: res.writableFinished ? res.statusCode : 'aborted',
          ms: Math.round(performance.now() - started),
        }),
      ),
    );
    if (!url) {
      graphqlError(res, 400, 'BAD_USER_INPUT', 'Malformed request URL', { connection: 'close' });
      return;
    }
    withRequestId(requestId, () =>
      handle(req, res, url).catch((error: unknown) => {
        // The client went away (logged at info when it did): what its request was doing was aborted.
        if ((error as Error)?.name === 'AbortError' && res.destroyed && !res.writableFinished) return;
        log.error('request failed', { error: String((error as Error)?.stack ?? error) });
        if (!res.headersSent) graphqlError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
        else res.destroy();
      }),
    );
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
    drain: () => {
      draining = true;
    },
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
