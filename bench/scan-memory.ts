// `npm run bench -- scan-memory`: memory per concurrent table scan, for sizing
// (docs/operations.md). A fresh built server for each level of concurrency (1, 4, 8,
// 16) runs that many filtered counts at once over a streamed CSV (larger than
// BUCKETQL_CACHE_TABLE_BYTES, so nothing is cached), three rounds; reports the peak RSS
// over the idle process and what that makes a scan.
import { startServer } from './support.js';

const ROWS = 400_000;
const LEVELS = [1, 4, 8, 16];

function csv(): string {
  const lines = ['id,region,amount,note'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},region${i % 17},${(i * 37) % 10_000},"note number ${i}"`);
  return `${lines.join('\n')}\n`;
}

const body = csv();
console.log(`scan-memory: a ${(body.length / 1024 / 1024).toFixed(1)} MiB CSV of ${ROWS} rows, streamed (not cached)`);
const COUNT = 'query($w: RowFilter) { object(bucket: "bench", key: "big.csv") { table { count(where: $w) } } }';
for (const level of LEVELS) {
  // BUCKETQL_CACHE_TABLE_BYTES below the object's size: every scan streams from S3.
  const server = await startServer({ BUCKETQL_SEED_DEMO: '0', BUCKETQL_CACHE_TABLE_BYTES: '1MiB' });
  try {
    await server.gql('mutation { createBucket(name: "bench") { name } }');
    // putObject on a .csv key takes rows: the CSV goes in as text, then is copied to its name.
    await server.gql('mutation($c: JSON!) { putObject(bucket: "bench", key: "big.txt", content: $c) { size } }', { c: body });
    await server.gql(
      'mutation { copyObject(from: { bucket: "bench", key: "big.txt" }, to: { bucket: "bench", key: "big.csv" }) { size } }',
    );
    // One scan first: the schema is cached, the process warmed.
    await server.gql(COUNT, { w: { column: 'amount', op: 'GT', value: 5000 } });
    const idle = server.memory().rss;
    const started = performance.now();
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: level }, (_, i) => server.gql(COUNT, { w: { column: 'amount', op: 'GT', value: 100 * i + round } })),
      );
    }
    const { peak } = server.memory();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `  ${String(level).padStart(2)} at once: idle ${idle} MiB, peak ${peak} MiB, +${peak - idle} MiB (${((peak - idle) / level).toFixed(1)} MiB a scan), ${seconds.toFixed(1)} s for 3 rounds`,
    );
  } finally {
    await server.stop();
  }
}
