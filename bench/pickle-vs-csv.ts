// Decode time of a 100,000-row DataFrame as a pickle (bucketql's unpickler) against
// the same data as CSV (papaparse, as the CSV codec uses it), side by side. Python
// (Debian's python3-pandas) writes both files into a temporary folder; the bytes are
// in memory before any clock starts, so this measures decoding only.
//
//   npx tsx bench/pickle-vs-csv.ts [rows]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { pickleCodec } from '../src/codecs/pickle/index.js';
import { unpickle } from '../src/codecs/pickle/unpickler.js';
import type { ByteSource } from '../src/codecs/types.js';

const ROWS = Number(process.argv[2] ?? 100_000);
const RUNS = 7;

const GENERATE = `
import sys, numpy as np, pandas as pd
rows, folder = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(42)
df = pd.DataFrame({
    'id': np.arange(rows, dtype='int64'),
    'amount': rng.normal(100, 25, rows).round(2),
    'active': rng.random(rows) < 0.5,
    'created': pd.Timestamp('2024-01-01') + pd.to_timedelta(rng.integers(0, 365 * 86400, rows), unit='s'),
    'name': ['user_%d' % i for i in range(rows)],
    'country': pd.Categorical(rng.choice(['KR', 'JP', 'US', 'DE', 'FR'], rows)),
})
df.to_pickle(folder + '/frame.pkl')
df.to_csv(folder + '/frame.csv', index=False)
print(df.dtypes.to_dict())
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(label: string, run: () => unknown | Promise<unknown>): Promise<{ label: string; ms: number }> {
  return (async () => {
    await run(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await run();
      samples.push(performance.now() - start);
    }
    return { label, ms: median(samples) };
  })();
}

function source(bytes: Buffer): ByteSource {
  return { size: bytes.length, open: async () => Readable.from([bytes]) };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'bucketql-bench-'));
  try {
    const generated = spawnSync('/usr/bin/python3', ['-c', GENERATE, String(ROWS), folder], { encoding: 'utf8' });
    if (generated.status !== 0) throw new Error(`python3 with pandas is needed: ${generated.stderr}`);
    const pkl = readFileSync(join(folder, 'frame.pkl'));
    const csv = readFileSync(join(folder, 'frame.csv'));
    console.log(`${ROWS} rows, 6 columns ${generated.stdout.trim()}`);
    console.log(`pickle ${(pkl.length / 1e6).toFixed(1)} MB, CSV ${(csv.length / 1e6).toFixed(1)} MB; median of ${RUNS} runs\n`);

    const results = [
      await time('pickle: unpickle only (bytes → Python objects)', () => unpickle(pkl)),
      await time('pickle: table rows (readTable, typed cells)', async () => {
        let rows = 0;
        const read = pickleCodec.readTable;
        if (!read) throw new Error('no readTable');
        for await (const event of read(source(pkl), { header: true })) if (event.type === 'rows') rows += event.rows.length;
        if (rows !== ROWS) throw new Error(`read ${rows} rows`);
      }),
      await time('pickle: content (decodeValue, row objects)', () => pickleCodec.decodeValue?.(pkl, {})),
      await time('CSV: papaparse rows (strings, no typing)', () => {
        const parsed = Papa.parse<string[]>(csv.toString('utf8'), { header: false, skipEmptyLines: true });
        if (parsed.data.length !== ROWS + 1) throw new Error(`parsed ${parsed.data.length} rows`);
      }),
      await time('CSV: papaparse with dynamicTyping', () => {
        Papa.parse(csv.toString('utf8'), { header: true, dynamicTyping: true, skipEmptyLines: true });
      }),
    ];
    const width = Math.max(...results.map((r) => r.label.length));
    for (const { label, ms } of results) console.log(`${label.padEnd(width)}  ${ms.toFixed(1).padStart(8)} ms`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
