// Probe: content and putObject of 100k rows in warm servers built from several checkouts,
// interleaved (A, B, A, B), and what memory holds after SIGHUP.
//   npx tsx bench/io-probe.ts [--prof] [--runs N] [--only content|put] [--dirs dirA,dirB] [--big] [--cached]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryOf, stopChild } from '../test/support/bucketql-child.js';
import {
  benchDataDir,
  benchRow,
  buildOnce,
  cpuMs,
  median,
  readyLine,
  SERVER_ENV,
  SERVER_NODE_FLAGS,
  timed,
  uploadFile,
  writeBenchCsv,
} from './support.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const RUNS = Number(arg('--runs') ?? 5);
const PROF = process.argv.includes('--prof');
const ONLY = arg('--only');
// Variants: a checkout each (--dirs a,b), or environments for one checkout (--envs "K=V,K=V;K=V").
const ENVS = (arg('--envs') ?? '').split(';');
const DIRS_GIVEN = (arg('--dirs') ?? process.cwd()).split(',');
const DIRS = DIRS_GIVEN.length >= ENVS.length ? DIRS_GIVEN : ENVS.map(() => DIRS_GIVEN[0] as string);
const envOf = (v: number) =>
  Object.fromEntries(
    (ENVS[v] ?? '')
      .split(',')
      .filter(Boolean)
      // At the first '=' only: a value may hold one (NODE_FLAGS=--max-semi-space-size=32).
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
const label = (v: number) => `${DIRS[v]}${ENVS[v] ? ` ${ENVS[v]}` : ''}`;
/** Before content and putObject, the bench's 1M-row questions (a 1M-row table built and cached). */
const BIG = process.argv.includes('--big');
/** Before content, a table question on the same object (content is then written from the cached table). */
const CACHED = process.argv.includes('--cached');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startServer(cwd: string, dataDir: string, extraEnv: Record<string, string>) {
  const port = 4600 + Math.floor(Math.random() * 300);
  const flags = PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(process.cwd(), 'scratch', 'prof')}`] : [];
  // NODE_FLAGS in a variant's environment replaces npm start's node flags (space-separated, '-' for none).
  // NO_MALLOC_ENV=1 leaves out npm start's malloc settings (SERVER_ENV).
  const { NODE_FLAGS, NO_MALLOC_ENV, ...env } = extraEnv;
  const nodeFlags = NODE_FLAGS === undefined ? SERVER_NODE_FLAGS : NODE_FLAGS.split(' ').filter((f) => f !== '-');
  const child = spawn(process.execPath, [...nodeFlags, ...flags, 'dist/src/cli.js'], {
    cwd,
    env: {
      ...process.env,
      ...(NO_MALLOC_ENV ? {} : SERVER_ENV),
      BUCKETQL_DATA_DIR: dataDir,
      BUCKETQL_PORT: String(port),
      BUCKETQL_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await readyLine(child);
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid as number;
  const post = async (body: string) => {
    const r = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return r.text();
  };
  return { url, pid, post, memory: () => memoryOf(pid), stop: () => stopChild(child), dataDir };
}

function anon(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (name: string) => Math.round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  return `RssAnon ${mib('RssAnon')}, RssFile ${mib('RssFile')}`;
}

/** Resident anonymous memory by kind of mapping: glibc's [heap], and anonymous maps by size. */
function smaps(pid: number): string {
  const groups = new Map<string, { rss: number; count: number }>();
  let key = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const size = (Number.parseInt(head[2] as string, 16) - Number.parseInt(head[1] as string, 16)) / 1024;
      const path = head[4] as string;
      key = path === '' ? `anon ${size >= 1024 ? `${Math.round(size / 1024)}M` : `${size}k`}` : path.startsWith('[') ? path : '';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && key) {
      const g = groups.get(key) ?? { rss: 0, count: 0 };
      g.rss += Number(rss[1]);
      g.count++;
      groups.set(key, g);
    }
  }
  return [...groups]
    .filter(([, g]) => g.rss >= 2048)
    .sort((a, b) => b[1].rss - a[1].rss)
    .map(([k, g]) => `${k} x${g.count}: ${Math.round(g.rss / 1024)}`)
    .join(', ');
}

async function metrics(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const space = /^bucketql_nodejs_heap_space_size_total_bytes\{space="(new|old|code|large_object)"\}\s+(\S+)/.exec(line);
    if (space) out.push(`${space[1]} ${Math.round(Number(space[2]) / 1048576)}`);
    const m =
      /^bucketql_(nodejs_heap_size_used_bytes|nodejs_heap_size_total_bytes|nodejs_external_memory_bytes|process_resident_memory_bytes)\s+(\S+)/.exec(
        line,
      );
    if (m) out.push(`${(m[1] as string).replace(/^nodejs_|_bytes$/g, '')} ${Math.round(Number(m[2]) / 1048576)}`);
  }
  return out.join(', ');
}

async function main(): Promise<void> {
  buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-io-probe-'));
  const csv = join(dir, 'mid.csv');
  await writeBenchCsv(csv, 100_000);
  const rows = Array.from({ length: 100_000 }, (_, i) => benchRow(i));
  const query = 'mutation($k: String!, $c: JSON!) { putObject(bucket: "bench", key: $k, content: $c) { size } }';
  const putBody = JSON.stringify({ query, variables: { k: 'put.csv', c: rows } });
  const contentBody = JSON.stringify({ query: '{ object(bucket: "bench", key: "mid.csv") { content } }' });
  const servers = [];
  const big = join(dir, 'big.csv');
  if (BIG) await writeBenchCsv(big, 1_000_000);
  // The objects are uploaded by a server of their own, as the engine bench does: the
  // servers measured start on the data (one folder, used in turn) and idle is their start.
  const dataDir = benchDataDir();
  const loader = await startServer(process.cwd(), dataDir, {});
  await loader.post(JSON.stringify({ query: 'mutation { createBucket(name: "bench") { name } }' }));
  await uploadFile(loader, 'mid.csv', csv);
  if (BIG) await uploadFile(loader, 'big.csv', big);
  await loader.stop();
  const idle: number[] = [];
  for (const [v, cwd] of DIRS.entries()) {
    const server = await startServer(cwd, dataDir, envOf(v));
    await sleep(300);
    idle.push(server.memory().rss);
    console.log(
      `${label(v)}: idle ${server.memory().rss.toFixed(0)} MiB; ${await metrics(server.url)}; ${anon(server.pid)}\n    ${smaps(server.pid)}`,
    );
    servers.push(server);
  }
  const times = servers.map(() => ({ content: [] as number[], contentCpu: [] as number[], put: [] as number[], peak: [] as number[] }));
  let first: string | undefined;
  try {
    if (BIG) {
      const table = (fields: string) => JSON.stringify({ query: `{ object(bucket: "bench", key: "big.csv") { table { ${fields} } } }` });
      for (const [v, server] of servers.entries()) {
        const started = performance.now();
        await server.post(table('rows(first: 1, where: { column: "amount", op: GTE, value: 0.5 }) { totalCount }'));
        await server.post(table('rows(first: 100, orderBy: [{ column: "amount", direction: DESC }]) { edges { node { values } } }'));
        await server.post(table('aggregate(groupBy: ["city"], columns: ["amount"]) { count }'));
        await server.post(table('summary(column: "amount") { count min max }'));
        console.log(
          `${label(v)}: 1M-row questions ${(performance.now() - started).toFixed(0)} ms, RSS ${(server.memory().rss - (idle[v] as number)).toFixed(0)} MiB above idle`,
        );
      }
    }
    if (CACHED) {
      for (const server of servers)
        await server.post(JSON.stringify({ query: '{ object(bucket: "bench", key: "mid.csv") { table { rowCount } } }' }));
    }
    for (let i = 0; i < RUNS; i++) {
      for (const [v, server] of servers.entries()) {
        const t = times[v] as (typeof times)[number];
        if (ONLY !== 'put') {
          const before = server.memory().rss;
          const cpuBefore = cpuMs(server.pid);
          const c = await timed(() => server.post(contentBody));
          first ??= c.value;
          if (c.value !== first) throw new Error(`content differs in ${label(v)}`);
          t.content.push(c.ms);
          t.contentCpu.push(cpuMs(server.pid) - cpuBefore);
          t.peak.push(server.memory().peak - before);
        }
        if (ONLY !== 'content') {
          const p = await timed(() => server.post(putBody));
          if (!p.value.includes('"size"')) throw new Error(p.value.slice(0, 500));
          t.put.push(p.ms);
        }
      }
    }
    for (const [v, server] of servers.entries()) {
      const t = times[v] as (typeof times)[number];
      const f = (a: number[]) => `${median(a)?.toFixed(0)} (${a.map((x) => x.toFixed(0)).join(', ')})`;
      console.log(
        `${label(v)}: content ${f(t.content)} ms, server CPU ${f(t.contentCpu)} ms, peak RSS growth ${f(t.peak)} MiB; putObject ${f(t.put)} ms`,
      );
      console.log(
        `  RSS above idle after the questions ${(server.memory().rss - (idle[v] as number)).toFixed(0)} MiB; ${await metrics(server.url)}; ${anon(server.pid)}`,
      );
    }
    // SIGHUP to all at once (the engine bench reads RSS 2 s later); V8's memory reducer may act later still.
    for (const server of servers) process.kill(server.pid, 'SIGHUP');
    for (const wait of [2000, 8000]) {
      await sleep(wait);
      for (const [v, server] of servers.entries())
        console.log(
          `  ${label(v)}: after SIGHUP (+${wait} ms) ${(server.memory().rss - (idle[v] as number)).toFixed(0)} MiB above idle (${(idle[v] as number).toFixed(0)}); ${await metrics(server.url)}; ${anon(server.pid)}\n    ${smaps(server.pid)}`,
        );
    }
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
