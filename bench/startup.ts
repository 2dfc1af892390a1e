// Start-up: time and memory from launching the built server to "ready", with a
// fresh embedded store (seeding the demo), with an existing one, and with a config
// declaring 20 datasets; and the first request after ready (the first page of the
// demo's sales.csv, 300 ms after the ready line), which the start-up warm-up
// (BUCKETQL_WARM_UP) is for. Each figure is the median of several launches.
//   npx tsx bench/startup.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gql, memoryOf, stopChild } from '../test/support/bucketql-child.js';
import { buildOnce, median, readyLine } from './support.js';

interface Launch {
  ms: number;
  /** The first request after ready: the first page of demo/sales.csv. */
  firstMs: number;
  rssMiB: number;
  peakMiB: number;
}

const FIRST_REQUEST =
  '{ object(bucket: "demo", key: "sales.csv") { table { rows(first: 100) { edges { node { index values } } pageInfo { endCursor } } } } }';

async function launch(env: Record<string, string>): Promise<Launch> {
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/src/cli.js'], {
    env: { ...process.env, BUCKETQL_PORT: '0', BUCKETQL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await readyLine(child);
  const ms = performance.now() - started;
  const memory = memoryOf(child.pid as number);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const first = performance.now();
  await gql(url, FIRST_REQUEST);
  const firstMs = performance.now() - first;
  await stopChild(child);
  return { ms, firstMs, rssMiB: memory.rss, peakMiB: memory.peak };
}

function report(name: string, launches: Launch[]): void {
  console.log(
    `${name}: ready in ${median(launches.map((l) => l.ms)).toFixed(0)} ms (median of ${launches.length}), first request ${median(launches.map((l) => l.firstMs)).toFixed(0)} ms, RSS ${median(launches.map((l) => l.rssMiB)).toFixed(0)} MiB, peak ${median(launches.map((l) => l.peakMiB)).toFixed(0)} MiB (bucketql's process; the embedded store is a second one)`,
  );
}

async function main() {
  buildOnce();
  const runs = 5;
  const fresh: Launch[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bucketql-start-'));
    fresh.push(await launch({ BUCKETQL_DATA_DIR: dir }));
    rmSync(dir, { recursive: true, force: true });
  }
  report('fresh data folder (seeds the demo, 3 demo datasets)', fresh);

  const dir = mkdtempSync(join(tmpdir(), 'bucketql-start-'));
  await launch({ BUCKETQL_DATA_DIR: dir });
  // With and without the warm-up, alternating: what it adds to ready and takes off the first request.
  const warm: Launch[] = [];
  const cold: Launch[] = [];
  for (let i = 0; i < runs; i++) {
    warm.push(await launch({ BUCKETQL_DATA_DIR: dir }));
    cold.push(await launch({ BUCKETQL_DATA_DIR: dir, BUCKETQL_WARM_UP: '0' }));
  }
  report('existing data folder', warm);
  report('existing data folder, BUCKETQL_WARM_UP=0', cold);

  const none: Launch[] = [];
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, JSON.stringify({ datasets: [] }));
  for (let i = 0; i < runs; i++) none.push(await launch({ BUCKETQL_DATA_DIR: dir, BUCKETQL_CONFIG: empty }));
  report('existing data folder, no datasets', none);

  // 20 datasets over the demo files (CSV, CP949 CSV, gzip, XLSX sheets, JSON, NDJSON, pickle, a prefix).
  const sources = [
    { key: 'sales.csv' },
    { key: 'sales-cp949.csv' },
    { key: 'sales.csv.gz' },
    { key: 'report.xlsx' },
    { key: 'report.xlsx', sheet: '요약' },
    { key: 'people.json' },
    { key: 'events.ndjson' },
    { key: 'orders.pkl' },
    { key: 'branch-sales.csv' },
    { prefix: 'logs/' },
  ];
  const datasets = Array.from({ length: 20 }, (_, i) => ({ name: `dataset${i + 1}`, bucket: 'demo', ...sources[i % sources.length] }));
  const config = join(dir, 'twenty.json');
  writeFileSync(config, JSON.stringify({ datasets }));
  const twenty: Launch[] = [];
  for (let i = 0; i < runs; i++) twenty.push(await launch({ BUCKETQL_DATA_DIR: dir, BUCKETQL_CONFIG: config }));
  report('existing data folder, 20 datasets', twenty);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
