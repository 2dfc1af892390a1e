// What reading the head of a Parquet column chunk promises: the leading rows decoded
// from a prefix of the chunk (a prefix of its one big data page, decompressed from its
// start) are exactly the rows hyparquet decodes from the whole chunk, for every codec
// and encoding DuckDB writes, with nulls; and for snappy, gzip and uncompressed pages
// the prefix is a small part of the chunk. The snappy prefix decoder gives a prefix of
// the block for every prefix of its input, and refuses a corrupt one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChunkReader, columnDecoder, snappyPrefix } from '../../src/codecs/parquet/chunks.js';
import { PARSERS } from '../../src/codecs/parquet/columns.js';
import { COMPRESSORS } from '../../src/codecs/parquet/compressors.js';
import { DecodeFailed } from '../../src/errors.js';

describe('snappyPrefix', () => {
  const text = Buffer.from(
    Array.from({ length: 3000 }, (_, i) => `row ${i} ${i % 7 === 0 ? 'seven' : 'other'} ${'x'.repeat(i % 13)}`).join('\n'),
  );
  const compressed = snappyCompress(text);

  it('decodes every prefix of a block to a prefix of its bytes, and the whole block to all of them', () => {
    let last = 0;
    for (let cut = 0; cut <= compressed.length; cut += cut < 200 ? 1 : 97) {
      const out = snappyPrefix(compressed.subarray(0, cut), text.length);
      expect(Buffer.from(out).equals(text.subarray(0, out.length))).toBe(true);
      expect(out.length).toBeGreaterThanOrEqual(last);
      last = out.length;
    }
    expect(Buffer.from(snappyPrefix(compressed, text.length)).equals(text)).toBe(true);
    expect(compressed.length).toBeLessThan(text.length / 2);
  });

  it('refuses a copy that reaches before the start of the block', () => {
    // Preamble (length 8), a one-byte literal "a", then a copy of 4 bytes from offset 2.
    const bad = Uint8Array.from([8, 0, 0x61, 0x01, 2]);
    expect(() => snappyPrefix(bad, 8)).toThrow(DecodeFailed);
  });
});

describe('ChunkReader.head on DuckDB files', () => {
  const files: Record<string, ArrayBuffer> = {};
  const codecs = ['snappy', 'gzip', 'zstd', 'uncompressed'];
  const ROWS = 50_000;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bucketql-chunks-'));
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    for (const codec of codecs) {
      const file = join(dir, `${codec}.parquet`);
      await duck.run(
        `COPY (SELECT i AS id,
            CASE WHEN i % 7 = 0 THEN NULL ELSE 'user_' || i END AS name,
            CASE WHEN i % 11 = 0 THEN NULL ELSE ['north', 'south', '서울'][1 + i % 3] END AS city,
            (i * 1.37) % 1000 AS amount, i % 3 = 0 AS active,
            TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS at, (i % 1000)::DECIMAL(10, 2) / 7 AS price
          FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION ${codec})`,
      );
      const bytes = readFileSync(file);
      files[codec] = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    }
    duck.closeSync();
    rmSync(dir, { recursive: true });
  }, 120_000);

  it.each(codecs)('%s: the leading rows of every chunk equal those of the whole chunk', async (codec) => {
    const buffer = files[codec] as ArrayBuffer;
    const metadata = parquetMetadata(buffer);
    const tree = parquetSchema(metadata);
    const group = metadata.row_groups[0];
    const groupRows = Number(group?.num_rows);
    let sent = 0;
    const read = async (start: number, end: number) => {
      sent += end - start;
      return Buffer.from(buffer.slice(start, end));
    };
    for (const chunk of group?.columns ?? []) {
      const meta = chunk.meta_data;
      if (!meta) throw new Error('no metadata');
      const decoder = columnDecoder(tree, meta, { parsers: PARSERS, compressors: COMPRESSORS, utf8: false });
      const whole = Array.from(await new ChunkReader(read, meta, decoder, groupRows).rest(0), (v) => v ?? null);
      expect(whole).toHaveLength(groupRows);
      for (const rows of [1, 100, 1000, 20_000]) {
        sent = 0;
        const reader = new ChunkReader(read, meta, decoder, groupRows);
        const head = await reader.head(rows);
        expect(head.length).toBeGreaterThanOrEqual(rows);
        expect(head.slice(0, rows), `${meta.path_in_schema[0]} ${rows}`).toEqual(whole.slice(0, rows));
        if (rows === 100 && codec !== 'zstd' && Number(meta.total_compressed_size) > 50_000) {
          // The dictionary page, if any, and a tenth of the rest at most.
          const dictionary = meta.dictionary_page_offset ? Number(meta.data_page_offset - meta.dictionary_page_offset) : 0;
          expect(reader.bytesRead, `${meta.path_in_schema[0]}`).toBeLessThan(dictionary + Number(meta.total_compressed_size) / 10);
        }
        // The rest after the head: the remaining rows, the head's bytes not read again.
        const rest = Array.from(await reader.rest(rows), (v) => v ?? null);
        expect(rest).toEqual(whole.slice(rows));
        expect(sent).toBe(Number(meta.total_compressed_size));
      }
    }
  });
});
