// What unpacking a page's dictionary codes promises: the codes written (and, up to 24
// bits, those hyparquet's own reader of the RLE / bit-packed hybrid gives), for every
// width up to 32 bits and every mix of
// runs (a last bit-packed group padded past the rows, runs longer than the rows left),
// the OR of the codes (so one comparison bounds them all), and a DecodeFailed, never a
// read past the bytes, when the runs end before the rows do.
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { describe, expect, it } from 'vitest';
import { unpackCodes } from '../../src/codecs/parquet/codes.js';
import { DecodeFailed } from '../../src/errors.js';
import { seededRandom } from '../support/random.js';

const random = seededRandom;

const varint = (n: number) => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};

/** `count` codes below 2^width as runs of both kinds, and the codes they hold (a padded last group's padding left out). */
function encode(next: () => number, width: number, count: number): { bytes: Uint8Array; codes: number[]; all: number } {
  const max = 2 ** width;
  const code = () => Math.floor(next() * Math.min(max, next() < 0.5 ? 8 : max));
  const bytes: number[] = [];
  const codes: number[] = [];
  while (codes.length < count) {
    if (next() < 0.4) {
      // A repeated code, sometimes running past the rows left.
      const run = 1 + Math.floor(next() * 40);
      const value = code();
      bytes.push(...varint(run * 2));
      for (let i = 0; i < (width + 7) >> 3; i++) bytes.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
      for (let i = 0; i < run; i++) codes.push(value);
    } else {
      const groups = 1 + Math.floor(next() * 6);
      const values = Array.from({ length: groups * 8 }, code);
      bytes.push(...varint(groups * 2 + 1));
      // Least significant bit first, as Parquet packs them.
      const packed = new Uint8Array(groups * width);
      values.forEach((v, i) => {
        for (let b = 0; b < width; b++) {
          const bit = i * width + b;
          if (Math.floor(v / 2 ** b) % 2) packed[bit >> 3] = (packed[bit >> 3] as number) | (1 << (bit & 7));
        }
      });
      bytes.push(...packed);
      codes.push(...values);
    }
  }
  return { bytes: Uint8Array.from(bytes), codes: codes.slice(0, count), all: codes.length };
}

/** hyparquet's reading of the same bytes. */
function theirs(bytes: Uint8Array, width: number, count: number): Int32Array {
  const out = new Int32Array(count);
  readRleBitPackedHybrid({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, width, out, bytes.length);
  return out;
}

describe('unpackCodes', () => {
  it('gives the codes written (as hyparquet reads them, up to 24 bits) for every width and mix of runs, with their OR', () => {
    const next = random(13);
    for (let width = 1; width <= 32; width++) {
      for (let round = 0; round < 20; round++) {
        const count = 1 + Math.floor(next() * 300);
        const { bytes, codes } = encode(next, width, count);
        // Behind other bytes, as a page's codes lie after its levels.
        const page = new Uint8Array(bytes.length + 5);
        page.set(bytes, 5);
        const out = new Int32Array(count);
        const any = unpackCodes(page, 5, page.length, width, out);
        expect(Array.from(out)).toEqual(codes.map((c) => c | 0));
        // hyparquet's reader loses bits of bit-packed codes wider than 24 bits.
        if (width <= 24) expect(Array.from(out)).toEqual(Array.from(theirs(bytes, width, count)));
        expect(any).toBe(codes.reduce((a, c) => a | c, 0));
      }
    }
  });

  it('writes into the part of a larger array it is given, and nothing around it', () => {
    const { bytes, codes } = encode(random(5), 3, 100);
    const chunk = new Int32Array(120).fill(-7);
    unpackCodes(bytes, 0, bytes.length, 3, chunk.subarray(10, 110));
    expect(Array.from(chunk.subarray(10, 110))).toEqual(codes);
    expect([...chunk.subarray(0, 10), ...chunk.subarray(110)].every((c) => c === -7)).toBe(true);
  });

  it('gives zeros for width 0 (a one-entry dictionary)', () => {
    const out = new Int32Array(5).fill(3);
    expect(unpackCodes(new Uint8Array(0), 0, 0, 0, out)).toBe(0);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
  });

  it('fails with DECODE_FAILED when the runs end before the rows, without reading the bytes after them', () => {
    const next = random(7);
    for (const width of [1, 3, 8, 12, 24]) {
      // Every code the runs hold is asked for: each of their bytes is needed.
      const { bytes, all } = encode(next, width, 200);
      for (const cut of [0, 1, Math.floor(bytes.length / 2), bytes.length - 1]) {
        // The bytes after `cut` are there but not the page's: they must not be read.
        expect(() => unpackCodes(bytes, 0, cut, width, new Int32Array(all))).toThrow(DecodeFailed);
      }
    }
  });
});
