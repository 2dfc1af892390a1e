// Parquet on a 1,000,000-row file made by DuckDB from the same data as bench/tables.ts's
// CSV (DuckDB's defaults: snappy, row groups of 122,880 rows), in the embedded store
// counting the bytes it sends: columns + rowCount (footer only), a first page, a filtered
// count that row-group statistics answer for most groups and one they cannot, each with
// the share of the object's bytes read; cold filtered counts (a fresh bucketql process
// each, warmed up on another file) beside DuckDB counting on the same file read locally
// (a fresh DuckDB instance each), interleaved run by run, with the median of the
// per-run ratios (the machine's load changes between runs, less within one).
// Page indexes: the same rows' id, city and amount written by hyparquet-writer with and
// without column and offset indexes (row groups of 122,880 rows, pages of 64 KiB, about
// 16,000 ids a page, as parquet-mr and Arrow cut pages at 20,000 rows), a count of 5,000
// ids in the middle of a row group on each: bytes read, and cold times interleaved.
//   npx tsx bench/parquet.ts            (npm run bench runs it too; BENCH_QUICK=1: 1 run instead of 5)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { startEmbeddedStore } from '../src/storage/embedded/embedded.js';
import { S3Storage } from '../src/storage/s3.js';
import { indexedColumn } from '../test/support/parquet-write.js';
import { benchDataDir, benchRow, buildOnce, median, s3StoreEnv, startServer, timed, writeBenchCsv } from './support.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const COLD_RUNS = QUICK ? 1 : 5;
const KEY = 'big.parquet';
const FOOTER = `{ object(bucket: "bench", key: "${KEY}") { table { rowCount columns { name type } } } }`;
const FIRST_PAGE = `{ object(bucket: "bench", key: "${KEY}") { table { rows(first: 100) { edges { node { index values } } } } } }`;
const PRUNED = (min: number) =>
  `{ object(bucket: "bench", key: "${KEY}") { table { count(where: { column: "id", op: GTE, value: ${min} }) } } }`;
const UNPRUNED = (min: number) =>
  `{ object(bucket: "bench", key: "${KEY}") { table { count(where: { and: [{ column: "city", op: EQ, value: "서울" }, { column: "amount", op: GTE, value: ${min} }] }) } } }`;

/** A count of 5,000 ids from `min`: inside one row group, a few pages of its id chunk. */
const ID_SPAN = (key: string, min: number) =>
  `{ object(bucket: "bench", key: "${key}") { table { count(where: { and: [{ column: "id", op: GTE, value: ${min} }, { column: "id", op: LT, value: ${min + 5000} }] }) } } }`;

/** The bench rows' id, city and amount as Parquet, with or without page indexes. */
function pageIndexed(rows: number, indexes: boolean): Buffer {
  const ids = Array.from({ length: rows }, (_, i) => i);
  const column = (name: string, data: unknown[], type: ColumnSource['type']) => indexedColumn(name, data, type, indexes, true);
  const buffer = parquetWriteBuffer({
    columnData: [
      column('id', ids, 'INT32'),
      column(
        'city',
        ids.map((i) => benchRow(i).city),
        'STRING',
      ),
      column(
        'amount',
        ids.map((i) => Number(((i * 1.37) % 1000).toFixed(2))),
        'DOUBLE',
      ),
    ],
    rowGroupSize: 122_880,
    pageSize: 64 * 1024,
    codec: 'SNAPPY',
  });
  return Buffer.from(buffer);
}

