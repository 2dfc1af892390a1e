// The first request of a fresh process (issue 12's "first page ≤ 0.02× pandas" is
// measured on one): bucketql as built (`npm start`'s node flags), its embedded store
// holding the engine bench's 1M-row CSV; each process is started, its ready line
// awaited, 300 ms slept (as bench/engine.ts does), then one request timed: the first
// page of the 1M-row CSV in one process, its cold filtered count in another. Variants
// run interleaved, one fresh process each per round: by default the start-up warm-up
// on and off (BUCKETQL_WARM_UP); BENCH_ROOTS=dirA,dirB compares builds instead, and
// BENCH_VARIANTS="name:K=V;K=V|name2:K=V" environments of this build.
// Prints time to ready, the request's wall time and the CPU bucketql spent on it.
//   npx tsx bench/first-request.ts          (BENCH_QUICK=1: 3 rounds; BENCH_ROUNDS=n; BENCH_ONLY=name)
//   BENCH_CPU_PROF=dir: each server writes a CPU profile there (--cpu-prof).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gql, readyLine, stopChild } from '../test/support/bucketql-child.js';
import {
  BENCH_QUESTIONS,
  benchDataDir,
  buildOnce,
  cpuMs,
  median,
  SERVER_ENV,
  SERVER_NODE_FLAGS,
  timed,
  uploadFile,
  writeBenchCsv,
} from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (process.env.BENCH_QUICK === '1' ? 3 : 7));
const ROOTS = (process.env.BENCH_ROOTS ?? '').split(',').filter(Boolean);
/** BENCH_VARIANTS="name:K=V;K=V|name2:K=V": environments to compare, in one build. */
const ENV_VARIANTS = (process.env.BENCH_VARIANTS ?? '')
  .split('|')
  .filter(Boolean)
  .map((spec) => {
    const [name, vars = ''] = spec.split(':');
    const env = Object.fromEntries(
      vars
        .split(';')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    return { name: name as string, root: resolve('.'), env };
  });
const VARIANTS: { name: string; root: string; env: Record<string, string> }[] =
  ROOTS.length > 0
    ? ROOTS.map((root) => ({ name: root, root: resolve(root), env: {} }))
    : ENV_VARIANTS.length > 0
      ? ENV_VARIANTS
      : [
          { name: 'warm-up on', root: resolve('.'), env: { BUCKETQL_WARM_UP: '1' } },
          { name: 'warm-up off', root: resolve('.'), env: { BUCKETQL_WARM_UP: '0' } },
        ];
/** BENCH_ONLY="first page 1M" or "cold count 1M": one of the two requests. */
const ONLY = process.env.BENCH_ONLY;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const QUERIES = {
  'first page 1M': BENCH_QUESTIONS.firstPage('big.csv'),
  'cold count 1M': BENCH_QUESTIONS.count('big.csv', 0.5),
};

interface Started {
  child: ChildProcess;
  url: string;
  readyMs: number;
}

async function start(variant: (typeof VARIANTS)[number], dataDir: string): Promise<Started> {
  const prof = process.env.BENCH_CPU_PROF;
  const flags = [...SERVER_NODE_FLAGS, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])];
  const began = performance.now();
  const child = spawn(process.execPath, [...flags, join(variant.root, 'dist/src/cli.js')], {
    cwd: variant.root,
    env: { ...process.env, ...SERVER_ENV, BUCKETQL_DATA_DIR: dataDir, BUCKETQL_PORT: '0', BUCKETQL_LOG_LEVEL: 'warn', ...variant.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await readyLine(child);
  return { child, url, readyMs: performance.now() - began };
}

type Samples = Record<string, number[]>;
function add(samples: Samples, name: string, value: number): void {
  samples[name] ??= [];
  samples[name].push(value);
}

async function main(): Promise<void> {
  if (ROOTS.length === 0) buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-bench-first-'));
  const big = join(dir, 'big.csv');
  await writeBenchCsv(big, 1_000_000);
  const dataDir = benchDataDir();
  const loader = await start(VARIANTS[0] as (typeof VARIANTS)[number], dataDir);
  try {
    await gql(loader.url, 'mutation { createBucket(name: "bench") { name } }');
    await uploadFile(loader, 'big.csv', big);
  } finally {
    await stopChild(loader.child);
  }
  const results = VARIANTS.map(() => ({}) as Samples);
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, query] of Object.entries(QUERIES).filter(([name]) => !ONLY || name === ONLY)) {
      for (const [v, variant] of VARIANTS.entries()) {
        const samples = results[v] as Samples;
        const server = await start(variant, dataDir);
        const pid = server.child.pid as number;
        try {
          add(samples, 'ready', server.readyMs);
          add(samples, 'ready: bucketql main thread CPU', cpuMs(pid, true));
          await sleep(300);
          const before = cpuMs(pid, true);
          add(samples, `${name}: wall`, (await timed(() => gql(server.url, query))).ms);
          add(samples, `${name}: main thread CPU`, cpuMs(pid, true) - before);
        } finally {
          // SIGINT lets a --cpu-prof process write its profile.
          await stopChild(server.child, process.env.BENCH_CPU_PROF ? 'SIGINT' : 'SIGTERM');
        }
      }
    }
    loads.push(loadavg()[0] as number);
  }
  console.log(
    `\nmedians in ms over ${ROUNDS} rounds (fresh processes, variants interleaved); load average ${loads.map((l) => l.toFixed(1)).join(', ')}`,
  );
  for (const name of Object.keys(results[0] as Samples))
    for (const [v, variant] of VARIANTS.entries()) {
      const values = (results[v] as Samples)[name] ?? [];
      console.log(
        `  ${variant.name.padEnd(12)} ${name.padEnd(28)} ${median(values).toFixed(0).padStart(6)}   (all: ${values.map((x) => x.toFixed(0)).join(', ')})`,
      );
    }
  rmSync(dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
