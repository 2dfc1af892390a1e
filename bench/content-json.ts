// `content` of the engine bench's 100k-row CSV in one process, without S3 or HTTP: the
// row-object path (rowsJson: papaparse rows, `rowValues`, JSON.stringify 64 rows at a
// time) against the column path (columnsJson: field batches typed into columns, JSON
// written from their arrays) and a cached table written whole (tableJson), interleaved;
// CPU time (process.cpuUsage) and wall time, medians. Checks that the bytes are equal.
//   npx tsx bench/content-json.ts            (BENCH_ROUNDS=n, 7 by default)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { csvCodec } from '../src/codecs/csv.js';
import type { SerialisedJson } from '../src/codecs/serialised-json.js';
import { TableCache } from '../src/tables/cache.js';
import { columnsJson, rowsJson, tableJson } from '../src/tables/content-json.js';
import { countRows } from '../src/tables/query.js';
import { TableReader } from '../src/tables/reader.js';
import { median, writeBenchCsv } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function readerOf(bytes: Buffer, cache: TableCache, cacheTableBytes = 0): TableReader {
  // As the objects service reads content: the bytes in 64 KiB slices, nothing kept.
  function* slices(from: number) {
    for (let at = from; at < bytes.length; at += 65536) yield bytes.subarray(at, at + 65536);
  }
  const open = async (start: number) => Readable.from(slices(start));
  return new TableReader(
    { bucket: 'bench', key: 'mid.csv', etag: 'e', size: bytes.length, compression: 'NONE', codec: csvCodec, open, openStored: open },
    { format: 'CSV', header: true },
    { inferRows: 1000, cacheTableBytes },
    cache,
    new AbortController().signal,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-content-json-'));
  const path = join(dir, 'mid.csv');
  await writeBenchCsv(path, 100_000);
  const bytes = readFileSync(path);
  rmSync(dir, { recursive: true });
  const cache = new TableCache(1 << 30);
  const table = readerOf(bytes, cache, 1 << 30);
  await countRows(table, null);
  const kept = cache.getColumns(table.id);
  const schema = await table.schema();
  if (!kept) throw new Error('no table kept');
  const cases: [string, () => Promise<SerialisedJson>][] = [
    ['rows (before)', () => rowsJson(readerOf(bytes, new TableCache(1 << 26)))],
    ['columns', () => columnsJson(readerOf(bytes, new TableCache(1 << 26)))],
    ['cached table', () => tableJson(schema.columns, kept)],
  ];
  const cpu = cases.map(() => [] as number[]);
  const wall = cases.map(() => [] as number[]);
  let expected: Buffer | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [name, run]] of cases.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = Buffer.concat((await run()).chunks);
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      (cpu[i] as number[]).push((c1.user + c1.system) / 1000);
      (wall[i] as number[]).push(t1 - t0);
      expected ??= out;
      if (!out.equals(expected)) throw new Error(`${name} wrote other bytes`);
    }
  }
  console.log(
    `content-json: ${(bytes.length / 1048576).toFixed(1)} MiB CSV, ${ROUNDS} interleaved rounds, JSON ${((expected as Buffer).length / 1048576).toFixed(1)} MiB`,
  );
  for (const [i, [name]] of cases.entries()) {
    const list = (a: number[]) => a.map((x) => x.toFixed(0)).join(', ');
    console.log(
      `  ${name}: CPU ${median(cpu[i] as number[]).toFixed(0)} ms (${list(cpu[i] as number[])}), wall ${median(wall[i] as number[]).toFixed(0)} ms`,
    );
  }
}

await main();
