// Memory of concurrent scans, and what BUCKETQL_MAX_CONCURRENT_SCANS does to it: four
// clients at once ask for a sorted 10,000-row page of a 1,000,000-row CSV (~65 MB);
// peak RSS of the bucketql process and the wall time of the four, for several limits
// (4 lets all four run at once, as before the limit existed).
//   npx tsx bench/scan-concurrency.ts
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDataDir, buildOnce, startServer, uploadFile } from './support.js';

const CLIENTS = 4;
const SORTED_PAGE = `query($k: String!) { object(bucket: "bench", key: $k) { table { rows(first: 10000, orderBy: [{ column: "amount", direction: DESC }]) { edges { node { values } } } } } }`;

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('id,name,city,amount,active,created_at,code\n');
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    buffer += `${i},user_${i},city ${i % 97},${((i * 1.37) % 1000).toFixed(2)},${i % 3 === 0},2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:00:00,${String(i % 100000).padStart(5, '0')}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

async function main() {
  if (!process.env.BENCH_NO_BUILD) buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-bench-scans-'));
  const csv = join(dir, 'big.csv');
  await writeCsv(csv, 1_000_000);
  const dataDir = benchDataDir();
  try {
    const loader = await startServer({}, dataDir);
    try {
      await loader.gql('mutation { createBucket(name: "bench") { name } }');
      for (let i = 0; i < CLIENTS; i++) {
        await uploadFile(loader, `big${i}.csv`, csv);
      }
    } finally {
      await loader.stop();
    }
    for (const limit of [4, 2, 1]) {
      // A fresh process each time, so that its peak memory is this run's.
      const server = await startServer({ BUCKETQL_MAX_CONCURRENT_SCANS: String(limit) }, dataDir);
      try {
        const rest = server.memory().rss;
        const started = Date.now();
        // Four different objects: no cache or shared pass helps.
        await Promise.all(Array.from({ length: CLIENTS }, (_, i) => server.gql(SORTED_PAGE, { k: `big${i}.csv` })));
        const ms = Date.now() - started;
        const { peak } = server.memory();
        console.log(
          `BUCKETQL_MAX_CONCURRENT_SCANS=${limit}: ${CLIENTS} concurrent sorted 10,000-row pages of 1M rows: ${ms} ms, RSS at rest ${rest} MiB, peak ${peak} MiB (+${peak - rest} MiB)`,
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
