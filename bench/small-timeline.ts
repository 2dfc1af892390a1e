// Probe (not in npm run bench): the engine bench's small-object questions (first page
// and filter of a fresh 10k-row CSV, first page of a fresh 100k-row CSV) in its own
// sequence, in a server that answered the 1M-row questions just before ("big") or one
// warmed on small objects only ("fresh"), alternating; wall time of each request at the
// client and the server's CPU time for it (/proc, its background work included).
//   npx tsx bench/small-timeline.ts [rounds]      MODES=big,fresh  PER=objects a process
//   BENCH_ROOTS=dirA,dirB: builds (a built dist/) run interleaved, one fresh process each.
//   TRACE_IMPORT=bench/timeline-preload.mjs TRACE_FILE=<path>: the servers write a wall
//   timeline there (this script adds its own send/got lines on stderr); BENCH_NODE_FLAGS
//   adds node flags (e.g. --cpu-prof --cpu-prof-dir=... to line profiles up with it).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gql, readyLine, stopChild } from '../test/support/bucketql-child.js';
import { BENCH_QUESTIONS, cpuMs, median, SERVER_ENV, SERVER_NODE_FLAGS, uploadFile, writeBenchCsv } from './support.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const MODES = (process.env.MODES ?? 'big,fresh').split(',');
const ROOTS = (process.env.BENCH_ROOTS ?? '.').split(',');
const PER = Number(process.env.PER ?? 1);
/** The CSVs and the store's folder, made once and kept for later runs. */
const BASE = process.env.BENCH_BASE ?? join(tmpdir(), 'bucketql-bench-timeline');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const Q = BENCH_QUESTIONS;

async function start(root: string, dataDir: string): Promise<{ url: string; cpu(): number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...SERVER_NODE_FLAGS,
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      ...(process.env.TRACE_IMPORT ? ['--import', process.env.TRACE_IMPORT] : []),
      join(root, 'dist/src/cli.js'),
    ],
    {
      cwd: root,
      env: { ...process.env, ...SERVER_ENV, BUCKETQL_DATA_DIR: dataDir, BUCKETQL_PORT: '0', BUCKETQL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const url = await readyLine(child);
  return { url, cpu: () => cpuMs(child.pid), stop: () => stopChild(child) };
}

const mark = (s: string) => {
  if (process.env.TRACE_FILE) console.error(`@T ${(performance.timeOrigin + performance.now()).toFixed(2)} CLIENT ${s}`);
};

async function main(): Promise<void> {
  const dataDir = join(BASE, 'store');
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { recursive: true });
    await writeBenchCsv(join(BASE, 'big.csv'), 1_000_000);
    await writeBenchCsv(join(BASE, 'mid.csv'), 100_000);
    await writeBenchCsv(join(BASE, 'small.csv'), 10_000);
    const loader = await start(ROOTS[0] as string, dataDir);
    try {
      await gql(loader.url, 'mutation { createBucket(name: "bench") { name } }');
      for (const k of ['big', 'mid', 'small']) await uploadFile(loader, `${k}.csv`, join(BASE, `${k}.csv`));
    } finally {
      await loader.stop();
    }
  }
  let next = Math.floor(Math.random() * 1e6);
  const samples: Record<string, number[]> = {};
  const add = (name: string, ms: number) => {
    samples[name] ??= [];
    samples[name].push(ms);
  };
  for (let round = 0; round < ROUNDS; round++)
    for (const mode of MODES)
      for (const [r, root] of ROOTS.entries()) {
        const server = await start(root, dataDir);
        const copy = (from: string, to: string) =>
          gql(
            server.url,
            `mutation { copyObject(from: { bucket: "bench", key: "${from}" }, to: { bucket: "bench", key: "${to}" }) { size } }`,
          );
        const first = next;
        next += PER;
        const q = async (name: string, query: string) => {
          mark(`send ${name}`);
          const t = performance.now();
          await gql(server.url, query);
          const ms = performance.now() - t;
          mark(`got ${name} ${ms.toFixed(1)}`);
          return ms;
        };
        try {
          for (let n = first; n < first + PER; n++) {
            await copy('small.csv', `small-${n}.csv`);
            await copy('small.csv', `small-filter-${n}.csv`);
            await copy('mid.csv', `mid-${n}.csv`);
          }
          await sleep(300);
          if (mode === 'big') {
            await q('first page 1M', Q.firstPage('big.csv'));
            await q('cold count 1M', Q.count('big.csv', 0.5));
            await q('count new filter', Q.count('big.csv', 100.5));
            await q('other columns', Q.otherFilter('big.csv'));
            await q('sort', Q.sort('big.csv'));
            await q('aggregate', Q.aggregate('big.csv'));
            await q('summary', Q.summary('big.csv'));
          } else {
            for (let i = 0; i < 5; i++) {
              await q('warm first page', Q.firstPage('small.csv'));
              await q('warm filter', Q.filterPage('small.csv', 0.5));
            }
            await sleep(1500);
          }
          const tag = `${ROOTS.length > 1 ? `#${r} ` : ''}${mode}`;
          for (let n = first; n < first + PER; n++) {
            let cpu = server.cpu();
            add(`${tag}: first page 10k`, await q('first page 10k', Q.firstPage(`small-${n}.csv`)));
            await sleep(1500);
            add(`${tag}: first page 10k, CPU incl. background`, server.cpu() - cpu);
            cpu = server.cpu();
            add(`${tag}: filter 10k`, await q('filter 10k', Q.filterPage(`small-filter-${n}.csv`, 0.5)));
            add(`${tag}: filter 10k, CPU`, server.cpu() - cpu);
            cpu = server.cpu();
            add(`${tag}: first page 100k`, await q('first page 100k', Q.firstPage(`mid-${n}.csv`)));
            await sleep(1500);
            add(`${tag}: first page 100k, CPU incl. background`, server.cpu() - cpu);
          }
        } finally {
          await server.stop();
        }
      }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}`,
  );
  for (const [name, values] of Object.entries(samples).sort())
    console.log(`  ${name.padEnd(36)} ${median(values).toFixed(1).padStart(7)}   (all: ${values.map((v) => v.toFixed(0)).join(', ')})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
