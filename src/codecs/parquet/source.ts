// A ByteSource as the AsyncBuffer hyparquet reads through: every slice is one ranged
// read. Sources that cannot read ranges (a gzipped object) are read whole once.
import type { AsyncBuffer } from 'hyparquet';
import { streamBytes } from '../stream-bytes.js';
import type { ByteSource } from '../types.js';

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
}

async function readAll(source: ByteSource): Promise<Buffer> {
  return streamBytes(await source.open(0));
}

/** Reads `start` to `end` (exclusive) of the source. */
export type RangeReader = (start: number, end: number) => Promise<Buffer>;

export function rangeReaderOf(source: ByteSource): { size: () => Promise<number>; read: RangeReader } {
  const read = source.read;
  if (read)
    return {
      size: async () => source.size,
      read: (start, end) => (end > start ? read.call(source, start, end) : Promise.resolve(Buffer.alloc(0))),
    };
  let whole: Promise<Buffer> | null = null;
  const all = () => {
    whole ??= readAll(source);
    return whole;
  };
  return { size: async () => (await all()).length, read: async (start, end) => (await all()).subarray(start, end) };
}

export function asyncBufferOf(size: number, read: RangeReader): AsyncBuffer {
  return { byteLength: size, slice: async (start, end = size) => toArrayBuffer(await read(start, end)) };
}
