// Hostile files. Every decoder on random and damaged bytes: it may succeed or fail, but only with
// the contract's codes for bad input (DECODE_FAILED, PAYLOAD_TOO_LARGE, BAD_USER_INPUT),
// never with another error, a crash or a hang.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCodec } from '../../src/codecs/csv.js';
import { CODECS } from '../../src/codecs/registry.js';
import type { Codec } from '../../src/codecs/types.js';
import { isBucketqlError } from '../../src/errors.js';
import { MAX_COLUMNS } from '../../src/tables/reader.js';
import { tableOf } from '../support/tables.js';

const DEMO = join(process.cwd(), 'examples', 'demo-data');
const SAMPLES: Record<string, Buffer> = {
  CSV: readFileSync(join(DEMO, 'sales-cp949.csv')).subarray(0, 3000),
  TSV: Buffer.from('a\tb\tc\n1\t"x\ty"\t2024-01-15\n3\t\t\n'),
  XLSX: readFileSync(join(DEMO, 'report.xlsx')),
  JSON: readFileSync(join(DEMO, 'people.json')),
  NDJSON: readFileSync(join(DEMO, 'events.ndjson')).subarray(0, 2000),
  PICKLE: readFileSync(join(DEMO, 'orders.pkl')),
  PARQUET: readFileSync(join(import.meta.dirname, '../fixtures/parquet/codec-snappy.parquet')),
  TEXT: Buffer.from('안녕하세요\nhello\n'),
};
const ALLOWED = new Set(['DECODE_FAILED', 'PAYLOAD_TOO_LARGE', 'BAD_USER_INPUT']);
const HANG_MS = 5000;

/** Byte edits: overwrite, insert, delete, or cut the end. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

function damage(bytes: Buffer, edits: { kind: string; at: number; byte?: number; bytes?: Uint8Array; length?: number }[]): Buffer {
  let out = Buffer.from(bytes);
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    if (e.kind === 'set') out[at] = e.byte as number;
    else if (e.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from(e.bytes as Uint8Array), out.subarray(at)]);
    else if (e.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + (e.length as number))]);
    else out = out.subarray(0, at);
  }
  return out;
}

/** Runs the codec's decoders on the bytes; resolves with what went wrong, if anything did. */
async function decode(codec: Codec, bytes: Buffer): Promise<void> {
  const source = { size: bytes.length, open: async (start = 0) => Readable.from([bytes.subarray(start)]) };
  const attempt = async (work: () => Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        work(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`hung for ${HANG_MS} ms`)), HANG_MS);
        }),
      ]);
    } catch (error) {
      if (!isBucketqlError(error) || !ALLOWED.has(error.code)) throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  if (codec.readTable) {
    const readTable = codec.readTable.bind(codec);
    await attempt(async () => {
      for await (const _ of readTable(source, { header: true })) void _;
    });
  }
  if (codec.decodeValue) {
    const decodeValue = codec.decodeValue.bind(codec);
    await attempt(async () => decodeValue(bytes, {}));
  }
}

describe('decoders on hostile bytes', () => {
  for (const codec of CODECS) {
    it(`${codec.format}: random bytes and damaged samples give a result or a contract error`, async () => {
      const sample = SAMPLES[codec.format] as Buffer;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
            fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => damage(sample, edits)),
          ),
          async (bytes) => {
            await expect(decode(codec, bytes)).resolves.toBeUndefined();
          },
        ),
        { numRuns: codec.format === 'XLSX' ? 150 : 300 },
      );
    }, 120_000);
  }

  it('refuses JSON nested deeper than the limit, whole or as a table row', async () => {
    const codec = CODECS.find((c) => c.format === 'JSON') as Codec;
    const deep = Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(() => codec.decodeValue?.(deep, {})).toThrow(/nest deeper than 1000 levels/);
    const row = Buffer.from(`[{"a": ${'['.repeat(2000)}${']'.repeat(2000)}}]`);
    const source = { size: row.length, open: async () => Readable.from([row]) };
    const read = async () => {
      for await (const _ of codec.readTable?.(source, { header: true }) ?? []) void _;
    };
    await expect(read()).rejects.toMatchObject({ code: 'DECODE_FAILED', extensions: { limit: 1000 } });
  });

  it('refuses a table with more columns than an Excel sheet holds, naming the limit', async () => {
    const header = Array.from({ length: MAX_COLUMNS + 1 }, (_, i) => `c${i}`).join(',');
    const reader = tableOf(`${header}\n${'1,'.repeat(MAX_COLUMNS)}1\n`, { codec: csvCodec });
    await expect(reader.schema()).rejects.toMatchObject({ code: 'DECODE_FAILED', extensions: { limit: MAX_COLUMNS } });
  });
});
