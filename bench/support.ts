// Shared by the benchmarks: a bucketql server in a child process (built code, the
// embedded store), GraphQL over HTTP, and the child's memory as the kernel counts it.
// Starting, awaiting and stopping a child are test/support/bucketql-child.ts's.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gql, memoryOf, readyLine, stopChild } from '../test/support/bucketql-child.js';

export { readyLine };

/** The node flags `npm start` runs with (package.json): none, Node's defaults (docs/operations.md). */
export const SERVER_NODE_FLAGS: string[] = [];
/**
 * The environment `npm start` sets (package.json): glibc's malloc with fixed thresholds,
 * so that freed large blocks go back to the system (docs/operations.md, "Memory after a clear").
 */
export const SERVER_ENV = { MALLOC_MMAP_THRESHOLD_: '1048576', MALLOC_TRIM_THRESHOLD_: '1048576' };

export interface BenchServer {
  url: string;
  pid: number;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in MiB. */
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

export function buildOnce(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

export function benchDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'bucketql-bench-'));
}

/** Starts bucketql (built, in `root`'s dist/) with the embedded store in `dataDir`. */
export async function startServer(env: Record<string, string> = {}, dataDir = benchDataDir(), root = '.'): Promise<BenchServer> {
  const port = 4600 + Math.floor(Math.random() * 300);
  const child: ChildProcess = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(root, 'dist/src/cli.js')], {
    env: { ...process.env, ...SERVER_ENV, BUCKETQL_DATA_DIR: dataDir, BUCKETQL_PORT: String(port), BUCKETQL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await readyLine(child);
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid as number;
  return {
    url,
    pid,
    gql: (query, variables) => gql(url, query, variables),
    memory() {
      const { rss, peak } = memoryOf(pid);
      return { rss: Math.round(rss), peak: Math.round(peak) };
    },
    stop: () => stopChild(child),
  };
}

/** Uploads a local file through bucketql's own uploadFile (multipart spec, streamed) into bucket `bench`. */
export async function uploadFile(server: Pick<BenchServer, 'url'>, key: string, path: string): Promise<number> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: `mutation($f: File!) { uploadFile(bucket: "bench", key: "${key}", file: $f) { size } }`,
      variables: { f: null },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.f'] }));
  form.append('0', new Blob([readFileSync(path)]), key);
  const response = await fetch(`${server.url}/graphql`, { method: 'POST', body: form, headers: { 'graphql-preflight': '1' } });
  const body = (await response.json()) as { data?: { uploadFile: { size: number } }; errors?: unknown };
  if (!body.data) throw new Error(`upload of ${key} failed: ${JSON.stringify(body.errors)}`);
  return body.data.uploadFile.size;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const BENCH_CITIES = ['서울', 'Busan', 'Incheon', '대구', 'Daejeon', 'Gwangju', 'Ulsan', '"Quoted, city"'];

/** Row `i` of the benchmarks' table (without `code`, which only the CSV has), as JSON and putObject send it. */
export function benchRow(i: number) {
  return {
    id: i,
    name: `user_${i}`,
    city: BENCH_CITIES[i % BENCH_CITIES.length] as string,
    amount: Number(((i * 1.37) % 1000).toFixed(2)),
    active: i % 3 === 0,
    created_at: `2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:${String(i % 60).padStart(2, '0')}:00`,
  };
}

/** The benchmarks' CSV (id, name, city, amount, active, created_at, code), `rows` rows, written to `path`. */
export async function writeBenchCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('id,name,city,amount,active,created_at,code\n');
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    const row = benchRow(i);
    buffer += `${i},${row.name},${row.city},${((i * 1.37) % 1000).toFixed(2)},${row.active},${row.created_at},${String(i % 100000).padStart(5, '0')}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

/**
 * CPU time (user + system) a process has spent so far, in ms (/proc/<pid>/stat counts
 * ticks of 10 ms); with `mainThread`, its main thread's alone (JavaScript runs there; V8's
 * compiler and GC helper threads do not count). 0 for a process that has gone.
 */
export function cpuMs(pid: number | undefined, mainThread = false): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The benchmarks' filter: Seoul, and `amount` at least `min`. */
export const whereSeoul = (min: number) =>
  `{ and: [{ column: "city", op: EQ, value: "서울" }, { column: "amount", op: GTE, value: ${min} }] }`;

/** The engine bench's questions, on objects of bucket `bench`. */
export const BENCH_QUESTIONS = {
  firstPage: (k: string) =>
    `{ object(bucket: "bench", key: "${k}") { table { rows(first: 100) { edges { node { index values } } pageInfo { endCursor } } } } }`,
  count: (k: string, min: number) =>
    `{ object(bucket: "bench", key: "${k}") { table { rows(first: 1, where: ${whereSeoul(min)}) { totalCount } } } }`,
  filterPage: (k: string, min: number) =>
    `{ object(bucket: "bench", key: "${k}") { table { rows(first: 100, where: ${whereSeoul(min)}) { totalCount edges { node { values } } } } } }`,
  otherFilter: (k: string) =>
    `{ object(bucket: "bench", key: "${k}") { table { count(where: { or: [{ column: "name", op: ENDS_WITH, value: "77" }, { column: "active", op: EQ, value: true }] }) } } }`,
  sort: (k: string) =>
    `{ object(bucket: "bench", key: "${k}") { table { rows(first: 100, orderBy: [{ column: "amount", direction: DESC }]) { edges { node { index values } } } } } }`,
  aggregate: (k: string) =>
    `{ object(bucket: "bench", key: "${k}") { table { aggregate(groupBy: ["city"], columns: ["amount"]) { count columns { sum avg min max } } } } }`,
  summary: (k: string) =>
    `{ object(bucket: "bench", key: "${k}") { table { summary(column: "amount") { count min max histogram { count } } } } }`,
  content: (k: string) => `{ object(bucket: "bench", key: "${k}") { content } }`,
  url: (k: string) => `{ object(bucket: "bench", key: "${k}") { downloadUrl } }`,
};

/** The environment that runs a bucketql child against an S3-compatible store at `endpoint`. */
export function s3StoreEnv(store: {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Record<string, string> {
  return {
    BUCKETQL_STORE: 's3',
    AWS_ENDPOINT_URL_S3: store.endpoint,
    AWS_ACCESS_KEY_ID: store.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: store.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
}
