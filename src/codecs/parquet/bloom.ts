// Bloom filters of column chunks (split block Bloom filters, as parquet-mr, Arrow and
// DuckDB write them): a chunk whose filter lacks every value an EQ or IN asks for
// holds none of them, so its row group is skipped. Read with hyparquet's parser and
// hash; only for columns whose cells are their stored values (text, signed integers),
// where a cell equal to the value asked for is the same bytes the writer hashed.
import type { ColumnMetaData, SchemaElement } from 'hyparquet';
import { hashParquetValue, readBloomFilter, sbbfContains } from 'hyparquet/src/bloom.js';
import type { RangeReader } from './source.js';

/** A chunk's filter as a membership test: false when no cell of the chunk equals the value. */
export type Contains = (value: unknown) => boolean;

/** A filter read: its test and its size in bytes. */
export interface Bloom {
  contains: Contains;
  bytes: number;
}

/** Bytes read for a filter whose length the footer does not give: its header and, most times, the filter. */
const GUESS_BYTES = 8192;
/** Larger filters are not read (writers make them of at most 1 MiB by default). */
const MAX_BYTES = 16 * 1024 * 1024;

/**
 * The chunk's Bloom filter as a membership test; null when it has none, or one that is
 * malformed or of a kind not known (the row group is then read, as without one).
 * Failed reads (network, abort) fail the question, as any other read.
 */
export async function readBloom(read: RangeReader, meta: ColumnMetaData, element: SchemaElement, size: number): Promise<Bloom | null> {
  const offset = meta.bloom_filter_offset === undefined ? -1 : Number(meta.bloom_filter_offset);
  if (!(offset >= 0 && offset < size)) return null;
  const declared = meta.bloom_filter_length === undefined ? 0 : Number(meta.bloom_filter_length);
  if (declared > MAX_BYTES) return null;
  let bytes = await read(offset, Math.min(size, offset + (declared > 0 ? declared : GUESS_BYTES)));
  let filter = parse(bytes);
  if (filter === 'short' && declared === 0) {
    bytes = await read(offset, Math.min(size, offset + MAX_BYTES + 64));
    filter = parse(bytes);
  }
  if (!filter || filter === 'short') return null;
  const blocks = filter.blocks;
  return {
    bytes: blocks.byteLength,
    contains: (value) => {
      const hash = hashParquetValue(value, element);
      return hash === undefined || sbbfContains(blocks, hash);
    },
  };
}

/** The filter in `bytes`; 'short' when it runs past them; undefined when malformed or of an unknown kind. */
function parse(bytes: Buffer): { blocks: Uint32Array } | undefined | 'short' {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  try {
    return readBloomFilter(reader);
  } catch (error) {
    if (/truncated|out of range|outside the bounds/i.test(String((error as Error).message))) return 'short';
    return undefined; // malformed: it helps nothing, the chunk itself is read
  }
}
