// The HTTP server, composed: routes /healthz, /readyz, /metrics, GraphiQL, the explorer
// and /graphql; runs the guards in order (Host header, token, CSRF, body limits), each
// a unit of its own that throws one of bucketql's errors, which is answered as a
// refusal; bridges the rest to yoga; ties each request's lifetime to an AbortSignal so
// that reads behind a request that went away stop.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import type { AppServices } from '../context.js';
import { BadUserInput, isBucketqlError } from '../errors.js';
import { schema as baseSchema } from '../schema/index.js';
import type { TokenCheck } from './auth.js';
import { readRequestBody } from './body.js';
import { CorsPolicy } from './cors.js';
import { checkCsrf } from './csrf.js';
import { discardRequest } from './discard.js';
import { ExplorerAssets } from './explorer.js';
import { asksForGraphiQL, GRAPHIQL_ASSETS, GraphiQLPages } from './graphiql.js';
import { answerHealth, answerReadiness } from './health.js';
import { hostGuard } from './host-guard.js';
import { createLogger, type Logger, requestIdFor, withRequestId } from './log.js';
import { countHttpResponse, routeOf, serveMetrics } from './metrics.js';
import { headersOf, sendFetchResponse, toFetchRequest } from './node-bridge.js';
import { refusalOf, refuse, sendJson } from './refusal.js';
import { checkToken } from './token-guard.js';
import { type WarmUpStep, warmUp } from './warm-up.js';
import { createGraphQLServer } from './yoga.js';

export interface AppOptions {
  /** What requests are answered with (settings, storage, caches): see createServices in ../context.ts. */
  services: AppServices;
  /** Who may call: accessTokens(settings), which has checked the listen address. */
  tokens: TokenCheck;
  logger?: Logger;
  /** The schema to serve, asked for on every request (datasets can change it); the base schema when omitted. */
  schema?: () => GraphQLSchema;
}

export interface App {
  server: Server;
  services: AppServices;
  /**
   * Answers a few questions in process over a made-up in-memory table (./warm-up.ts), so
   * that the first request finds compiled code; never rejects. Called before listen().
   */
  warmUp(options?: { authorization?: string | undefined; steps?: readonly WarmUpStep[] }): Promise<{ ms: number; failed: string[] }>;
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

const METRICS_UNAUTHENTICATED = 'This bucketql server needs `Authorization: Bearer <token>` (or BUCKETQL_METRICS_PUBLIC=1)';

export function createApp(options: AppOptions): App {
  const { services, tokens } = options;
  const { settings, storage, store } = services;
  const log = options.logger ?? createLogger(settings.logLevel);
  const yoga = createGraphQLServer({ services, tokens, log, schema: options.schema });
  const explorer = new ExplorerAssets();
  const graphiql = settings.graphiql ? new GraphiQLPages() : null;
  const cors = new CorsPolicy(settings.corsOrigins);
  const checkHost = hostGuard(settings, tokens);
  let draining = false;

  /** POST /graphql and friends, once the token is checked: CSRF, the body within its limit, then yoga. */
  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const controller = new AbortController();
    const started = Date.now();
    res.on('close', () => {
      if (res.writableFinished) return;
      // A client that goes away is a normal event: one line, and what it was doing stops.
      log.info('client went away', { method: req.method, path: url.pathname, afterMs: Date.now() - started });
      controller.abort();
    });
    checkCsrf(req);
    const body = await readRequestBody(req, settings);
    if (body.kind === 'gone') {
      res.destroy();
      return;
    }
    const multipart = body.kind === 'multipart' ? body.multipart : undefined;
    const request = toFetchRequest(req, body.kind === 'text' ? body.text : undefined, {
      signal: controller.signal,
      Request: yoga.fetchAPI.Request,
      jsonInstead: multipart !== undefined,
    });
    const response = await yoga.fetch(request, { signal: controller.signal, ...(multipart ? { multipart: multipart.params } : {}) });
    const headers: Record<string, string> = cors.replaceIn(headersOf(response), req.headers.origin);
    // An upload that grew past its limit is answered (413) while the client may still be
    // sending it: the rest is read and dropped up to a bound, then the connection closes.
    const overLimit = multipart?.overLimit ?? false;
    if (overLimit) headers.connection = 'close';
    await sendFetchResponse(response, res, headers, overLimit);
    if (overLimit) {
      await discardRequest(req);
      res.end();
    }
    await multipart?.finish();
    // It went past the limit after the answer: the rest is not read.
    if (multipart?.overLimit && !req.complete) res.destroy();
  };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const { pathname } = url;
    if (pathname === '/healthz') return answerHealth(res, storage, store);
    // Ready: not draining, and S3 answers. A balancer checks this one.
    if (pathname === '/readyz') return answerReadiness(res, storage, store, draining);
    checkHost(req);
    if (pathname === '/metrics') {
      if (!settings.metricsPublic) checkToken(tokens, req.headers.authorization, METRICS_UNAUTHENTICATED);
      return serveMetrics(req, res);
    }
    if (graphiql && pathname.startsWith(GRAPHIQL_ASSETS) && (await graphiql.sendAsset(req, res, pathname))) return;
    if (pathname !== '/graphql' && explorer.serve(req, res, pathname)) return;
    if (pathname === '/') {
      // Without a built explorer (a checkout where `npm run build` did not run), GraphiQL.
      res.writeHead(302, { location: '/graphql' });
      res.end();
      return;
    }
    if (pathname !== '/graphql') return sendJson(res, 404, { error: 'not found: the API is at /graphql' });
    // GraphiQL's page and CORS preflights carry no token and run nothing; every other
    // request needs the token (tokenGuardPlugin checks it again inside yoga).
    if (req.method === 'OPTIONS') return cors.answerPreflight(req, res);
    if (graphiql && asksForGraphiQL(req)) return graphiql.sendPage(req, res);
    checkToken(tokens, req.headers.authorization);
    return serveGraphQL(req, res, url);
  };

  /** A guard's refusal is answered (with CORS headers); anything else is the server's failure. */
  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    try {
      await route(req, res, url);
    } catch (error) {
      if (!isBucketqlError(error) || res.headersSent) throw error;
      refuse(req, res, error, cors.headersFor(req.headers.origin));
    }
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
      const refusal = refusalOf(new BadUserInput('Malformed request URL'));
      res.writeHead(refusal.status, { ...refusal.headers, connection: 'close' });
      res.end(refusal.body);
      return;
    }
    withRequestId(requestId, () =>
      handle(req, res, url).catch((error: unknown) => {
        // The client went away (logged at info when it did): what its request was doing was aborted.
        if ((error as Error)?.name === 'AbortError' && res.destroyed && !res.writableFinished) return;
        log.error('request failed', { error: String((error as Error)?.stack ?? error) });
        if (!res.headersSent)
          sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else res.destroy();
      }),
    );
  });

  return {
    server,
    services,
    warmUp: (warm = {}) =>
      warmUp({ yoga, services, schema: options.schema ?? (() => baseSchema), authorization: warm.authorization, log }, warm.steps),
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
