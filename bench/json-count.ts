// The engine bench's cold JSON count in one process, without S3 or HTTP: a fresh
// TableReader over the 100k-record array (`mid.json`, 11 MB) in 64 KiB slices, as the
// store's stream hands them over, counting `city = 서울 AND amount >= 0.5`, then a
// second question on the same cache (answered from the columns). CPU time
// (process.cpuUsage) and wall time, medians; with BENCH_ROOTS=dirA,dirB the sources of
// several checkouts (each a folder holding src/) run interleaved (A, B, A, B, ...).
//   npx tsx bench/json-count.ts                 (BENCH_ROUNDS=n, 9 by default)
//   BENCH_ROOTS=/tmp/before,. npx tsx bench/json-count.ts
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { benchRow, median } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROOTS = (process.env.BENCH_ROOTS ?? '.').split(',').map((root) => resolve(root));
const WHERE = {
  and: [
    { column: 'city', op: 'EQ', value: '서울' },
    { column: 'amount', op: 'GTE', value: 0.5 },
  ],
};
const LATER = { column: 'amount', op: 'LT', value: 100 };

interface Build {
  root: string;
  count(bytes: Buffer): Promise<{ cold: number; later: number }>;
}

async function load(root: string): Promise<Build> {
  const { jsonCodec } = await import(`${root}/src/codecs/json.ts`);
  const { TableCache } = await import(`${root}/src/tables/cache.ts`);
  const { countRows } = await import(`${root}/src/tables/query.ts`);
  const { TableReader } = await import(`${root}/src/tables/reader.ts`);
  return {
    root,
    async count(bytes) {
      function* slices(from: number) {
        for (let at = from; at < bytes.length; at += 65536) yield bytes.subarray(at, at + 65536);
      }
      const open = async (start: number) => Readable.from(slices(start));
      const cache = new TableCache(1 << 30);
      const object = {
        bucket: 'bench',
        key: 'mid.json',
        etag: 'e',
        size: bytes.length,
        compression: 'NONE',
        codec: jsonCodec,
        open,
        openStored: open,
      };
      const limits = { inferRows: 1000, cacheTableBytes: 64 * 1024 * 1024 };
      const reader = new TableReader(object, { format: 'JSON', header: true }, limits, cache, new AbortController().signal);
      const cold = await countRows(reader, WHERE);
      // A later question on the same ETag: a new reader, answered from the cache's columns.
      const again = new TableReader(object, { format: 'JSON', header: true }, limits, cache, new AbortController().signal);
      const later = await countRows(again, LATER);
      if (!cache.getColumns(reader.id)) throw new Error(`${root}: no columns kept`);
      return { cold, later };
    },
  };
}

async function main(): Promise<void> {
  const bytes = Buffer.from(JSON.stringify(Array.from({ length: 100_000 }, (_, i) => benchRow(i))));
  const builds = [];
  for (const root of ROOTS) builds.push(await load(root));
  const cpu = builds.map(() => [] as number[]);
  const wall = cpu.map(() => [] as number[]);
  let expected: string | null = null;
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [i, build] of builds.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await build.count(bytes);
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      const seen = JSON.stringify(result);
      expected ??= seen;
      if (seen !== expected) throw new Error(`${build.root} counted ${seen}, not ${expected}`);
      if (round === 0) continue; // the first round warms the code up, as a server's earlier questions have
      (cpu[i] as number[]).push((c1.user + c1.system) / 1000);
      (wall[i] as number[]).push(t1 - t0);
    }
  }
  console.log(`json-count: ${(bytes.length / 1048576).toFixed(1)} MiB, ${ROUNDS} interleaved rounds, counts ${expected}`);
  for (const [i, build] of builds.entries()) {
    const list = (a: number[]) => a.map((x) => x.toFixed(0)).join(', ');
    console.log(
      `  ${build.root}: CPU ${median(cpu[i] as number[]).toFixed(0)} ms (${list(cpu[i] as number[])}), wall ${median(wall[i] as number[]).toFixed(0)} ms (${list(wall[i] as number[])})`,
    );
  }
}

await main();
