// Dictionary codes of a data page (Parquet's RLE / bit-packed hybrid) unpacked into an
// Int32Array for counts: a run of one code with `fill` (native), a bit-packed run
// through a 32-bit bit buffer in one plain loop, straight into the caller's array (the
// chunk's codes, when the page has no null) rather than a page array copied after.
// hyparquet's generic reader steps a bit window a branch at a time and stays the
// reader of codes wider than 24 bits (dictionaries of more than 16M entries).
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { DecodeFailed } from '../../errors.js';

/** Codes at most this wide are unpacked here: the bit buffer holds a code and the next byte in 32 bits. */
const MAX_WIDTH = 24;

const truncated = () => new DecodeFailed('Parquet: the dictionary codes of a page end before its rows do');

/**
 * Unpacks `out.length` codes of `width` bits from `bytes[start, end)` into `out`.
 * Returns the bitwise OR of the codes (at least the largest, so that one comparison
 * with the dictionary's size proves every code lies inside it).
 */
export function unpackCodes(bytes: Uint8Array, start: number, end: number, width: number, out: Int32Array): number {
  const count = out.length;
  if (width === 0) {
    out.fill(0);
    return 0;
  }
  if (width > MAX_WIDTH) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    readRleBitPackedHybrid({ view, offset: start }, width, out, end - start);
    let any = 0;
    for (let i = 0; i < count; i++) any |= out[i] as number;
    return any;
  }
  const mask = (1 << width) - 1;
  const valueBytes = (width + 7) >> 3;
  let pos = start;
  let at = 0;
  let any = 0;
  while (at < count) {
    // The run's header: a varint, its low bit 1 for bit-packed groups of 8 codes, 0 for a repeated code.
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end || shift > 28) throw truncated();
      const byte = bytes[pos++] as number;
      header += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    if (header % 2 === 0) {
      if (pos + valueBytes > end) throw truncated();
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value |= (bytes[pos++] as number) << (8 * i);
      const n = Math.min(header / 2, count - at);
      out.fill(value, at, at + n);
      at += n;
      any |= value;
      continue;
    }
    const runBytes = ((header - 1) / 2) * width; // groups of 8 codes take `width` bytes each
    const n = Math.min(((header - 1) / 2) * 8, count - at);
    if (pos + Math.ceil((n * width) / 8) > end) throw truncated();
    const runEnd = pos + runBytes;
    let buffer = 0;
    let bits = 0;
    for (let i = at, stop = at + n; i < stop; i++) {
      while (bits < width) {
        buffer |= (bytes[pos++] as number) << bits;
        bits += 8;
      }
      const code = buffer & mask;
      out[i] = code;
      any |= code;
      buffer >>>= width;
      bits -= width;
    }
    at += n;
    pos = runEnd;
  }
  return any;
}
