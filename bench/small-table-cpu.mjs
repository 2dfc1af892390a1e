// Probe (not in npm run bench): a small table read in process, no S3 or HTTP: the CPU time
// (process.cpuUsage) until a first page of 100 rows resolves, until its background read
// has ended, and for a filtered count with its first page on a fresh reader, for one or
// more builds (folders holding a built dist/), interleaved; medians. The CSV comes a
// 64 KiB chunk a turn of the event loop, as from a socket.
//   node bench/small-table-cpu.mjs <csv> dirA [dirB ...]      ROUNDS=40
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

const [csvPath, ...roots] = process.argv.slice(2);
const builds = await Promise.all(
  roots.map(async (root) => ({
    root,
    csv: (await import(`${root}/dist/src/codecs/csv.js`)).csvCodec,
    TableCache: (await import(`${root}/dist/src/tables/cache.js`)).TableCache,
    TableReader: (await import(`${root}/dist/src/tables/reader.js`)).TableReader,
    q: await import(`${root}/dist/src/tables/query.js`),
  })),
);
const data = readFileSync(csvPath);
const WHERE = {
  and: [
    { column: 'city', op: 'EQ', value: '서울' },
    { column: 'amount', op: 'GTE', value: 0.5 },
  ],
};
let n = 0;
function reader(b) {
  const open = async (start = 0) => {
    async function* chunks() {
      for (let at = start; at < data.length; at += 65536) {
        await new Promise((r) => setImmediate(r)); // a chunk a turn, as from a socket
        yield data.subarray(at, Math.min(at + 65536, data.length));
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  };
  return new b.TableReader(
    { bucket: 'b', key: 'small.csv', etag: `e${n++}`, size: data.length, compression: 'NONE', codec: b.csv, open, openStored: open },
    { format: 'CSV', header: true },
    { inferRows: 1000, cacheTableBytes: 64 * 1024 * 1024 },
    new b.TableCache(256 * 1024 * 1024),
    new AbortController().signal,
  );
}
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const R = {};
const add = (k, v) => {
  R[k] ??= [];
  R[k].push(v);
};
const ROUNDS = Number(process.env.ROUNDS ?? 40);
for (let round = 0; round < ROUNDS + 5; round++) {
  for (const b of builds) {
    const r = reader(b);
    let c = cpu();
    let t = performance.now();
    await b.q.readPage(r, { first: 100 });
    const pageCpu = cpu() - c,
      pageWall = performance.now() - t;
    await b.q.countRows(r, null); // the rest of the read
    const allCpu = cpu() - c;
    await new Promise((res) => setTimeout(res, 20));
    const f = reader(b);
    c = cpu();
    t = performance.now();
    await Promise.all([b.q.countRows(f, WHERE), b.q.readPage(f, { first: 100, where: WHERE })]);
    const filterCpu = cpu() - c,
      filterWall = performance.now() - t;
    if (round >= 5) {
      add(`${b.root} first page CPU`, pageCpu);
      add(`${b.root} first page wall`, pageWall);
      add(`${b.root} whole read CPU`, allCpu);
      add(`${b.root} filter CPU`, filterCpu);
      add(`${b.root} filter wall`, filterWall);
    }
    await new Promise((res) => setTimeout(res, 20));
  }
}
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const [k, v] of Object.entries(R).sort()) console.log(k.padEnd(60), med(v).toFixed(2));
