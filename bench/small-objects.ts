// Small and middle-sized objects, request by request (issue 12): a first page of a
// 10k-row CSV, a filtered first page of one, a first page of a 100k-row CSV, a count
// of a 100k-row JSON array, each on an object no request has read before, in a warm
// server; beside them the requests that take the cost apart (yoga alone, a HEAD alone)
// and pandas on the same objects from the same store. With several builds
// (BENCH_ROOTS=dirA,dirB: folders holding a built dist/ and a package.json), the
// builds run interleaved, one fresh process each per round, so their figures compare.
//   npx tsx bench/small-objects.ts          (BENCH_QUICK=1: 2 rounds of 3)
//   BENCH_CPU_PROF=dir: each server writes a CPU profile there (--cpu-prof).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gql, readyLine, stopChild } from '../test/support/bucketql-child.js';
import {
  benchDataDir,
  benchRow,
  buildOnce,
  cpuMs,
  median,
  SERVER_NODE_FLAGS,
  timed,
  uploadFile,
  whereSeoul,
  writeBenchCsv,
} from './support.js';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 2 : 5;
/** Fresh objects of each kind a process reads. */
const PER_PROCESS = 3;
const ROOTS = (process.env.BENCH_ROOTS ?? '.').split(',').map((r) => resolve(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  url: string;
  /** CPU time (user + system) of bucketql and of its embedded store so far, in ms. */
  cpu(): { server: number; store: number };
  stop(): Promise<void>;
}

function childOf(pid: number): number | undefined {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return children.length > 0 ? Number(children[0]) : undefined;
}

async function start(root: string, dataDir: string): Promise<Server> {
  const prof = process.env.BENCH_CPU_PROF;
  const flags = [...SERVER_NODE_FLAGS, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])];
  // Port 0: the server picks a free one, and its ready line says which.
  const child: ChildProcess = spawn(process.execPath, [...flags, join(root, 'dist/src/cli.js')], {
    cwd: root,
    env: { ...process.env, BUCKETQL_DATA_DIR: dataDir, BUCKETQL_PORT: '0', BUCKETQL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await readyLine(child);
  const pid = child.pid as number;
  const store = childOf(pid);
  return {
    url,
    cpu: () => ({ server: cpuMs(pid), store: cpuMs(store) }),
    // SIGINT lets a --cpu-prof process write its profile.
    stop: () => stopChild(child, prof ? 'SIGINT' : 'SIGTERM'),
  };
}

const WHERE = whereSeoul(0.5);
const Q = {
  yoga: '{ __typename }',
  head: (k: string) => `{ object(bucket: "bench", key: "${k}") { size etag } }`,
  firstPage: (k: string) =>
    `{ object(bucket: "bench", key: "${k}") { table { rows(first: 100) { edges { node { index values } } pageInfo { endCursor } } } } }`,
  filterPage: (k: string) =>
    `{ object(bucket: "bench", key: "${k}") { table { rows(first: 100, where: ${WHERE}) { totalCount edges { node { values } } } } } }`,
  count: (k: string) => `{ object(bucket: "bench", key: "${k}") { table { rows(first: 1, where: ${WHERE}) { totalCount } } } }`,
  url: (k: string) => `{ object(bucket: "bench", key: "${k}") { downloadUrl } }`,
};

class Pandas {
  private readonly child = spawn('/usr/bin/python3', ['bench/pandas-worker.py'], { stdio: ['pipe', 'pipe', 'inherit'] });
  private readonly lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  async run(command: Record<string, unknown>): Promise<number> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const line = await this.lines.next();
    return (JSON.parse(line.value as string) as { ms: number }).ms;
  }
  stop(): void {
    this.child.stdin.end();
  }
}

type Samples = Record<string, number[]>;
function add(samples: Samples, name: string, value: number): void {
  samples[name] ??= [];
  samples[name].push(value);
}

async function main(): Promise<void> {
  if (ROOTS.length === 1 && ROOTS[0] === resolve('.')) buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-bench-small-'));
  const small = join(dir, 'small.csv');
  const mid = join(dir, 'mid.csv');
  const json = join(dir, 'mid.json');
  await writeBenchCsv(small, 10_000);
  await writeBenchCsv(mid, 100_000);
  writeFileSync(json, JSON.stringify(Array.from({ length: 100_000 }, (_, i) => benchRow(i))));
  const dataDir = benchDataDir();
  const objects = ROUNDS * ROOTS.length * PER_PROCESS;
  const loader = await start(ROOTS[0] as string, dataDir);
  try {
    await gql(loader.url, 'mutation { createBucket(name: "bench") { name } }');
    await uploadFile(loader, 'small.csv', small);
    await uploadFile(loader, 'mid.csv', mid);
    await uploadFile(loader, 'mid.json', json);
    const copy = (from: string, to: string) =>
      gql(loader.url, `mutation { copyObject(from: { bucket: "bench", key: "${from}" }, to: { bucket: "bench", key: "${to}" }) { size } }`);
    for (let i = 0; i < objects; i++) {
      await copy('small.csv', `small-${i}.csv`);
      await copy('small.csv', `small-filter-${i}.csv`);
      await copy('mid.csv', `mid-${i}.csv`);
      await copy('mid.json', `mid-${i}.json`);
    }
  } finally {
    await loader.stop();
  }

  const results = ROOTS.map(() => ({}) as Samples);
  const cpuResults = ROOTS.map(() => ({}) as Samples);
  const pandas = new Pandas();
  const pd: Samples = {};
  let next = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [r, root] of ROOTS.entries()) {
        const bq = results[r] as Samples;
        const cpu = cpuResults[r] as Samples;
        const server = await start(root, dataDir);
        const q = (query: string) => gql(server.url, query);
        try {
          await sleep(300);
          // Warm: code compiled, the store's connection open (as in engine.ts, after the 1M questions).
          for (let i = 0; i < 5; i++) {
            await q(Q.firstPage('small.csv'));
            await q(Q.filterPage('small.csv'));
            await q(Q.count('mid.json'));
          }
          await sleep(1500);
          // Each case: its time, and the CPU both processes spent on it (its background work included).
          const measure = async (name: string, query: string, settle: number) => {
            const before = server.cpu();
            add(bq, name, (await timed(() => q(query))).ms);
            await sleep(settle);
            const after = server.cpu();
            add(cpu, `${name}: bucketql CPU`, after.server - before.server);
            add(cpu, `${name}: store CPU`, after.store - before.store);
          };
          for (let i = 0; i < PER_PROCESS; i++) {
            const n = next++;
            for (let j = 0; j < 5; j++) add(bq, 'yoga alone ({ __typename })', (await timed(() => q(Q.yoga))).ms);
            await measure('HEAD alone (object { size etag })', Q.head(`small-${n}.csv`), 100);
            await measure('first page 10k', Q.firstPage(`small-${n}.csv`), 1500);
            await measure('first page 10k, again (cached)', Q.firstPage(`small-${n}.csv`), 100);
            await measure('filter 10k', Q.filterPage(`small-filter-${n}.csv`), 100);
            await measure('first page 100k', Q.firstPage(`mid-${n}.csv`), 1500);
            await measure('count JSON 100k', Q.count(`mid-${n}.json`), 500);
          }
          if (round === 0 && r === 0) {
            const url = async (k: string) => (await q(Q.url(k))).object.downloadUrl as string;
            for (let i = 0; i < 3; i++) {
              add(pd, 'read_csv 10k', await pandas.run({ op: 'read_csv', url: await url('small.csv') }));
              add(pd, 'filter 10k', await pandas.run({ op: 'count_csv', url: await url('small.csv'), city: '서울', min: 0.5 }));
              add(pd, 'read_csv 100k', await pandas.run({ op: 'read_csv', url: await url('mid.csv') }));
              add(pd, 'count JSON 100k', await pandas.run({ op: 'count_json', url: await url('mid.json'), city: '서울', min: 0.5 }));
            }
          }
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    pandas.stop();
  }
  const line = (who: string, name: string, values: number[]) =>
    console.log(
      `  ${who.padEnd(8)} ${name.padEnd(36)} ${median(values).toFixed(1).padStart(7)}   (all: ${values.map((v) => v.toFixed(0)).join(', ')})`,
    );
  console.log(`\nmedians in ms; ${ROUNDS} rounds, ${PER_PROCESS} fresh objects a process`);
  for (const name of Object.keys(results[0] as Samples))
    for (const r of ROOTS.keys()) line(ROOTS.length > 1 ? `#${r}` : 'bucketql', name, (results[r] as Samples)[name] ?? []);
  for (const [name, values] of Object.entries(pd)) line('pandas', name, values);
  // CPU is counted in 10 ms ticks: the mean over the objects says more than a median.
  console.log('CPU per request, mean in ms (counted in ticks of 10 ms)');
  for (const name of Object.keys(cpuResults[0] as Samples))
    for (const [r] of ROOTS.entries()) {
      const values = (cpuResults[r] as Samples)[name] ?? [];
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      console.log(`  ${(ROOTS.length > 1 ? `#${r}` : 'bucketql').padEnd(8)} ${name.padEnd(48)} ${mean.toFixed(1).padStart(7)}`);
    }
  if (ROOTS.length > 1) for (const [r, root] of ROOTS.entries()) console.log(`  #${r} = ${root}`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
