// The server's side of the metrics: a yoga plugin that counts GraphQL operations by
// name, type and outcome and times them, and the /metrics endpoint (Prometheus text
// format), behind the API's token unless BUCKETQL_METRICS_PUBLIC=1.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { metrics, scrape } from '../metrics.js';
import type { ServerContext } from './yoga.js';

/** Operation names come from clients: keep a bounded, label-safe set of them. */
const MAX_OPERATION_NAMES = 200;
const seenOperations = new Set<string>();

function operationLabel(name: string | undefined): string {
  if (!name) return '(anonymous)';
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
  if (seenOperations.has(safe)) return safe;
  if (seenOperations.size >= MAX_OPERATION_NAMES) return '(other)';
  seenOperations.add(safe);
  return safe;
}

interface RequestState {
  stop: (labels: { operation: string; type: string }) => void;
  operation: string;
  type: string;
  outcome: 'ok' | 'error' | 'rejected';
}

/**
 * Every GraphQL request: one count by operation, type (query, mutation) and outcome
 * (ok; error: executed, with errors in the result; rejected: never executed, as a
 * parse or validation failure), and its latency to the response headers. The start-up
 * warm-up's requests (./warm-up.ts) are left out.
 */
export function requestMetricsPlugin(): Plugin<Record<string, unknown>, ServerContext> {
  const states = new WeakMap<Request, RequestState>();
  return {
    onRequest({ request, serverContext }) {
      // The start-up warm-up's requests are no one's: not counted, not timed.
      if (serverContext.warmUp) return;
      states.set(request, {
        stop: metrics.graphqlDuration.startTimer(),
        operation: '(none)',
        type: '(none)',
        outcome: 'rejected',
      });
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const state = request && states.get(request);
      if (!state) return;
      const operation = getOperationAST(args.document, args.operationName);
      state.operation = operationLabel(operation?.name?.value);
      state.type = operation?.operation ?? '(none)';
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
          // A batched request is counted by its last operation that failed, else its last one.
          if (state.outcome !== 'error') state.outcome = errors ? 'error' : 'ok';
        },
      };
    },
    onResponse({ request }) {
      const state = states.get(request);
      if (!state) return;
      states.delete(request);
      state.stop({ operation: state.operation, type: state.type });
      metrics.graphqlRequests.inc({ operation: state.operation, type: state.type, outcome: state.outcome });
    },
  };
}

/** The route label of an HTTP request: a fixed set, never the raw path. */
export function routeOf(pathname: string): string {
  if (pathname === '/graphql' || pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return pathname;
  return pathname.startsWith('/assets/') || pathname === '/' ? '/ (explorer)' : 'other';
}

/** Counts every HTTP answer by route and status, once it is sent. */
export function countHttpResponse(route: string, res: ServerResponse): void {
  res.once('finish', () => metrics.httpRequests.inc({ route, status: String(res.statusCode) }));
}

/** GET /metrics: the Prometheus text exposition of every bucketql metric. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const { body, contentType } = await scrape();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
