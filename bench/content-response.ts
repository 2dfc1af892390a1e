// `content` of the engine bench's 100k-row CSV around the JSON writer, in one process
// (no S3, no socket): the object's bytes as they come (64 KiB chunks) read whole and
// copied into one Buffer, then the 13 MB answer copied into one Buffer for the Response
// ("one buffer", the code before), against the chunks read as they are and the answer
// streamed as its pieces ("pieces"), and the answer alone in pieces; the same writer (columnsJson) and the same yoga
// plugin path, the Response's body read to its end. Interleaved rounds, CPU time
// (process.cpuUsage) and wall time, medians; checks that the bytes are equal.
// Run it with npm start's malloc settings (large blocks are fresh pages, as in the server):
//   MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=1048576 npx tsx bench/content-response.ts
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { csvCodec } from '../src/codecs/csv.js';
import { stringifyWithSerialised } from '../src/codecs/serialised-json.js';
import { serialisedJsonPlugin } from '../src/server/serialised-json.js';
import { TableCache } from '../src/tables/cache.js';
import { columnsJson } from '../src/tables/content-json.js';
import { TableReader } from '../src/tables/reader.js';
import { median, writeBenchCsv } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

function readerOver(pieces: () => Iterable<Buffer>, size: number): TableReader {
  const open = async (start: number) => {
    function* from() {
      let at = 0;
      for (const piece of pieces()) {
        if (at + piece.length > start) yield piece.subarray(Math.max(0, start - at));
        at += piece.length;
      }
    }
    return Readable.from(from(), { objectMode: false });
  };
  return new TableReader(
    { bucket: 'bench', key: 'mid.csv', etag: 'e', size, compression: 'NONE', codec: csvCodec, open, openStored: open },
    { format: 'CSV', header: true },
    { inferRows: 1000, cacheTableBytes: 0 },
    new TableCache(1 << 26),
    new AbortController().signal,
  );
}

/** The code before: the whole object copied into one Buffer, handed on in 64 KiB slices. */
function oneBuffer(chunks: Buffer[]): TableReader {
  const bytes = Buffer.concat(chunks);
  function* slices() {
    for (let at = 0; at < bytes.length; at += 65536) yield bytes.subarray(at, at + 65536);
  }
  return readerOver(slices, bytes.length);
}

/** The response the code before made: the answer copied into one Buffer. */
function concatPlugin(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      (result as { stringify?: (value: unknown) => string | Buffer }).stringify = (value) => {
        const out = stringifyWithSerialised(value);
        return typeof out === 'string' ? out : Buffer.concat(out.chunks);
      };
    },
  };
}

function yogaOf(plugin: Plugin, reader: () => TableReader) {
  return createYoga({
    schema: createSchema({
      typeDefs: 'scalar JSON type Query { content: JSON }',
      resolvers: { Query: { content: () => columnsJson(reader()) } },
    }),
    plugins: [plugin],
    logging: false,
  });
}

async function answer(yoga: ReturnType<typeof yogaOf>): Promise<Buffer[]> {
  const response = await yoga.fetch(
    new Request('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ content }"}',
    }),
  );
  const got: Buffer[] = [];
  const body = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await body.read();
    if (done) return got;
    got.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    // As a socket takes them: the stream reads ahead while a piece is written.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-content-response-'));
  const path = join(dir, 'mid.csv');
  await writeBenchCsv(path, 100_000);
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer);
  rmSync(dir, { recursive: true });
  const size = chunks.reduce((sum, c) => sum + c.length, 0);
  const cases: [string, ReturnType<typeof yogaOf>][] = [
    ['one buffer (before)', yogaOf(concatPlugin(), () => oneBuffer(chunks))],
    ['one buffer read, answer in pieces', yogaOf(serialisedJsonPlugin(), () => oneBuffer(chunks))],
    ['pieces', yogaOf(serialisedJsonPlugin(), () => readerOver(() => chunks, size))],
  ];
  const cpu = cases.map(() => [] as number[]);
  const wall = cases.map(() => [] as number[]);
  let expected: Buffer | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [name, yoga]] of cases.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const got = await answer(yoga);
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      (cpu[i] as number[]).push((c1.user + c1.system) / 1000);
      (wall[i] as number[]).push(t1 - t0);
      const out = Buffer.concat(got);
      expected ??= out;
      if (!out.equals(expected)) throw new Error(`${name} sent other bytes`);
    }
  }
  console.log(
    `content-response: ${(size / 1048576).toFixed(1)} MiB CSV, ${ROUNDS} interleaved rounds, answer ${((expected as Buffer).length / 1048576).toFixed(1)} MiB`,
  );
  for (const [i, [name]] of cases.entries()) {
    const list = (a: number[]) => a.map((x) => x.toFixed(0)).join(', ');
    console.log(
      `  ${name}: CPU ${median(cpu[i] as number[]).toFixed(0)} ms (${list(cpu[i] as number[])}), wall ${median(wall[i] as number[]).toFixed(0)} ms`,
    );
  }
}

await main();
