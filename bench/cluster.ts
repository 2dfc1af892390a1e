// `npm run bench:cluster`: three bucketql processes behind HAProxy (docs/haproxy.cfg)
// over one S3 (Ceph RGW under scripts/cluster-ceph.sh, else an embedded s3rver), a
// mixed load for CLUSTER_SECONDS (60) with one instance killed (SIGKILL) and restarted
// and another stopped gracefully (SIGTERM, drain) and restarted midway, once with
// HAProxy routing by object (x-bucketql-object) and once round robin. It checks that
// no request failed beyond those in flight on the killed instance, that a write through
// one instance is read back fresh through the others at once, and that cursors issued
// by one instance are accepted by the others; it reports requests/s, latency, errors
// and the table cache hit rate of each mode. Exits 1 when a check fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedStore } from '../src/storage/embedded/embedded.js';
import { S3Storage } from '../src/storage/s3.js';
import { stopChild } from '../test/support/bucketql-child.js';
import { buildOnce, readyLine, SERVER_ENV, SERVER_NODE_FLAGS, s3StoreEnv } from './support.js';

const SECONDS = Number(process.env.CLUSTER_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.CLUSTER_CONCURRENCY ?? 8);
const OBJECTS = Number(process.env.CLUSTER_OBJECTS ?? 24);
const ROWS = Number(process.env.CLUSTER_ROWS ?? 20_000);
/** Per instance: smaller than the whole working set, as in production, so routing matters. */
const CACHE_BYTES = process.env.CLUSTER_CACHE_BYTES ?? '48MiB';
const MODES = (process.argv.slice(2).length ? process.argv.slice(2) : ['routed', 'roundrobin']) as Mode[];
type Mode = 'routed' | 'roundrobin';

