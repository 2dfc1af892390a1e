// putObject of 100,000 rows through GraphQL: how long bucketql takes to take the
// JSON body, encode it by the key's extension and store it (CSV, and XLSX once its
// codec is registered), as row objects and as { columns, rows }. bucketql runs in a
// child process with its embedded store. Prints the numbers; asserts only that the
// rows read back.
//   npx tsx bench/put-rows.ts [rows]        (default 100000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecForWrite } from '../src/codecs/registry.js';
import { gql, memoryOf, startBucketqlChild, stopChild } from '../test/support/bucketql-child.js';

const ROWS = Number(process.argv[2] ?? 100_000);
const RUNS = 3;
const CITIES = ['서울', 'Busan', 'Incheon', '대구', 'Daejeon', '"Quoted, city"'];
const PUT = 'mutation($k: String!, $c: JSON!) { putObject(bucket: "bench", key: $k, content: $c) { size } }';

function rowObjects(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    name: `user_${i}`,
    city: CITIES[i % CITIES.length],
    amount: Math.round(i * 137) / 100,
    active: i % 3 === 0,
    joined: `2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:${String(i % 60).padStart(2, '0')}:00`,
    code: String(i % 100_000).padStart(5, '0'),
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const objects = rowObjects(ROWS);
  const columns = Object.keys(objects[0] as object);
  const table = { columns, rows: objects.map((row) => columns.map((c) => row[c])) };
  const formats = ['.csv'];
  if (codecForWrite('x.xlsx').codec.format === 'XLSX') formats.push('.xlsx');
  else console.log('XLSX: skipped (the XLSX codec is not registered for writing yet)');

  const dataDir = mkdtempSync(join(tmpdir(), 'bucketql-bench-put-'));
  const { child, url } = await startBucketqlChild(dataDir);
  const pid = child.pid as number;
  try {
    await gql(url, 'mutation { createBucket(name: "bench") { name } }');
    await gql(url, PUT, { k: 'warmup.csv', c: objects.slice(0, 1000) });
    console.log(`putObject of ${ROWS.toLocaleString('en')} rows × ${columns.length} columns (median of ${RUNS}), bucketql pid ${pid}`);
    for (const extension of formats) {
      for (const [form, content] of [
        ['row objects', objects],
        ['{ columns, rows }', table],
      ] as const) {
        const body = JSON.stringify({ query: PUT, variables: { k: `rows${extension}`, c: content } });
        const times: number[] = [];
        let size = 0;
        const peakBefore = memoryOf(pid).peak;
        for (let run = 0; run < RUNS; run++) {
          const started = performance.now();
          const result = await gql(url, PUT, { k: `rows${extension}`, c: content });
          times.push(performance.now() - started);
          size = result.putObject.size;
        }
        const read = await gql(url, `query { object(bucket: "bench", key: "rows${extension}") { table { rowCount } } }`);
        if (read.object.table.rowCount !== ROWS) throw new Error(`read back ${read.object.table.rowCount} rows, expected ${ROWS}`);
        const peakAfter = memoryOf(pid).peak;
        console.log(
          `  ${extension.padEnd(6)} ${form.padEnd(18)} ${(median(times) / 1000).toFixed(2)} s  ` +
            `(runs: ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s; request ${(Buffer.byteLength(body) / 1024 / 1024).toFixed(1)} MiB; ` +
            `object ${(size / 1024 / 1024).toFixed(1)} MiB; peak RSS ${peakAfter.toFixed(0)} MiB, +${(peakAfter - peakBefore).toFixed(0)})`,
        );
      }
    }
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
