// The start-up warm-up (BUCKETQL_WARM_UP): before the server listens, a few GraphQL
// questions are answered in process, through the server's own yoga (fetch Requests, no
// network), over a made-up table held in memory: its own in-memory store, table cache
// and scan slots, never the user's store or cache. A fresh process's first request
// otherwise pays for compiling graphql-js' validation, yoga's and envelop's plumbing,
// the loaders and the table engine's CSV and JSON paths (a CPU profile: about half of
// the first page of a 1M-row CSV). The S3 client's first request path is warmed by the
// start-up store check (storage/check.ts). Nothing of it is visible afterwards: its
// requests are left out of the metrics (ServerContext.warmUp), never reach the access
// log (it bypasses the HTTP server), and what it built is garbage once it returns. A
// step that fails is logged at debug and skipped: the warm-up never stops a start.
import { assertValidSchema, type GraphQLSchema } from 'graphql';
import type { AppServices } from '../context.js';
import { MemoryStorage } from '../storage/memory.js';
import { TableCache } from '../tables/cache.js';
import { AccessPolicy } from './access.js';
import type { Logger } from './log.js';
import { ScanSlots } from './scan-budget.js';
import type { GraphQLServer } from './yoga.js';

const BUCKET = 'warm-up';
/** Rows of the made-up CSV: past the schema sample (1,000 rows by default), and over SMALL_OBJECT_BYTES (about 150 KB). */
const CSV_ROWS = 3000;
const JSON_ROWS = 300;
/**
 * Objects up to this size take the small-object path (read whole in the background);
 * larger ones the large-object path (a sample, then scans): the CSV takes the latter,
 * the JSON array the former, as most such objects do.
 */
const SMALL_OBJECT_BYTES = 64 * 1024;

const CITIES = ['서울', 'Busan', 'Incheon', '대구', '"Quoted, city"'];

/** A table like the ones users read: integers, text, a quoted field, decimals, booleans, dates, zero-padded codes. */
function sampleRow(i: number) {
  return {
    id: i,
    name: `user_${i}`,
    city: CITIES[i % CITIES.length] as string,
    amount: Number(((i * 1.37) % 1000).toFixed(2)),
    active: i % 3 === 0,
    created_at: `2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:${String(i % 60).padStart(2, '0')}:00`,
    code: String(i % 100000).padStart(5, '0'),
  };
}