interface Store {
  name: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

async function openStore(): Promise<Store> {
  const { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (process.env.BUCKETQL_BENCH_STORE === 'external' && endpoint && accessKeyId && secretAccessKey) {
    if (!/^http:\/\/127\.0\.0\.1:/.test(endpoint)) throw new Error('the benchmark only talks to a store on 127.0.0.1');
    return { name: `external S3 at ${endpoint} (Ceph RGW)`, endpoint, credentials: { accessKeyId, secretAccessKey }, stop: async () => {} };
  }
  const directory = mkdtempSync(join(tmpdir(), 'bucketql-cluster-s3-'));
  const store = await startEmbeddedStore({ directory });
  return {
    name: 'embedded s3rver',
    endpoint: store.endpoint,
    credentials: store.credentials,
    stop: async () => {
      await store.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function csv(seed: number): string {
  const regions = ['seoul', 'busan', 'incheon', 'daegu', 'gwangju'];
  const lines = ['id,region,amount,day'];
  for (let i = 0; i < ROWS; i++) {
    lines.push(
      `${i},${regions[(i * 7 + seed) % 5]},${((i * 37 + seed * 11) % 10_000) / 10},2024-01-${String((i % 28) + 1).padStart(2, '0')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One bucketql process on a fixed port (HAProxy's config names it), restartable. */
class Instance {
  child: ChildProcess | null = null;
  /** False from the moment it is told to stop until it is ready again: the load's direct reads avoid it. */
  live = false;
  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // The built code, as `npm start` runs it: under tsx a restart compiles for seconds.
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, 'dist/src/cli.js'], {
      env: { ...process.env, ...SERVER_ENV, ...this.env, BUCKETQL_PORT: String(this.port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await readyLine(child, this.name);
    this.live = true;
  }

  /** Stops it with `signal` (by its pid) and resolves once it has exited. */
  async stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.live = false;
    if (child) await stopChild(child, signal);
  }
}

interface Sample {
  kind: string;
  at: number;
  ms: number;
  ok: boolean;
  error?: string;
}

const TABLE_PAGE = `query TablePage($bucket: String!, $key: String!, $after: String, $where: RowFilter) {
  object(bucket: $bucket, key: $key) { table { rows(first: 50, after: $after, where: $where) {
    edges { node { index values } } pageInfo { endCursor hasNextPage } } } } }`;
const TABLE_COUNT = `query TableCount($bucket: String!, $key: String!, $where: RowFilter) {
  object(bucket: $bucket, key: $key) { table { count(where: $where) } } }`;
const PUT = `mutation Put($bucket: String!, $key: String!, $content: JSON!) { putObject(bucket: $bucket, key: $key, content: $content) { etag } }`;
const READ_JSON = `query ObjectJson($bucket: String!, $key: String!) { object(bucket: $bucket, key: $key) { etag json } }`;

async function gql(url: string, query: string, variables: { bucket: string; key: string; [name: string]: unknown }): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // What the explorer and the typed client send: the object the operation reads.
      'x-bucketql-object': encodeURIComponent(`${variables.bucket}/${variables.key}`),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  const body = JSON.parse(text) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new Error(`${body.errors[0]?.extensions?.code}: ${body.errors[0]?.message}`);
  return body.data;
}

/** Sums the counters of every instance over the run; a counter that went down was reset (a restart). */
class CounterTotals {
  private readonly last = new Map<string, number>();
  readonly total = new Map<string, number>();
  add(instance: string, text: string): void {
    for (const line of text.split('\n')) {
      const match = /^(bucketql_cache_(?:hits|misses)_total)\{kind="(\w+)"\} (\S+)$/.exec(line);
      if (!match) continue;
      const key = `${match[1]}:${match[2]}`;
      const value = Number(match[3]);
      const previous = this.last.get(`${instance}:${key}`) ?? 0;
      const delta = value >= previous ? value - previous : value;
      this.last.set(`${instance}:${key}`, value);
      this.total.set(key, (this.total.get(key) ?? 0) + delta);
    }
  }
  rate(kinds: string[]): number {
    let hits = 0;
    let misses = 0;
    for (const kind of kinds) {
      hits += this.total.get(`bucketql_cache_hits_total:${kind}`) ?? 0;
      misses += this.total.get(`bucketql_cache_misses_total:${kind}`) ?? 0;
    }
    return hits + misses === 0 ? 0 : hits / (hits + misses);
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface ModeResult {
  mode: Mode;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  byKind: Record<string, { n: number; p50: number; p99: number }>;
  failures: Sample[];
  failuresOutsideKill: Sample[];
  writesChecked: number;
  staleReads: number;
  crossCursors: number;
  cursorFailures: number;
  hitRateRows: number;
  hitRateAll: number;
}

async function runMode(mode: Mode, store: Store, bucket: string, keys: string[]): Promise<ModeResult> {
  const env = {
    ...s3StoreEnv(store),
    BUCKETQL_CACHE_BYTES: CACHE_BYTES,
    BUCKETQL_DRAIN_SECONDS: '2',
    BUCKETQL_METRICS_PUBLIC: '1',
    BUCKETQL_LOG_LEVEL: 'warn',
    BUCKETQL_SEED_DEMO: '0',
  };
  const instances = await Promise.all(['b1', 'b2', 'b3'].map(async (name) => new Instance(name, await freePort(), env)));
  const haproxyPort = await freePort();
  const lb = `http://127.0.0.1:${haproxyPort}`;
  await Promise.all(instances.map((i) => i.start()));
  const haproxy = spawn('haproxy', ['-db', '-f', 'docs/haproxy.cfg'], {
    env: {
      ...process.env,
      HAPROXY_BIND: `127.0.0.1:${haproxyPort}`,
      HAPROXY_BALANCE: mode === 'routed' ? 'hdr(x-bucketql-object)' : 'roundrobin',
      BUCKETQL_1: `127.0.0.1:${instances[0]?.port}`,
      BUCKETQL_2: `127.0.0.1:${instances[1]?.port}`,
      BUCKETQL_3: `127.0.0.1:${instances[2]?.port}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const totals = new CounterTotals();
  const samples: Sample[] = [];
  const cursors: { key: string; cursor: string }[] = [];
  const killWindows: [number, number][] = [];
  let writesChecked = 0;
  let staleReads = 0;
  let crossCursors = 0;
  let cursorFailures = 0;
  try {
    // HAProxy marks a server up after two good checks (0.5 s apart).
    await sleep(2000);

    // Cursors issued by one instance are accepted by the others (asked directly).
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [2, 0],
    ] as const) {
      const key = keys[a] as string;
      const first = await gql((instances[a] as Instance).url, TABLE_PAGE, { bucket, key });
      const cursor = first.object.table.rows.pageInfo.endCursor as string;
      const viaOther = await gql((instances[b] as Instance).url, TABLE_PAGE, { bucket, key, after: cursor });
      const viaSame = await gql((instances[a] as Instance).url, TABLE_PAGE, { bucket, key, after: cursor });
      crossCursors++;
      if (JSON.stringify(viaOther) !== JSON.stringify(viaSame) || viaOther.object.table.rows.edges[0]?.node.index !== 50) cursorFailures++;
    }

    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    const now = () => performance.now() - started;
    const record = async (kind: string, work: () => Promise<void>) => {
      const at = now();
      try {
        await work();
        samples.push({ kind, at, ms: now() - at, ok: true });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const message = `${(error as Error).message ?? error}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
        samples.push({ kind, at, ms: now() - at, ok: false, error: message.slice(0, 200) });
      }
    };

    const worker = async (w: number) => {
      let n = 0;
      while (performance.now() < deadline) {
        const roll = Math.random();
        const key = keys[Math.floor(Math.random() * keys.length)] as string;
        if (roll < 0.5) {
          await record('page', async () => {
            const data = await gql(lb, TABLE_PAGE, { bucket, key });
            const cursor = data.object.table.rows.pageInfo.endCursor;
            if (cursor && cursors.length < 500) cursors.push({ key, cursor });
          });
        } else if (roll < 0.65 && cursors.length > 0) {
          // A cursor issued by whichever instance served the page before.
          const { key: k, cursor } = cursors[Math.floor(Math.random() * cursors.length)] as { key: string; cursor: string };
          await record('next page', async () => {
            const data = await gql(lb, TABLE_PAGE, { bucket, key: k, after: cursor });
            if ((data.object.table.rows.edges[0]?.node.index ?? -1) < 50) throw new Error('next page did not continue after the cursor');
          });
        } else if (roll < 0.75) {
          await record('count', async () => {
            const where = { column: 'amount', op: 'GT', value: Math.floor(Math.random() * 1000) };
            await gql(lb, TABLE_COUNT, { bucket, key, where });
          });
        } else if (roll < 0.9) {
          const wkey = `writes/w${w}-${n++ % 20}.json`;
          const content = { worker: w, n, at: Date.now() };
          let written = false;
          await record('write', async () => {
            await gql(lb, PUT, { bucket, key: wkey, content });
            written = true;
          });
          // Read back at once, straight from every live instance: the others see it fresh.
          for (const instance of instances.filter((i) => written && i.live)) {
            await record('read back', async () => {
              const data = await gql(instance.url, READ_JSON, { bucket, key: wkey });
              writesChecked++;
              if (JSON.stringify(data.object?.json) !== JSON.stringify(content)) {
                staleReads++;
                throw new Error(`stale read of ${wkey} from ${instance.name}`);
              }
            });
          }
        } else {
          await record('read json', async () => {
            await gql(lb, READ_JSON, { bucket, key: 'small.json' });
          });
        }
      }
    };

    const scraper = (async () => {
      while (performance.now() < deadline + 500) {
        await Promise.all(
          instances
            .filter((i) => i.live)
            .map(async (i) => {
              try {
                totals.add(i.name, await (await fetch(`${i.url}/metrics`)).text());
              } catch {
                // An instance going down between the check and the scrape.
              }
            }),
        );
        await sleep(1000);
      }
    })();

    const chaos = (async () => {
      await sleep(SECONDS * 250);
      const victim = instances[0] as Instance;
      // Its last counters before it dies.
      totals.add(victim.name, await (await fetch(`${victim.url}/metrics`)).text());
      const killedAt = now();
      await victim.stop('SIGKILL');
      // In flight at the kill: sent to it before it died (its exit is seen a little after).
      killWindows.push([killedAt, now()]);
      console.log(`  ${(killedAt / 1000).toFixed(1)} s: ${victim.name} killed (SIGKILL)`);
      await victim.start();
      console.log(`  ${(now() / 1000).toFixed(1)} s: ${victim.name} ready again`);
      await sleep(Math.max(0, SECONDS * 600 - now()));
      const drained = instances[1] as Instance;
      totals.add(drained.name, await (await fetch(`${drained.url}/metrics`)).text());
      console.log(`  ${(now() / 1000).toFixed(1)} s: ${drained.name} SIGTERM (drains 2 s, then stops)`);
      await drained.stop('SIGTERM');
      console.log(`  ${(now() / 1000).toFixed(1)} s: ${drained.name} exited`);
      await drained.start();
      console.log(`  ${(now() / 1000).toFixed(1)} s: ${drained.name} ready again`);
    })();

    await Promise.all([...Array.from({ length: CONCURRENCY }, (_, w) => worker(w)), chaos]);
    await scraper;
    const elapsed = now() / 1000;

    const ok = samples.filter((s) => s.ok);
    const failures = samples.filter((s) => !s.ok);
    // In flight on the killed instance: requests that started before the kill and failed at it.
    const failuresOutsideKill = failures.filter((f) => !killWindows.some(([from, to]) => f.at <= to && f.at + f.ms >= from));
    const byKind: ModeResult['byKind'] = {};
    for (const kind of new Set(samples.map((s) => s.kind))) {
      const ms = ok.filter((s) => s.kind === kind).map((s) => s.ms);
      byKind[kind] = { n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) };
    }
    const all = ok.map((s) => s.ms);
    return {
      mode,
      requests: samples.length,
      perSecond: samples.length / elapsed,
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      byKind,
      failures,
      failuresOutsideKill,
      writesChecked,
      staleReads,
      crossCursors,
      cursorFailures,
      hitRateRows: totals.rate(['rows']),
      hitRateAll: totals.rate(['rows', 'schema', 'count']),
    };
  } finally {
    haproxy.kill('SIGTERM');
    await Promise.all(instances.map((i) => i.stop('SIGKILL')));
  }
}

async function main(): Promise<void> {
  buildOnce();
  const store = await openStore();
  console.log(`cluster: 3 bucketql instances behind HAProxy over ${store.name}`);
  console.log(`  ${SECONDS} s a mode, ${CONCURRENCY} clients, ${OBJECTS} CSV tables of ${ROWS} rows, cache ${CACHE_BYTES} an instance`);
  const storage = new S3Storage({ endpoint: store.endpoint, credentials: store.credentials, timeoutMs: 30_000, maxAttempts: 3 });
  const bucket = `cluster-${randomBytes(4).toString('hex')}`;
  let failed = false;
  try {
    await storage.createBucket(bucket);
    const keys = Array.from({ length: OBJECTS }, (_, i) => `tables/t${String(i).padStart(2, '0')}.csv`);
    const body = (i: number) => Buffer.from(csv(i));
    for (let i = 0; i < keys.length; i += 4) {
      await Promise.all(keys.slice(i, i + 4).map((key, j) => storage.putObject({ bucket, key }, body(i + j))));
    }
    await storage.putObject({ bucket, key: 'small.json' }, Buffer.from(JSON.stringify({ hello: 'world', n: [1, 2, 3] })));
    console.log(`  seeded ${OBJECTS} tables of ${(body(0).length / 1024).toFixed(0)} KiB each`);

    const results: ModeResult[] = [];
    for (const mode of MODES) {
      console.log(`\n== ${mode === 'routed' ? 'routed by object (balance hdr(x-bucketql-object))' : 'round robin'}`);
      const result = await runMode(mode, store, bucket, keys);
      results.push(result);
      console.log(
        `  ${result.requests} requests, ${result.perSecond.toFixed(1)}/s; latency p50 ${result.p50.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms`,
      );
      for (const [kind, k] of Object.entries(result.byKind)) {
        console.log(
          `    ${kind.padEnd(10)} ${String(k.n).padStart(6)}  p50 ${k.p50.toFixed(0).padStart(5)} ms  p99 ${k.p99.toFixed(0).padStart(5)} ms`,
        );
      }
      console.log(
        `  failed: ${result.failures.length} (${result.failures.length - result.failuresOutsideKill.length} in flight at the kill, ${result.failuresOutsideKill.length} others)`,
      );
      for (const f of result.failuresOutsideKill.slice(0, 10))
        console.log(`    not at the kill: ${(f.at / 1000).toFixed(2)} s ${f.kind}: ${f.error}`);
      for (const f of result.failures.slice(0, 5)) console.log(`    ${(f.at / 1000).toFixed(2)} s ${f.kind}: ${f.error}`);
      console.log(`  writes read back fresh from the other instances: ${result.writesChecked - result.staleReads}/${result.writesChecked}`);
      console.log(`  cursors of one instance accepted by another: ${result.crossCursors - result.cursorFailures}/${result.crossCursors}`);
      console.log(
        `  table cache hit rate: ${(result.hitRateRows * 100).toFixed(1)}% (parsed tables), ${(result.hitRateAll * 100).toFixed(1)}% (all lookups)`,
      );
      if (result.failuresOutsideKill.length > 0 || result.failures.length > CONCURRENCY) failed = true;
      if (result.staleReads > 0 || result.cursorFailures > 0) failed = true;
    }
    console.log(`\n${JSON.stringify(results.map(({ failures, failuresOutsideKill, ...r }) => ({ ...r, failed: failures.length })))}`);
  } finally {
    storage.destroy();
    await store.stop();
  }
  if (failed) {
    console.log('\ncluster: FAILED (see above)');
    process.exit(1);
  }
  console.log('\ncluster: every check passed');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
