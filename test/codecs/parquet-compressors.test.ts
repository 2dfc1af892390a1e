// What the Parquet codec's snappy decompressor promises: a page decodes to its bytes
// through WebAssembly (hysnappy) or, for pages larger than its limit, JavaScript; a
// block declaring another length than its page, or corrupt, is refused.
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { describe, expect, it } from 'vitest';
import { COMPRESSORS } from '../../src/codecs/parquet/compressors.js';
import { isBucketqlError } from '../../src/errors.js';

const text = (bytes: number) => {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + (i >> 7)) % 251;
  return out;
};

describe('snappy pages', () => {
  it('decode to their bytes, small and larger than the WebAssembly limit', () => {
    for (const size of [0, 1, 1000, 300_000, 9 * 1024 * 1024]) {
      const page = text(size);
      const out = COMPRESSORS.SNAPPY(snappyCompress(page), size);
      expect(Buffer.from(out).equals(page), `${size} bytes`).toBe(true);
    }
  });

  it('refuse a block that declares another length than its page, or is cut short', () => {
    const compressed = snappyCompress(text(100_000));
    for (const [input, length] of [
      [compressed, 50_000],
      [compressed, 200_000],
      [compressed.subarray(0, compressed.length / 2), 100_000],
    ] as const) {
      let error: unknown;
      try {
        COMPRESSORS.SNAPPY(input, length);
      } catch (e) {
        error = e;
      }
      expect(error, `${input.length} bytes as ${length}`).toBeDefined();
    }
  });

  it('name a page larger than the limit', () => {
    let error: unknown;
    try {
      COMPRESSORS.SNAPPY(new Uint8Array([0]), 512 * 1024 * 1024);
    } catch (e) {
      error = e;
    }
    expect(isBucketqlError(error) && error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
