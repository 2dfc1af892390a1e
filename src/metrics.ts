// Prometheus metrics (prom-client): one registry for the process, and a typed handle
// for every metric bucketql exports at /metrics. The server, the S3 layer, the table
// cache and the scan engine record into these handles; docs/operations.md says what
// each one means.
import type { MiddlewareStack } from '@smithy/types';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'bucketql_' });

/** Seconds: from 5 ms to 60 s, which spans a cached page to a full scan of a large object. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export const metrics = {
  httpRequests: new Counter({
    name: 'bucketql_http_requests_total',
    help: 'HTTP requests answered, by route and status code (including those refused before GraphQL runs).',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  }),
  graphqlRequests: new Counter({
    name: 'bucketql_graphql_requests_total',
    help: 'GraphQL operations, by operation name, type and outcome (ok, error: the result carries errors, rejected: not executed).',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [registry],
  }),
  graphqlDuration: new Histogram({
    name: 'bucketql_graphql_request_duration_seconds',
    help: 'Time from a GraphQL request reaching yoga to its response headers, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  s3Requests: new Counter({
    name: 'bucketql_s3_requests_total',
    help: 'S3 calls, by SDK command and outcome (ok or error); the SDK retries of a call count once.',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  }),
  s3Duration: new Histogram({
    name: 'bucketql_s3_request_duration_seconds',
    help: 'Time from an S3 call to its response headers (a GET body streams after that), by SDK command.',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  s3Errors: new Counter({
    name: 'bucketql_s3_errors_total',
    help: 'S3 calls that failed, by SDK command and error name (NoSuchKey, PreconditionFailed, TimeoutError, ...).',
    labelNames: ['operation', 'error'] as const,
    registers: [registry],
  }),
  s3BytesSent: new Counter({
    name: 'bucketql_s3_sent_bytes_total',
    help: 'Request body bytes sent to S3 (PutObject, UploadPart), by SDK command.',
    labelNames: ['operation'] as const,
    registers: [registry],
  }),
  s3BytesReceived: new Counter({
    name: 'bucketql_s3_received_bytes_total',
    help: 'Response body bytes S3 announced (Content-Length of GetObject answers), by SDK command; a scan that stops early reads less.',
    labelNames: ['operation'] as const,
    registers: [registry],
  }),
  cacheHits: new Counter({
    name: 'bucketql_cache_hits_total',
    help: 'Table cache lookups that found an entry, by kind (schema, columns, count, spill).',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
  cacheMisses: new Counter({
    name: 'bucketql_cache_misses_total',
    help: 'Table cache lookups that found nothing, by kind (schema, columns, count, spill).',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
  cacheEvictions: new Counter({
    name: 'bucketql_cache_evictions_total',
    help: 'Table cache entries pushed out to stay within BUCKETQL_CACHE_BYTES, by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
  cacheBytes: new Gauge({
    name: 'bucketql_cache_bytes',
    help: 'Estimated bytes held by the table cache (its budget is BUCKETQL_CACHE_BYTES).',
    registers: [registry],
  }),
  scansInFlight: new Gauge({
    name: 'bucketql_scans_in_flight',
    help: 'Table scans reading an object from S3 right now (each holds a download and a parse buffer).',
    registers: [registry],
  }),
  uploadBytes: new Counter({
    name: 'bucketql_upload_bytes_total',
    help: 'File bytes received in uploadFile requests and streamed on to S3.',
    registers: [registry],
  }),
};

/**
 * Records every S3 call of a client: command, outcome, latency and body bytes. Added
 * once to the client's middleware stack, at the `initialize` step, so a call retried
 * by the SDK counts once.
 */
// biome-ignore lint/suspicious/noExplicitAny: the SDK's stack is generic over every command's input and output.
export function recordS3Calls(stack: MiddlewareStack<any, any>): void {
  stack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const stop = metrics.s3Duration.startTimer({ operation });
      const body = (args.input as { Body?: unknown }).Body;
      if (body instanceof Uint8Array || typeof body === 'string') metrics.s3BytesSent.inc({ operation }, Buffer.byteLength(body));
      try {
        const out = await next(args);
        stop();
        metrics.s3Requests.inc({ operation, outcome: 'ok' });
        const length = (out.output as { ContentLength?: number }).ContentLength;
        if (operation === 'GetObject' && typeof length === 'number') metrics.s3BytesReceived.inc({ operation }, length);
        return out;
      } catch (error) {
        stop();
        const name = String((error as Error)?.name ?? 'Error').slice(0, 64);
        metrics.s3Requests.inc({ operation, outcome: 'error' });
        metrics.s3Errors.inc({ operation, error: name });
        throw error;
      }
    },
    { step: 'initialize', name: 'bucketqlMetrics' },
  );
}

/** Scrape output: the text format and its content type. */
export async function scrape(): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType };
}