async function main() {
  buildOnce();
  const dir = mkdtempSync(join(benchDataDir(), 'parquet-'));
  const csv = join(dir, 'big.csv');
  const parquet = join(dir, KEY);
  await writeBenchCsv(csv, 1_000_000);
  const db = await DuckDBInstance.create(':memory:');
  const duck = await db.connect();
  await duck.run(`COPY (SELECT * FROM read_csv('${csv}', types = {'code': 'VARCHAR'})) TO '${parquet}' (FORMAT parquet)`);
  duck.closeSync();
  const bytes = readFileSync(parquet);
  const size = bytes.length;
  console.log(`CSV ${readFileSync(csv).length} bytes → Parquet ${size} bytes (DuckDB, snappy)`);

  const store = await startEmbeddedStore({ directory: join(dir, 'store'), countBytes: true });
  const storage = new S3Storage({
    endpoint: store.endpoint,
    credentials: store.credentials,
    copySourceKeepsPlus: true,
    timeoutMs: 60_000,
    maxAttempts: 2,
  });
  await storage.createBucket('bench');
  await storage.putObject({ bucket: 'bench', key: KEY }, bytes);
  const indexed = pageIndexed(1_000_000, true);
  await storage.putObject({ bucket: 'bench', key: 'indexed.parquet' }, indexed);
  const unindexed = pageIndexed(1_000_000, false);
  await storage.putObject({ bucket: 'bench', key: 'unindexed.parquet' }, unindexed);
  console.log(`the same rows' id, city, amount by hyparquet-writer: ${unindexed.length} bytes, ${indexed.length} with page indexes`);
  // A small file to warm a fresh process up on (module loading, the first request's compilation).
  await storage.putObject(
    { bucket: 'bench', key: 'warm.parquet' },
    readFileSync(join(import.meta.dirname, '../test/fixtures/parquet/row-groups.parquet')),
  );
  const env = s3StoreEnv(store);
  const report: Record<string, string> = {};
  const pct = (n: number) => `${((100 * n) / size).toFixed(2)} %`;
  try {
    // One process for the byte counts: each question once, cold (its first time in the process).
    const server = await startServer(env);
    try {
      for (const [name, query] of [
        ['columns + rowCount', FOOTER],
        ['first page (100 rows, all columns)', FIRST_PAGE],
        ['filtered count, statistics prune (id >= 900000)', PRUNED(900_000)],
        ['filtered count, statistics cannot prune (city = 서울 and amount >= 500)', UNPRUNED(500)],
      ] as const) {
        const before = await store.bytesSent();
        const { ms, value } = await timed(() => server.gql(query));
        const sent = (await store.bytesSent()) - before;
        report[name] =
          `${sent} bytes (${pct(sent)}), ${ms.toFixed(0)} ms, ${JSON.stringify(value.object.table.count ?? value.object.table.rowCount ?? value.object.table.rows.edges.length)}`;
      }
      for (const key of ['unindexed.parquet', 'indexed.parquet']) {
        await server.gql(`{ object(bucket: "bench", key: "${key}") { table { rowCount } } }`); // the footer
        const before = await store.bytesSent();
        const { ms, value } = await timed(() => server.gql(ID_SPAN(key, 500_000)));
        const sent = (await store.bytesSent()) - before;
        report[`page indexes: count 500000 <= id < 505000 after the footer, ${key}`] =
          `${sent} bytes, ${ms.toFixed(0)} ms, ${value.object.table.count}`;
      }
    } finally {
      await server.stop();
    }
    // Cold counts of the last ids with and without page indexes: a fresh process each, interleaved.
    {
      const times: Record<string, number[]> = { 'unindexed.parquet': [], 'indexed.parquet': [] };
      for (let run = 0; run < COLD_RUNS; run++) {
        for (const key of Object.keys(times)) {
          const server = await startServer(env);
          try {
            await server.gql(
              `{ object(bucket: "bench", key: "warm.parquet") { table { count(where: { column: "id", op: GTE, value: 9000 }) } } }`,
            );
            times[key]?.push((await timed(() => server.gql(ID_SPAN(key, 500_000)))).ms);
          } finally {
            await server.stop();
          }
        }
      }
      report[`page indexes: cold count 500000 <= id < 505000 (footer included), without vs with, median of ${COLD_RUNS}`] =
        `${median(times['unindexed.parquet'] ?? []).toFixed(0)} ms vs ${median(times['indexed.parquet'] ?? []).toFixed(0)} ms`;
    }
    // Cold filtered counts: a fresh process each run, against DuckDB (a fresh instance each run) on the local file.
    for (const [name, query, sql] of [
      ['prunable', PRUNED(900_000), `SELECT count(*) AS n FROM '${parquet}' WHERE id >= 900000`],
      ['unprunable', UNPRUNED(500), `SELECT count(*) AS n FROM '${parquet}' WHERE city = '서울' AND amount >= 500`],
    ] as const) {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let run = 0; run < COLD_RUNS; run++) {
        const server = await startServer(env);
        try {
          // Cold for this object (no footer, schema or count cached), in a process that has answered before.
          await server.gql(
            `{ object(bucket: "bench", key: "warm.parquet") { table { count(where: { column: "id", op: GTE, value: 9000 }) } } }`,
          );
          ours.push((await timed(() => server.gql(query))).ms);
        } finally {
          await server.stop();
        }
        const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
        const connection = await instance.connect();
        theirs.push((await timed(() => connection.runAndReadAll(sql))).ms);
        connection.closeSync();
      }
      const a = median(ours);
      const b = median(theirs);
      const ratios = ours.map((ms, i) => ms / (theirs[i] as number));
      report[
        `cold filtered count, ${name}: bucketql (fresh process, warmed up on another file) vs DuckDB (local file), median of ${COLD_RUNS}`
      ] =
        `${a.toFixed(0)} ms vs ${b.toFixed(0)} ms (${(a / b).toFixed(1)}×; per-run ratios ${ratios.map((r) => r.toFixed(1)).join(', ')}, median ${median(ratios).toFixed(1)}×)`;
    }
  } finally {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [name, value] of Object.entries(report)) console.log(`${name}: ${value}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
