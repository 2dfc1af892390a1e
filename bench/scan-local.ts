// The cold scan alone, in this process: a filtered count over a local CSV file read
// through the table engine as the server reads an S3 object (64 KiB chunks), without
// S3 or HTTP. For profiling (`node --cpu-prof`, `--trace-gc`) the parse and the build;
// it prints the cold scan's time in the garbage collector too. As the server runs:
//   node --import tsx bench/scan-local.ts file.csv
import { createReadStream, statSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { csvCodec } from '../src/codecs/csv.js';
import { TableCache } from '../src/tables/cache.js';
import { countRows } from '../src/tables/query.js';
import { TableReader } from '../src/tables/reader.js';

const path = process.argv[2] ?? '/tmp/big.csv';
const size = statSync(path).size;
const object = {
  bucket: 'local',
  key: path,
  etag: 'e',
  size,
  compression: 'NONE' as const,
  codec: csvCodec,
  openStored: async (start: number) => createReadStream(path, { start, highWaterMark: 64 * 1024 }),
  open: async (start: number) => createReadStream(path, { start, highWaterMark: 64 * 1024 }),
};
const cache = new TableCache(256 * 1024 * 1024);
const reader = new TableReader(
  object,
  { format: 'CSV', header: true },
  { inferRows: 1000, cacheTableBytes: 5 * 1024 * 1024 },
  cache,
  new AbortController().signal,
);
// Time in the garbage collector during the cold scan, by kind (scavenges, mark-compacts).
const gc = { scavengeMs: 0, scavenges: 0, majorMs: 0 };
let counting = true;
const observer = new PerformanceObserver((list) => {
  if (!counting) return;
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    // perf_hooks' NODE_PERFORMANCE_GC_MINOR is 1; everything else counts as major.
    if (kind === 1) {
      gc.scavengeMs += entry.duration;
      gc.scavenges++;
    } else gc.majorMs += entry.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const where = {
  and: [
    { column: 'city', op: 'EQ' as const, value: '서울' },
    { column: 'amount', op: 'GTE' as const, value: 0.5 },
  ],
};
const n = await countRows(reader, where);
const t1 = performance.now();
await new Promise((resolve) => setImmediate(resolve)); // the observer's last entries
counting = false;
observer.disconnect();
const again = await countRows(reader, { column: 'amount', op: 'GTE' as const, value: 100.5 });
const t2 = performance.now();
console.log(
  JSON.stringify({
    count: n,
    coldMs: Math.round(t1 - t0),
    againMs: Math.round(t2 - t1),
    again,
    rssGrowthMiB: Math.round((process.memoryUsage().rss - rssBefore) / 1048576),
    tableMiB: Math.round((cache.getColumns(reader.id)?.bytes ?? 0) / 1048576),
    scavenges: gc.scavenges,
    scavengeMs: Math.round(gc.scavengeMs),
    majorGcMs: Math.round(gc.majorMs),
  }),
);