function sampleCsv(rows: number): Buffer {
  const lines = ['id,name,city,amount,active,created_at,code'];
  for (let i = 0; i < rows; i++) {
    const r = sampleRow(i);
    lines.push([r.id, r.name, r.city, r.amount.toFixed(2), r.active, r.created_at, r.code].join(','));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** What the warm-up's requests are answered with: an in-memory store holding the sample, a cache and slots of their own. */
async function warmUpServices(services: AppServices): Promise<AppServices> {
  const storage = new MemoryStorage();
  await storage.createBucket(BUCKET);
  await storage.putObject({ bucket: BUCKET, key: 'table.csv' }, sampleCsv(CSV_ROWS), { contentType: 'text/csv' });
  const records = Array.from({ length: JSON_ROWS }, (_, i) => sampleRow(i));
  await storage.putObject({ bucket: BUCKET, key: 'table.json' }, Buffer.from(JSON.stringify(records)), {
    contentType: 'application/json',
  });
  const settings = {
    ...services.settings,
    // Every bucket may be read (BUCKETQL_BUCKETS names the user's), nothing goes to disk.
    buckets: undefined,
    readOnly: true,
    cacheDir: undefined,
    cacheTableBytes: SMALL_OBJECT_BYTES,
    cacheBytes: 64 * 1024 * 1024,
  };
  return {
    settings,
    storage,
    store: services.store,
    tableCache: new TableCache(settings.cacheBytes, null, false),
    access: new AccessPolicy(undefined, true),
    scanSlots: new ScanSlots(settings.maxConcurrentScans),
  };
}

const WHERE = '{ and: [{ column: "city", op: EQ, value: "서울" }, { column: "amount", op: GTE, value: $min }] }';

/**
 * The questions: a first page of the CSV (the schema from a sample, the leading rows,
 * as a large object is read), a first page and a filtered count of the JSON array (read
 * whole, as a small object is), a listing. Not a count of the CSV: it cost the warm-up
 * more than the first page did (about 130 ms of CPU on a loaded machine) and a fresh
 * process's cold count of the 1M-row CSV took no less CPU after it (bench/first-request.ts:
 * 2,080 against 1,900 ms, noise); nor a sorted page or an aggregate (about 150 ms more,
 * for questions that come later, on a table already cached).
 */
const OPERATIONS: { query: string; variables?: Record<string, unknown> }[] = [
  {
    query: `query WarmUpPage($bucket: String!, $key: String!) { object(bucket: $bucket, key: $key) { key size etag format table { columns { name type nullable } rows(first: 100) { edges { cursor node { index values } } pageInfo { endCursor hasNextPage } } } } }`,
    variables: { bucket: BUCKET, key: 'table.csv' },
  },
  {
    query: `query WarmUpJson($min: JSON!) { object(bucket: "${BUCKET}", key: "table.json") { table { columns { name type } page: rows(first: 100) { edges { node { values } } } count: rows(first: 1, where: ${WHERE}) { totalCount } } } }`,
    variables: { min: 0.5 },
  },
  { query: `{ buckets { name } bucket(name: "${BUCKET}") { objects(first: 10) { edges { node { key size lastModified format } } } } }` },
];

/**
 * Times the questions are asked: the second time lets V8 compile what the first one
 * ran (a fresh process's first page of a 1M-row CSV: 90 ms of main-thread CPU
 * without the warm-up, 80 ms after one round, 60 ms after two; bench/first-request.ts).
 */
const ROUNDS = 2;

export interface WarmUpTarget {
  yoga: GraphQLServer;
  services: AppServices;
  schema: () => GraphQLSchema;
  /** `Bearer <token>` when the server needs one (the warm-up's requests pass yoga's token rule like any other). */
  authorization?: string | undefined;
  log: Logger;
}

export interface WarmUpStep {
  name: string;
  run(target: WarmUpTarget): Promise<void> | void;
}

/** Posts one operation to the yoga app in process; throws when its answer carries errors. */
async function ask(target: WarmUpTarget, services: AppServices, operation: (typeof OPERATIONS)[number]): Promise<void> {
  const { yoga } = target;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (target.authorization) headers.authorization = target.authorization;
  const controller = new AbortController();
  const request = new yoga.fetchAPI.Request('http://localhost/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify(operation),
    signal: controller.signal,
  });
  const response = await yoga.fetch(request, { signal: controller.signal, warmUp: services });
  const body = (await response.json()) as { errors?: { message: string }[] };
  if (!response.ok || body.errors) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
}

export const WARM_UP_STEPS: WarmUpStep[] = [
  // graphql-js validates a schema once, on its first use: done now rather than in a request.
  { name: 'schema', run: (target) => assertValidSchema(target.schema()) },
  {
    name: 'graphql',
    run: async (target) => {
      const services = await warmUpServices(target.services);
      for (let round = 0; round < ROUNDS; round++) for (const operation of OPERATIONS) await ask(target, services, operation);
    },
  },
];

/**
 * Runs the warm-up's steps in turn; a step that fails is logged at debug and the next
 * one runs. Resolves (never rejects) with how long it took and which steps failed.
 */
export async function warmUp(
  target: WarmUpTarget,
  steps: readonly WarmUpStep[] = WARM_UP_STEPS,
): Promise<{ ms: number; failed: string[] }> {
  const started = performance.now();
  const failed: string[] = [];
  for (const step of steps) {
    const stepStarted = performance.now();
    try {
      await step.run(target);
      target.log.debug('warm-up step done', { step: step.name, ms: Math.round(performance.now() - stepStarted) });
    } catch (error) {
      failed.push(step.name);
      target.log.debug('warm-up step failed', { step: step.name, error: String((error as Error)?.stack ?? error) });
    }
  }
  return { ms: Math.round(performance.now() - started), failed };
}
