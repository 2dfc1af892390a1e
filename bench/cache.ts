// The table cache on the 1M-row, 72 MB CSV of bench/engine.ts (issue 12):
// 1. the disk tier's format: Arrow IPC write and read time and file size of the
//    table's columns (in this process, through DiskTables as the server uses it);
// 2. "the explorer sorts and filters a 1M-row table in under a second after the first
//    scan": after one full scan, the explorer's own requests (operations.graphql's
//    TablePage and TableCount, sent together as the table view sends them) for a column
//    sort and for a "Filter" box value (explorer/src/table/filters.ts' quickFilter);
// 3. a restart with BUCKETQL_CACHE_DIR: the first question answered from disk, against
//    the cold first scan from S3;
// 4. a table larger than BUCKETQL_CACHE_BYTES (32 MiB here; the table takes 79 MiB):
//    questions after the first scan, from the set spilled to BUCKETQL_CACHE_DIR against
//    from S3 (no disk tier), in fresh server processes, interleaved; time and the
//    process's peak RSS growth during the question.
//   npx tsx bench/cache.ts          (BENCH_QUICK=1: one repetition instead of three)
//   npx tsx bench/cache.ts --spill  (part 4 only)
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { quickFilter, type TableColumn } from '../explorer/src/table/filters.js';
import { csvCodec } from '../src/codecs/csv.js';
import { TableCache } from '../src/tables/cache.js';
import { DiskTables } from '../src/tables/disk-cache.js';
import { countRows } from '../src/tables/query.js';
import { TableReader } from '../src/tables/reader.js';
import { benchDataDir, buildOnce, median, startServer, timed, uploadFile, writeBenchCsv } from './support.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const REPS = QUICK ? 1 : 3;
const ROWS = 1_000_000;

