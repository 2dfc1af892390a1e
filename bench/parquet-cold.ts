// Cold filtered counts over bench/parquet.ts's file (1M rows written by DuckDB), for
// comparing builds: each run starts a fresh bucketql process from each root in turn
// (A, B, A, B, ...), warms it up on another file as bench/parquet.ts does, and times
// one count, beside DuckDB counting the local file (a fresh instance each run). Prints
// medians, per-run figures, the server's CPU time for the count and the load average.
//   npx tsx bench/parquet-cold.ts                       (this checkout, built)
//   BENCH_ROOTS=scratch/base,. npx tsx bench/parquet-cold.ts   (each root holds a dist/ built from its sources)
//   BENCH_RUNS=9 (default 7)
//   BENCH_WARM=types: warm up instead with both counts over another file of the same
//   column types (the bench data's first 20,000 rows by DuckDB), so that the timed count
//   finds its code compiled: the share of a cold count that is cold code.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startEmbeddedStore } from '../src/storage/embedded/embedded.js';
import { S3Storage } from '../src/storage/s3.js';
import { type BenchServer, benchDataDir, buildOnce, median, s3StoreEnv, startServer, timed, writeBenchCsv } from './support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ROOTS = (process.env.BENCH_ROOTS ?? '.').split(',').map((root) => resolve(root));
const KEY = 'big.parquet';
const QUERIES = {
  pruned: `{ object(bucket: "bench", key: "${KEY}") { table { count(where: { column: "id", op: GTE, value: 900000 }) } } }`,
  unpruned: `{ object(bucket: "bench", key: "${KEY}") { table { count(where: { and: [{ column: "city", op: EQ, value: "서울" }, { column: "amount", op: GTE, value: 500 }] }) } } }`,
};
const WARM_TYPES = process.env.BENCH_WARM === 'types';
const WARM = WARM_TYPES
  ? `{ a: object(bucket: "bench", key: "types.parquet") { table { count(where: { column: "id", op: GTE, value: 9000 }) } } b: object(bucket: "bench", key: "types.parquet") { table { count(where: { and: [{ column: "city", op: EQ, value: "Busan" }, { column: "amount", op: LT, value: 300 }] }) } } }`
  : `{ object(bucket: "bench", key: "warm.parquet") { table { count(where: { column: "id", op: GTE, value: 9000 }) } } }`;

/** The CPU time a process has run so far, all its threads (/proc/<pid>/schedstat, in ns), in ms: less bent by the machine's load than wall time. */
const cpuMs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

/** startServer, again on another random port when the one it drew is taken (other benchmarks may run beside this one). */
async function startFree(env: Record<string, string>, root: string): Promise<BenchServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServer(env, undefined, root);
    } catch (error) {
      if (attempt >= 5 || !/EADDRINUSE/.test(String(error))) throw error;
    }
  }
}

async function main() {
  if (!process.env.BENCH_ROOTS) buildOnce();
  // The file is kept between runs (it takes DuckDB a while to write): BENCH_PARQUET_DIR or scratch/.
  const dir = resolve(process.env.BENCH_PARQUET_DIR ?? 'scratch/parquet-cold');
  mkdirSync(dir, { recursive: true });
  const parquet = join(dir, KEY);
  if (!existsSync(parquet)) {
    const csv = join(dir, 'big.csv');
    await writeBenchCsv(csv, 1_000_000);
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    await duck.run(`COPY (SELECT * FROM read_csv('${csv}', types = {'code': 'VARCHAR'})) TO '${parquet}' (FORMAT parquet)`);
    duck.closeSync();
  }
  const types = join(dir, 'types.parquet');
  if (!existsSync(types)) {
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run(`COPY (SELECT * FROM read_parquet('${parquet}') LIMIT 20000) TO '${types}' (FORMAT parquet)`);
    duck.closeSync();
  }
  const store = await startEmbeddedStore({ directory: join(benchDataDir(), 'store') });
  const storage = new S3Storage({ endpoint: store.endpoint, credentials: store.credentials, timeoutMs: 60_000, maxAttempts: 2 });
  await storage.createBucket('bench');
  await storage.putObject({ bucket: 'bench', key: KEY }, readFileSync(parquet));
  await storage.putObject(
    { bucket: 'bench', key: 'warm.parquet' },
    readFileSync(join(import.meta.dirname, '../test/fixtures/parquet/row-groups.parquet')),
  );
  await storage.putObject({ bucket: 'bench', key: 'types.parquet' }, readFileSync(types));
  const env = s3StoreEnv(store);
  const sql = {
    pruned: `SELECT count(*) FROM '${parquet}' WHERE id >= 900000`,
    unpruned: `SELECT count(*) FROM '${parquet}' WHERE city = '서울' AND amount >= 500`,
  };
  const times: Record<string, number[]> = {};
  const note = (name: string, ms: number) => {
    times[name] ??= [];
    times[name].push(ms);
  };
  const loads: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      loads.push(loadavg()[0] as number);
      for (const name of Object.keys(QUERIES) as (keyof typeof QUERIES)[]) {
        for (const root of ROOTS) {
          const server = await startFree(env, root);
          try {
            await server.gql(WARM);
            const cpu = cpuMs(server.pid);
            const { ms, value } = await timed(() => server.gql(QUERIES[name]));
            note(`${name} ${root} cpu`, cpuMs(server.pid) - cpu);
            if (run === 0) console.log(`${name} ${root}: ${value.object.table.count}`);
            note(`${name} ${root}`, ms);
          } finally {
            await server.stop();
          }
        }
        const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
        const connection = await instance.connect();
        note(`${name} duckdb`, (await timed(() => connection.runAndReadAll(sql[name]))).ms);
        connection.closeSync();
      }
    }
  } finally {
    await store.stop();
  }
  for (const [name, list] of Object.entries(times))
    console.log(`${name}: median ${median(list).toFixed(0)} ms (${list.map((ms) => ms.toFixed(0)).join(', ')})`);
  console.log(`load average (1 min) at each run's start: ${loads.map((l) => l.toFixed(1)).join(', ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
