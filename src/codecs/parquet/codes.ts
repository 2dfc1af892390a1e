// Dictionary codes of a data page (Parquet's RLE / bit-packed hybrid) unpacked into an
// Int32Array for counts: a run of one code with `fill` (native), a bit-packed run
// through a 32-bit bit buffer in one plain loop, straight into the caller's array (the
// chunk's codes, when the page has no null) rather than a page array copied after.
// Codes wider than 24 bits (dictionaries of more than 16M entries) are read a code at a
// time from five bytes in a double. (hyparquet's generic reader, which steps a bit
// window a branch at a time, loses bits of bit-packed codes wider than 24 bits.)
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
  const mask = width >= 32 ? -1 : (1 << width) - 1;
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
    if (width > MAX_WIDTH) {
      any |= unpackWide(bytes, pos, end, width, out, at, n);
      at += n;
      pos = runEnd;
      continue;
    }
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

/** `n` bit-packed codes of 25 to 32 bits from `bytes[pos...]` into `out[at...]`: five bytes a code, as a double. */
function unpackWide(bytes: Uint8Array, pos: number, end: number, width: number, out: Int32Array, at: number, n: number): number {
  const scale = 2 ** width;
  let any = 0;
  for (let i = 0; i < n; i++) {
    const bit = i * width;
    const first = pos + (bit >> 3);
    let word = 0;
    for (let k = 4; k >= 0; k--) word = word * 256 + (first + k < end ? (bytes[first + k] as number) : 0);
    const code = (Math.floor(word / 2 ** (bit & 7)) % scale) | 0;
    out[at + i] = code;
    any |= code;
  }
  return any;
}
