// Table reads on a 1,000,000-row CSV (~65 MB) beside a 10,000-row one, over the
// embedded store: first page, a deep page, a filtered totalCount scan (time and
// peak RSS of the bucketql process), and pandas' read_csv of the same file.
//   npx tsx bench/tables.ts            (npm run bench runs it too)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchDataDir, buildOnce, median, startServer, timed, uploadFile, writeBenchCsv } from './support.js';

const FIRST_PAGE = `query($k: String!) { object(bucket: "bench", key: $k) { table { rows(first: 100) { edges { node { index } } pageInfo { endCursor } } } } }`;
const AFTER = `query($k: String!, $after: String) { object(bucket: "bench", key: $k) { table { rows(first: 100, after: $after) { edges { node { index } } } } } }`;
const CURSOR_AT = `query($k: String!, $at: JSON!) { object(bucket: "bench", key: $k) { table { rows(first: 1, where: { column: "id", op: GTE, value: $at }) { pageInfo { endCursor } } } } }`;
const COUNT = `query($k: String!, $min: JSON!) { object(bucket: "bench", key: $k) { table { rows(first: 1, where: { and: [{ column: "city", op: EQ, value: "서울" }, { column: "amount", op: GTE, value: $min }] }) { totalCount } } } }`;

async function main() {
  buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-bench-csv-'));
  const big = join(dir, 'big.csv');
  const small = join(dir, 'small.csv');
  await writeBenchCsv(big, 1_000_000);
  await writeBenchCsv(small, 10_000);
  const dataDir = benchDataDir();
  const loader = await startServer({}, dataDir);
  try {
    await loader.gql('mutation { createBucket(name: "bench") { name } }');
    for (const [key, path] of [
      ['big.csv', big],
      ['small.csv', small],
    ] as const) {
      console.log(`uploaded ${key}: ${await uploadFile(loader, key, path)} bytes`);
    }
  } finally {
    await loader.stop();
  }
  // A fresh process for the measurements, so its peak memory is theirs alone.
  const server = await startServer({}, dataDir);
  try {
    const runs = 5;
    const report: Record<string, string> = {};
    for (const key of ['small.csv', 'big.csv']) {
      const rows = key === 'big.csv' ? 1_000_000 : 10_000;
      const cold = await timed(() => server.gql(FIRST_PAGE, { k: key }));
      const warm: number[] = [];
      for (let i = 0; i < runs; i++) warm.push((await timed(() => server.gql(FIRST_PAGE, { k: key }))).ms);
      const deepAt = Math.floor(rows * 0.9);
      const cursor = (await server.gql(CURSOR_AT, { k: key, at: deepAt })).object.table.rows.pageInfo.endCursor as string;
      const deep: number[] = [];
      for (let i = 0; i < runs; i++) deep.push((await timed(() => server.gql(AFTER, { k: key, after: cursor }))).ms);
      const before = server.memory();
      const scans: number[] = [];
      for (let i = 0; i < runs; i++) scans.push((await timed(() => server.gql(COUNT, { k: key, min: i + 0.5 }))).ms);
      if (process.env.BENCH_VERBOSE) console.log(key, 'scans', scans.map(Math.round));
      const after = server.memory();
      report[key] =
        `first page cold ${cold.ms.toFixed(0)} ms, warm median ${median(warm).toFixed(1)} ms; ` +
        `page after row ${deepAt} median ${median(deep).toFixed(1)} ms; ` +
        `filtered totalCount scan median ${median(scans).toFixed(0)} ms; RSS ${before.rss} → ${after.rss} MiB, peak ${after.peak} MiB`;
      console.log(`${key}: ${report[key]}`);
    }
    try {
      const pandas = execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import time, pandas as pd\nts=[]\nfor _ in range(3):\n  t=time.time(); pd.read_csv(${JSON.stringify(big)}); ts.append(time.time()-t)\nprint(sorted(ts)[1])`,
        ],
        { encoding: 'utf8' },
      );
      console.log(`pandas read_csv of big.csv: median ${(Number(pandas) * 1000).toFixed(0)} ms`);
    } catch {
      console.log('pandas not available (/usr/bin/python3 with pandas): skipped the comparison');
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Run as a script, not when bench/parquet.ts imports the generator.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