const operations = readFileSync(new URL('../explorer/src/operations.graphql', import.meta.url), 'utf8');
/** One operation of the explorer's operations.graphql, as its text (from `query Name` to the next operation). */
function operation(name: string): string {
  const start = operations.indexOf(`query ${name}(`);
  if (start < 0) throw new Error(`no ${name} in operations.graphql`);
  const next = operations.slice(start + 1).search(/\n(#.*\n)*(query|mutation) /);
  return operations.slice(start, next < 0 ? undefined : start + 1 + next);
}
const TABLE_PAGE = operation('TablePage');
const TABLE_COUNT = operation('TableCount');

const ms = (value: number) => `${Math.round(value)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function diskFormat(csvPath: string): Promise<void> {
  const bytes = readFileSync(csvPath);
  // 64 KiB chunks, as a network delivers them (one 62 MiB chunk makes the parser crawl).
  const chunks = (start: number) =>
    Readable.from(
      (function* () {
        for (let at = start; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
      })(),
    );
  const cache = new TableCache(1024 * 2 ** 20);
  const object = {
    bucket: 'bench',
    key: 'big.csv',
    etag: 'v1',
    size: bytes.length,
    compression: 'NONE' as const,
    codec: csvCodec,
    open: async (start: number) => chunks(start),
    openStored: async (start: number) => chunks(start),
  };
  const reader = new TableReader(
    object,
    { format: 'CSV', header: true },
    { inferRows: 1000, cacheTableBytes: 0 },
    cache,
    new AbortController().signal,
  );
  const scan = await timed(() => countRows(reader, null));
  const table = cache.getColumns(reader.id);
  if (!table) throw new Error('the table was not kept');
  const writes: number[] = [];
  const reads: number[] = [];
  let fileBytes = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const dir = mkdtempSync(join(tmpdir(), 'bucketql-bench-cache-'));
    try {
      const disk = new DiskTables(dir, 16 * 2 ** 30);
      const schema = await reader.schema();
      writes.push((await timed(() => disk.save(reader.id, schema, table))).ms);
      const [file] = readdirSync(dir);
      fileBytes = statSync(join(dir, file as string)).size;
      const read = await timed(() => new DiskTables(dir, 16 * 2 ** 30).load(reader.id));
      if (read.value?.table.rowCount !== ROWS) throw new Error('the file did not read back');
      reads.push(read.ms);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`disk tier format (Apache Arrow IPC), 1M-row table, median of ${REPS}:`);
  console.log(`  CSV ${mib(bytes.length)}; columns in memory ${mib(table.bytes)} (first scan in-process ${ms(scan.ms)})`);
  console.log(`  file ${mib(fileBytes)}; write ${ms(median(writes))}; read ${ms(median(reads))}`);
}

/** Part 4: a table larger than memory, its later questions from the spilled set against from S3. */
async function spilled(csvPath: string): Promise<void> {
  const dataDir = benchDataDir();
  const cacheDir = mkdtempSync(join(tmpdir(), 'bucketql-bench-spill-dir-'));
  const memory = { BUCKETQL_CACHE_BYTES: '32MiB' };
  const configs = { s3: memory, spilled: { ...memory, BUCKETQL_CACHE_DIR: cacheDir } };
  const vars = { bucket: 'bench', key: 'big.csv' };
  const questions = {
    count: { query: TABLE_COUNT, variables: { ...vars, where: { column: 'city', op: 'EQ', value: '서울' } } },
    sorted: { query: TABLE_PAGE, variables: { ...vars, first: 100, orderBy: [{ column: 'amount', direction: 'DESC' }] } },
  };
  const reps = Math.max(REPS, 3);
  try {
    let server = await startServer(configs.spilled, dataDir);
    let first = 0;
    try {
      await server.gql('mutation { createBucket(name: "bench") { name } }');
      await uploadFile(server, 'big.csv', csvPath);
      first = (await timed(() => server.gql(TABLE_COUNT, vars))).ms; // the first scan, spilling
      while (!readdirSync(cacheDir).some((f) => f.endsWith('.spill'))) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await server.stop();
    }
    const files = readdirSync(cacheDir);
    const setBytes = files.reduce((sum, f) => sum + statSync(join(cacheDir, f)).size, 0);
    const results: Record<string, { ms: number[]; growth: number[] }> = {};
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, { query, variables }] of Object.entries(questions)) {
        for (const [config, env] of Object.entries(configs)) {
          server = await startServer(env, dataDir);
          try {
            await server.gql('{ serverInfo { readOnly } }');
            const before = server.memory().rss;
            const { ms: took, value } = await timed(() => server.gql(query, variables));
            if ((value as { errors?: unknown }).errors) throw new Error(JSON.stringify(value));
            const key = `${name} ${config}`;
            const entry = results[key] ?? { ms: [], growth: [] };
            results[key] = entry;
            entry.ms.push(took);
            entry.growth.push(server.memory().peak - before);
          } finally {
            await server.stop();
          }
        }
      }
    }
    console.log('a table larger than memory (1M rows, BUCKETQL_CACHE_BYTES=32MiB), fresh processes, interleaved:');
    console.log(`  first scan with BUCKETQL_CACHE_DIR (spills): ${ms(first)}; set ${files.length} files, ${mib(setBytes)}`);
    for (const [key, { ms: times, growth }] of Object.entries(results)) {
      console.log(`  ${key}: ${times.map(ms).join(', ')} (median ${ms(median(times))}); peak RSS growth median ${median(growth)} MiB`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

interface Columns {
  object: { table: { columns: TableColumn[] } };
}

async function main(): Promise<void> {
  buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-bench-cache-csv-'));
  const csvPath = join(dir, 'big.csv');
  await writeBenchCsv(csvPath, ROWS);
  if (process.argv.includes('--spill')) {
    try {
      await spilled(csvPath);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  await diskFormat(csvPath);

  const dataDir = benchDataDir();
  const cacheDir = mkdtempSync(join(tmpdir(), 'bucketql-bench-cache-dir-'));
  const env = { BUCKETQL_CACHE_DIR: cacheDir, BUCKETQL_CACHE_BYTES: '1GiB' };
  const vars = { bucket: 'bench', key: 'big.csv' };
  /** What the table view sends for a view: a page of 100 rows and the count, together. */
  const view = (server: Awaited<ReturnType<typeof startServer>>, where: unknown, orderBy: unknown[]) =>
    timed(() =>
      Promise.all([
        server.gql(TABLE_PAGE, { ...vars, first: 100, ...(where ? { where } : {}), orderBy }),
        server.gql(TABLE_COUNT, { ...vars, ...(where ? { where } : {}) }),
      ]),
    );
  try {
    let server = await startServer(env, dataDir);
    const sorts: number[] = [];
    const filters: number[] = [];
    let cold = 0;
    try {
      await server.gql('mutation { createBucket(name: "bench") { name } }');
      await uploadFile(server, 'big.csv', csvPath);
      cold = (await timed(() => server.gql(TABLE_COUNT, vars))).ms; // the first scan
      const { object } = (await server.gql(TABLE_PAGE, { ...vars, first: 1 })) as Columns;
      const columns = object.table.columns;
      const sortable = ['amount', 'name', 'created_at', 'city', 'id'];
      const typed = ['서울', 'user_4242', '2024-01-07', 'Busan', '7777'];
      for (let rep = 0; rep < Math.max(REPS, 3); rep++) {
        // Each repetition asks something new: no answer is cached whole.
        sorts.push((await view(server, null, [{ column: sortable[rep % sortable.length], direction: rep % 2 ? 'ASC' : 'DESC' }])).ms);
        filters.push((await view(server, quickFilter(typed[rep % typed.length] as string, columns), [])).ms);
      }
      while (!readdirSync(cacheDir).some((f) => f.endsWith('.arrow'))) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await server.stop();
    }
    console.log('explorer on the 1M-row CSV after the first scan (TablePage of 100 + TableCount, together):');
    console.log(`  first scan (TableCount, cold from S3) ${ms(cold)}`);
    console.log(`  column sort ${sorts.map(ms).join(', ')} (median ${ms(median(sorts))})`);
    console.log(`  Filter box ${filters.map(ms).join(', ')} (median ${ms(median(filters))})`);

    const restarts: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      server = await startServer(env, dataDir);
      try {
        restarts.push((await view(server, null, [{ column: 'amount', direction: 'DESC' }])).ms);
      } finally {
        await server.stop();
      }
    }
    console.log(
      `after a restart with BUCKETQL_CACHE_DIR: first view (sorted) ${ms(median(restarts))}, against the cold first scan ${ms(cold)} (ratio ${(median(restarts) / cold).toFixed(2)})`,
    );
    await spilled(csvPath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();
