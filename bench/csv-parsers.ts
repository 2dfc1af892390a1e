// The CSV parsers side by side on one in-memory file (issue 12: "papaparse stays if it
// can meet the targets; otherwise measure a faster well-kept parser side by side"):
// papaparse as csv.ts drives it (decoded text, step mode, rows of strings), uDSV
// (streamed string chunks, rows of strings, no byte offsets), and the field scanner
// (csv-fields.ts: field positions in the bytes, through readDelimited). Interleaved
// rounds (A, B, C, A, B, C, ...) in one process; medians and MiB/s.
//   npx tsx bench/csv-parsers.ts [file.csv]     (BENCH_QUICK=1: 3 rounds, else 5)
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { inferSchema, initParser } from 'udsv';
import { readDelimited } from '../src/codecs/csv.js';
import type { ByteSource } from '../src/codecs/types.js';
import { median } from './support.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const ROUNDS = QUICK ? 3 : 5;
const CHUNK = 64 * 1024;

function makeCsv(rows: number): Buffer {
  const cities = ['서울', 'Busan', 'Incheon', '대구', 'Daejeon', 'Gwangju', 'Ulsan', '"Quoted, city"'];
  const lines = ['id,name,city,amount,active,created_at,code'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `${i},user_${i},${cities[i % cities.length]},${((i * 1.37) % 1000).toFixed(2)},${i % 3 === 0},2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:${String(i % 60).padStart(2, '0')}:00,${String(i % 100000).padStart(5, '0')}`,
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
const bytes = file ? readFileSync(file) : makeCsv(QUICK ? 300_000 : 1_000_000);
const source: ByteSource = {
  size: bytes.length,
  async open(start = 0) {
    function* chunks() {
      for (let at = start; at < bytes.length; at += CHUNK) yield bytes.subarray(at, Math.min(at + CHUNK, bytes.length));
    }
    return Readable.from(chunks());
  },
};

async function papaparse(): Promise<number> {
  let rows = 0;
  for await (const event of readDelimited(source, { header: true }, null)) if (event.type === 'rows') rows += event.rows.length;
  return rows;
}

async function fieldScanner(): Promise<number> {
  let rows = 0;
  for await (const event of readDelimited(source, { header: true, fieldBatches: true }, null))
    if (event.type === 'fields') rows += event.batch.rows;
  return rows;
}

async function udsv(): Promise<number> {
  const decoder = new TextDecoder();
  let rows = 0;
  let parser: ReturnType<typeof initParser> | null = null;
  for (let at = 0; at < bytes.length; at += CHUNK) {
    const text = decoder.decode(bytes.subarray(at, Math.min(at + CHUNK, bytes.length)), { stream: true });
    parser ??= initParser(inferSchema(text));
    parser.chunk<string[]>(text, parser.stringArrs, () => {
      rows++;
    });
  }
  parser?.end();
  return rows;
}

const parsers = { papaparse, uDSV: udsv, 'field scanner': fieldScanner };
const times: Record<string, number[]> = {};
const counts: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(parsers)) {
    const started = performance.now();
    counts[name] = await run();
    times[name] ??= [];
    times[name].push(performance.now() - started);
  }
}
const mib = bytes.length / 1024 / 1024;
console.log(`csv-parsers: ${mib.toFixed(1)} MiB, ${ROUNDS} interleaved rounds`);
for (const [name, values] of Object.entries(times)) {
  const m = median(values);
  console.log(
    `  ${name.padEnd(14)} ${m.toFixed(0).padStart(6)} ms  ${(mib / (m / 1000)).toFixed(0).padStart(4)} MiB/s  rows ${counts[name]}  (all: ${values.map((v) => v.toFixed(0)).join(', ')})`,
  );
}
