// The scan engine against pandas and DuckDB, in one run (issue 12's targets as ratios).
// bucketql runs as built (`npm start`'s node flags) with its embedded store, a fresh
// process per repetition; "pandas" is bench/pandas-worker.py (urllib download of a
// presigned GET from the same store, then pandas); DuckDB (`@duckdb/node-api`, a
// fresh in-memory instance per query) reads the same files from local disk.
// Repetitions are interleaved (bucketql, pandas, DuckDB, bucketql, ...) so that the
// noise of a shared machine falls on all three alike. Prints medians and ratios.
//   npx tsx bench/engine.ts          (BENCH_QUICK=1: 3 processes instead of 10)
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { BENCH_QUESTIONS, benchDataDir, benchRow, buildOnce, median, startServer, timed, uploadFile, writeBenchCsv } from './support.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const PROCESSES = QUICK ? 3 : 10;
/** pandas and DuckDB repetitions (interleaved with the first bucketql processes). */
const REFERENCE_RUNS = QUICK ? 1 : 3;
function writeJson(path: string, rows: number): void {
  const records = Array.from({ length: rows }, (_, i) => benchRow(i));
  writeFileSync(path, JSON.stringify(records));
}

function writeXlsx(csv: string, path: string): void {
  // openpyxl writes the workbook, as the figure was measured on.
  const script = `import sys, pandas as pd\npd.read_csv(sys.argv[1], dtype={"code": str}).to_excel(sys.argv[2], index=False, engine="openpyxl")`;
  const result = spawnSync('/usr/bin/python3', ['-c', script, csv, path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openpyxl could not write the workbook: ${result.stderr}`);
}

/** bench/pandas-worker.py, kept running: one command a line, its time back. */
class Pandas {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  constructor() {
    this.child = spawn('/usr/bin/python3', ['bench/pandas-worker.py'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  }
  async run(command: Record<string, unknown>): Promise<{ ms: number; result: unknown }> {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
    const line = await this.lines.next();
    if (line.done) throw new Error('the pandas worker stopped');
    return JSON.parse(line.value) as { ms: number; result: unknown };
  }
  stop(): void {
    this.child.stdin?.end();
  }
}

async function duck(sql: string): Promise<{ ms: number; value: unknown }> {
  return timed(async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql);
    const rows = reader.getRows();
    connection.closeSync();
    instance.closeSync();
    return rows.length === 1 ? rows[0]?.[0] : rows.length;
  });
}

const Q = BENCH_QUESTIONS;

type Samples = Record<string, number[]>;
function add(samples: Samples, name: string, value: number): void {
  samples[name] ??= [];
  samples[name].push(value);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PUT_ROWS = 100_000;
/** The putObject request of PUT_ROWS row objects (the rows pandas-worker.py's frame() makes), serialised before timing. */
function putBody(key: string): string {
  const rows = Array.from({ length: PUT_ROWS }, (_, i) => benchRow(i));
  const query = 'mutation($k: String!, $c: JSON!) { putObject(bucket: "bench", key: $k, content: $c) { size } }';
  return JSON.stringify({ query, variables: { k: key, c: rows } });
}

/** POSTs a prepared GraphQL body; throws on errors. */
async function postRaw(url: string, body: string): Promise<void> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const result = (await response.json()) as { errors?: unknown };
  if (result.errors) throw new Error(JSON.stringify(result.errors));
}

async function main(): Promise<void> {
  buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-bench-engine-'));
  const files = {
    big: join(dir, 'big.csv'),
    mid: join(dir, 'mid.csv'),
    small: join(dir, 'small.csv'),
    json: join(dir, 'mid.json'),
    xlsx: join(dir, 'mid.xlsx'),
  };
  await writeBenchCsv(files.big, 1_000_000);
  await writeBenchCsv(files.mid, 100_000);
  await writeBenchCsv(files.small, 10_000);
  writeJson(files.json, 100_000);
  writeXlsx(files.mid, files.xlsx);
  const dataDir = benchDataDir();
  const loader = await startServer({}, dataDir);
  try {
    await loader.gql('mutation { createBucket(name: "bench") { name } }');
    // Each question that must be the first on its object gets an object of its own.
    for (const [key, path] of [
      ['big.csv', files.big],
      ['mid.csv', files.mid],
      ['mid-content.csv', files.mid],
      ['small.csv', files.small],
      ['small-filter.csv', files.small],
      ['mid.json', files.json],
      ['mid.xlsx', files.xlsx],
    ] as const)
      await uploadFile(loader, key, path);
  } finally {
    await loader.stop();
  }

  const pandas = new Pandas();
  const bq: Samples = {};
  const pd: Samples = {};
  const dk: Samples = {};
  const sizes = { big: readFileSync(files.big).length };
  let expected: unknown = null;
  const putRequest = putBody('put.csv');
  try {
    for (let run = 0; run < PROCESSES; run++) {
      const server = await startServer({}, dataDir);
      try {
        await sleep(300);
        const idle = server.memory().rss;
        add(bq, 'first page 1M', (await timed(() => server.gql(Q.firstPage('big.csv')))).ms);
        const before = server.memory();
        const cold = await timed(() => server.gql(Q.count('big.csv', 0.5)));
        add(bq, 'cold count 1M', cold.ms);
        add(bq, 'cold count peak RSS growth MiB', server.memory().peak - before.rss);
        expected ??= cold.value.object.table.rows.totalCount;
        add(bq, 'again: count, new filter', (await timed(() => server.gql(Q.count('big.csv', 100.5)))).ms);
        add(bq, 'again: count, other columns', (await timed(() => server.gql(Q.otherFilter('big.csv')))).ms);
        add(bq, 'again: sort', (await timed(() => server.gql(Q.sort('big.csv')))).ms);
        add(bq, 'again: aggregate', (await timed(() => server.gql(Q.aggregate('big.csv')))).ms);
        add(bq, 'again: summary', (await timed(() => server.gql(Q.summary('big.csv')))).ms);
        add(bq, 'RSS after questions MiB', server.memory().rss - idle);
        // A first page of a small object leaves its read going on in the background: the
        // next question waits until the server is idle again, so that it is measured alone.
        const settled = () => sleep(1500);
        add(bq, 'first page 10k', (await timed(() => server.gql(Q.firstPage('small.csv')))).ms);
        await settled();
        add(bq, 'filter 10k', (await timed(() => server.gql(Q.filterPage('small-filter.csv', 0.5)))).ms);
        add(bq, 'first page 100k', (await timed(() => server.gql(Q.firstPage('mid.csv')))).ms);
        await settled();
        add(bq, 'count JSON 100k', (await timed(() => server.gql(Q.count('mid.json', 0.5)))).ms);
        add(bq, 'first page XLSX 100k', (await timed(() => server.gql(Q.firstPage('mid.xlsx')))).ms);
        await sleep(5000);
        const beforeContent = server.memory();
        add(bq, 'content 100k', (await timed(() => server.gql(Q.content('mid-content.csv')))).ms);
        add(bq, 'content peak RSS growth MiB', server.memory().peak - beforeContent.rss);
        add(bq, 'putObject 100k CSV', (await timed(() => postRaw(server.url, putRequest))).ms);
        // SIGHUP drops the table cache (and rebuilds dataset types): memory should return.
        process.kill(server.pid, 'SIGHUP');
        await sleep(2000);
        add(bq, 'RSS above idle after cache cleared MiB', server.memory().rss - idle);
      } finally {
        await server.stop();
      }
      if (run < REFERENCE_RUNS) {
        // The store is the bucketql child's embedded one: a server stays up while pandas downloads.
        const server2 = await startServer({}, dataDir);
        try {
          const u = async (k: string) => (await server2.gql(Q.url(k))).object.downloadUrl as string;
          const big = await pandas.run({ op: 'count_csv', url: await u('big.csv'), city: '서울', min: 0.5 });
          if (big.result !== expected) console.log(`! pandas counted ${big.result}, bucketql ${expected}`);
          add(pd, 'cold count 1M', big.ms);
          add(pd, 'read_csv 1M', (await pandas.run({ op: 'read_csv', url: await u('big.csv') })).ms);
          add(pd, 'read_csv 100k', (await pandas.run({ op: 'read_csv', url: await u('mid.csv') })).ms);
          add(pd, 'read_csv 10k', (await pandas.run({ op: 'read_csv', url: await u('small.csv') })).ms);
          add(pd, 'filter 10k', (await pandas.run({ op: 'count_csv', url: await u('small.csv'), city: '서울', min: 0.5 })).ms);
          add(pd, 'count JSON 100k', (await pandas.run({ op: 'count_json', url: await u('mid.json'), city: '서울', min: 0.5 })).ms);
          add(pd, 'read_excel 100k', (await pandas.run({ op: 'read_excel', url: await u('mid.xlsx') })).ms);
          const put = await server2.gql('mutation { createUploadUrl(bucket: "bench", key: "pandas-put.csv") { url } }');
          add(pd, 'to_csv + upload 100k', (await pandas.run({ op: 'put_csv', url: put.createUploadUrl.url, rows: PUT_ROWS })).ms);
        } finally {
          await server2.stop();
        }
        const d = await duck(`SELECT count(*) FROM read_csv('${files.big}') WHERE city = '서울' AND amount >= 0.5`);
        if (Number(d.value) !== expected) console.log(`! DuckDB counted ${d.value}, bucketql ${expected}`);
        add(dk, 'cold count 1M', d.ms);
        add(dk, 'first 100 rows 1M', (await duck(`SELECT * FROM read_csv('${files.big}') LIMIT 100`)).ms);
      }
      console.log(`process ${run + 1}/${PROCESSES}: cold count ${bq['cold count 1M']?.at(-1)?.toFixed(0)} ms`);
    }
  } finally {
    pandas.stop();
  }

  const m = (s: Samples, name: string) => median(s[name] ?? [Number.NaN]);
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  console.log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} (2 cores)`,
  );
  console.log(
    `\n1M-row CSV: ${(sizes.big / 1024 / 1024).toFixed(0)} MiB; bucketql over ${PROCESSES} fresh processes, pandas and DuckDB ${REFERENCE_RUNS} runs, interleaved`,
  );
  console.log('\nbucketql medians:');
  for (const [name, values] of Object.entries(bq))
    console.log(`  ${name.padEnd(40)} ${median(values).toFixed(0).padStart(7)}   (all: ${values.map((v) => v.toFixed(0)).join(', ')})`);
  console.log('pandas medians (download + decode):');
  for (const [name, values] of Object.entries(pd))
    console.log(`  ${name.padEnd(40)} ${median(values).toFixed(0).padStart(7)}   (all: ${values.map((v) => v.toFixed(0)).join(', ')})`);
  console.log('DuckDB medians (local file):');
  for (const [name, values] of Object.entries(dk))
    console.log(`  ${name.padEnd(40)} ${median(values).toFixed(0).padStart(7)}   (all: ${values.map((v) => v.toFixed(0)).join(', ')})`);

  const duckCold = m(dk, 'cold count 1M');
  const rows: [string, number, number, string][] = [
    ['cold count 1M / pandas', m(bq, 'cold count 1M'), m(pd, 'cold count 1M'), '≤ 0.25'],
    ['cold count 1M / DuckDB', m(bq, 'cold count 1M'), duckCold, '≤ 2'],
    ['cold count 1M slowest / median', Math.max(...(bq['cold count 1M'] ?? [])), m(bq, 'cold count 1M'), '≤ 1.5'],
    ['again: count, new filter / DuckDB cold', m(bq, 'again: count, new filter'), duckCold, '≤ 0.5'],
    ['again: count, other columns / DuckDB cold', m(bq, 'again: count, other columns'), duckCold, '≤ 0.5'],
    ['again: sort / DuckDB cold', m(bq, 'again: sort'), duckCold, '≤ 0.5'],
    ['again: aggregate / DuckDB cold', m(bq, 'again: aggregate'), duckCold, '≤ 0.5'],
    ['again: summary / DuckDB cold', m(bq, 'again: summary'), duckCold, '≤ 0.5'],
    ['first page 1M / pandas read_csv', m(bq, 'first page 1M'), m(pd, 'read_csv 1M'), '≤ 0.02'],
    ['first page 100k / pandas read_csv', m(bq, 'first page 100k'), m(pd, 'read_csv 100k'), '≤ 0.1'],
    ['first page 10k / pandas read_csv', m(bq, 'first page 10k'), m(pd, 'read_csv 10k'), '≤ 1.0'],
    ['filter 10k / pandas', m(bq, 'filter 10k'), m(pd, 'filter 10k'), '≤ 1.0'],
    ['count JSON 100k / pandas', m(bq, 'count JSON 100k'), m(pd, 'count JSON 100k'), '≤ 1.0'],
    ['first page XLSX 100k / read_excel', m(bq, 'first page XLSX 100k'), m(pd, 'read_excel 100k'), '≤ 0.05'],
    ['content 100k / pandas read_csv', m(bq, 'content 100k'), m(pd, 'read_csv 100k'), '≤ 1.0'],
    ['putObject 100k CSV / pandas to_csv + upload', m(bq, 'putObject 100k CSV'), m(pd, 'to_csv + upload 100k'), '≤ 1.0'],
  ];
  console.log('\nratios (target):');
  for (const [name, a, b, target] of rows) {
    const ratio = a / b;
    const limit = Number(target.replace('≤ ', ''));
    console.log(
      `  ${name.padEnd(44)} ${ms(a).padStart(9)} / ${ms(b).padStart(9)} = ${ratio.toFixed(3).padStart(7)}  ${target.padEnd(6)} ${ratio <= limit ? 'met' : 'NOT met'}`,
    );
  }
  const growth = m(bq, 'cold count peak RSS growth MiB');
  const residue = m(bq, 'RSS above idle after cache cleared MiB');
  console.log(`  peak RSS growth in a cold scan: ${growth.toFixed(0)} MiB (≤ 160) ${growth <= 160 ? 'met' : 'NOT met'}`);
  console.log(`  RSS above idle after the cache is cleared: ${residue.toFixed(0)} MiB (≤ 50) ${residue <= 50 ? 'met' : 'NOT met'}`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
