// Probe: content and putObject of 100k rows in warm servers built from several checkouts,
// interleaved (A, B, A, B), and what memory holds after SIGHUP.
//   npx tsx bench/io-probe.ts [--prof] [--runs N] [--only content|put] [--dirs dirA,dirB]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryOf, stopChild } from '../test/support/bucketql-child.js';
import { benchDataDir, benchRow, buildOnce, median, readyLine, SERVER_NODE_FLAGS, timed, uploadFile, writeBenchCsv } from './support.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const RUNS = Number(arg('--runs') ?? 5);
const PROF = process.argv.includes('--prof');
const ONLY = arg('--only');
const DIRS = (arg('--dirs') ?? process.cwd()).split(',');
const EXTRA_ENV = Object.fromEntries(
  (arg('--env') ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=')),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startServer(cwd: string, dataDir: string) {
  const port = 4600 + Math.floor(Math.random() * 300);
  const flags = PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(process.cwd(), 'scratch', 'prof')}`] : [];
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...flags, 'dist/src/cli.js'], {
    cwd,
    env: { ...process.env, BUCKETQL_DATA_DIR: dataDir, BUCKETQL_PORT: String(port), BUCKETQL_LOG_LEVEL: 'warn', ...EXTRA_ENV },
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

async function metrics(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: string[] = [];
  for (const line of text.split('\n')) {
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
  for (const cwd of DIRS) {
    const server = await startServer(cwd, benchDataDir());
    await server.post(JSON.stringify({ query: 'mutation { createBucket(name: "bench") { name } }' }));
    await uploadFile(server, 'mid.csv', csv);
    servers.push(server);
  }
  await sleep(500);
  const idle = servers.map((s) => s.memory().rss);
  const times = servers.map(() => ({ content: [] as number[], put: [] as number[], peak: [] as number[] }));
  let first: string | undefined;
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const [v, server] of servers.entries()) {
        const t = times[v] as (typeof times)[number];
        if (ONLY !== 'put') {
          const before = server.memory().rss;
          const c = await timed(() => server.post(contentBody));
          first ??= c.value;
          if (c.value !== first) throw new Error(`content differs in ${DIRS[v]}`);
          t.content.push(c.ms);
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
      console.log(`${DIRS[v]}: content ${f(t.content)} ms, peak RSS growth ${f(t.peak)} MiB; putObject ${f(t.put)} ms`);
      console.log(
        `  RSS above idle after the questions ${(server.memory().rss - (idle[v] as number)).toFixed(0)} MiB; ${await metrics(server.url)}`,
      );
      process.kill(server.pid, 'SIGHUP');
      await sleep(2000);
      console.log(
        `  after SIGHUP ${(server.memory().rss - (idle[v] as number)).toFixed(0)} MiB above idle (${(idle[v] as number).toFixed(0)}); ${await metrics(server.url)}`,
      );
    }
  } finally {
    for (const server of servers) {
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
