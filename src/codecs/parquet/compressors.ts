// The page decompressors the Parquet codec reads with: every codec hyparquet-compressors
// knows, on Node's native zlib where it can, each refusing a page that declares more
// than PARQUET_MAX_PAGE_BYTES or decompresses to another size than it declares.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { decompress as decompressZstd } from 'fzstd';
import { snappyUncompress } from 'hyparquet';
import { compressors as bundledCompressors } from 'hyparquet-compressors';
import { snappyUncompressor } from 'hysnappy';
import { DecodeFailed, PayloadTooLarge } from '../../errors.js';
import { PARQUET_MAX_PAGE_BYTES } from './limits.js';

type Decompressor = (input: Uint8Array, outputLength: number) => Uint8Array;

/** Every codec hyparquet-compressors knows, each refusing a page that declares more than the limit. */
function guarded(decompress: Decompressor): Decompressor {
  return (input, outputLength) => {
    if (outputLength > PARQUET_MAX_PAGE_BYTES) {
      throw new PayloadTooLarge(
        `Parquet: a page declares ${outputLength} bytes once decompressed; pages of at most ${PARQUET_MAX_PAGE_BYTES} bytes are read`,
        { limit: PARQUET_MAX_PAGE_BYTES },
      );
    }
    const output = decompress(input, outputLength);
    if (output.length !== outputLength)
      throw new DecodeFailed(`Parquet: a page decompressed to ${output.length} bytes, not the ${outputLength} it declares`);
    return output;
  };
}

/** Runs a zlib decompression capped at the page's declared size. */
function bounded(decompress: () => Buffer, length: number): Uint8Array {
  try {
    return decompress();
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DecodeFailed(`Parquet: a page decompresses to more than the ${length} bytes it declares`);
    }
    throw new DecodeFailed(`Parquet: a compressed page is corrupt (${(error as Error).message})`);
  }
}

/**
 * Snappy pages of at most this size decompress in hysnappy's WebAssembly, 2 to 4 times
 * as fast as hyparquet's JavaScript decoder on the bench file's pages (measured); its
 * memory grows to the largest page it took and stays, so larger pages use the latter.
 */
const WASM_SNAPPY_MAX_BYTES = 8 * 1024 * 1024;
let wasmSnappy: ((input: Uint8Array, outputLength: number) => Uint8Array) | null = null;

/** The uncompressed length a snappy block declares (its varint preamble); -1 when unreadable. hysnappy trusts the caller's. */
function snappyLength(input: Uint8Array): number {
  let length = 0;
  for (let i = 0, shift = 1; i < 5 && i < input.length; i++, shift *= 128) {
    const byte = input[i] as number;
    length += (byte & 0x7f) * shift;
    if (byte < 0x80) return length;
  }
  return -1;
}

export const COMPRESSORS = {
  SNAPPY: guarded((input, length) => {
    if (length <= WASM_SNAPPY_MAX_BYTES && snappyLength(input) === length) {
      wasmSnappy ??= snappyUncompressor();
      return wasmSnappy(input, length);
    }
    const output = new Uint8Array(length);
    snappyUncompress(input, output);
    return output;
  }),
  // Node's zlib (native, fast), stopping at the declared size: a bomb that understates its page fails there.
  GZIP: guarded((input, length) => bounded(() => gunzipSync(input, { maxOutputLength: Math.max(1, length) }), length)),
  BROTLI: guarded((input, length) => bounded(() => brotliDecompressSync(input, { maxOutputLength: Math.max(1, length) }), length)),
  // Into a buffer of the declared size: a frame that says it holds more fails rather than allocates.
  ZSTD: guarded((input, length) => decompressZstd(input, new Uint8Array(length))),
  LZ4: guarded(bundledCompressors.LZ4 as Decompressor),
  LZ4_RAW: guarded(bundledCompressors.LZ4_RAW as Decompressor),
  LZO: () => {
    throw new DecodeFailed('Parquet: LZO-compressed pages are not supported (snappy, gzip, zstd, brotli and LZ4 are)');
  },
};
