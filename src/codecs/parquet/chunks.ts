// One flat column chunk of a row group, read through ranged reads: its head (the
// dictionary page and as much of the first data page as some leading rows take) and
// then, only when more rows are wanted, the rest. Writers such as DuckDB put a row
// group's whole column in one data page, so a first page of rows decompresses only a
// prefix of that page: snappy, gzip and uncompressed pages can be decompressed from
// their start, and Parquet's PLAIN and dictionary encodings read values in order.
// Pages are decoded with hyparquet's own readers; only the prefix decoding is ours.
import { gunzipSync, constants as zlib } from 'node:zlib';
import type { ColumnMetaData, DecodedArray, PageHeader, SchemaTree } from 'hyparquet';
import { flatten } from 'hyparquet';
import { parquetHeader, readColumn, readPage } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getTreePath } from 'hyparquet/src/schema.js';
import { DecodeFailed, PayloadTooLarge } from '../../errors.js';
import type { BlockCells } from '../types.js';
import { decodeBlockColumn } from './blocks.js';
import type { ParquetColumn } from './columns.js';
import { PARQUET_MAX_PAGE_BYTES } from './limits.js';
import type { RangeReader } from './source.js';

export type ColumnDecoder = Parameters<typeof readColumn>[2];

/** Bytes read beyond a guess of what the leading rows take, so that one read most often suffices. */
const HEAD_SLACK = 4096;

/** The decoder hyparquet's page readers take for one column chunk. */
export function columnDecoder(
  tree: SchemaTree,
  meta: ColumnMetaData,
  options: { parsers: Partial<ColumnDecoder['parsers']>; compressors?: ColumnDecoder['compressors']; utf8?: boolean },
): ColumnDecoder {
  const schemaPath = getTreePath(tree, meta.path_in_schema);
  return {
    pathInSchema: meta.path_in_schema,
    element: (schemaPath[schemaPath.length - 1] as SchemaTree).element,
    schemaPath,
    type: meta.type,
    codec: meta.codec,
    compressors: options.compressors,
    utf8: options.utf8,
    parsers: { ...DEFAULT_PARSERS, ...options.parsers },
  };
}

/** Whether a chunk's values are one a row (no repetition): the head of such a chunk can be read alone. */
export function isFlatChunk(decoder: ColumnDecoder): boolean {
  return getMaxRepetitionLevel(decoder.schemaPath) === 0;
}

/** Snappy: the bytes the complete elements of a prefix of a compressed block give (a block is read from its start). */
export function snappyPrefix(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength);
  let pos = 0;
  // The preamble: the uncompressed length as a varint.
  while (pos < input.length && (input[pos++] as number) >= 0x80);
  let out = 0;
  const corrupt = () => new DecodeFailed('Parquet: a snappy-compressed page is corrupt');
  while (pos < input.length && out < outputLength) {
    const tag = input[pos] as number;
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >>> 2;
      let at = pos + 1;
      if (length >= 60) {
        const extra = length - 59;
        if (at + extra > input.length) break;
        length = 0;
        for (let i = 0; i < extra; i++) length |= (input[at + i] as number) << (8 * i);
        length >>>= 0;
        at += extra;
      }
      length += 1;
      const available = Math.min(length, input.length - at, outputLength - out);
      output.set(input.subarray(at, at + available), out);
      out += available;
      if (available < length) break; // the literal goes on past the bytes read
      pos = at + length;
      continue;
    }
    const extra = kind === 1 ? 1 : kind === 2 ? 2 : 4;
    if (pos + 1 + extra > input.length) break;
    let length: number;
    let offset: number;
    if (kind === 1) {
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (input[pos + 1] as number);
    } else {
      length = (tag >>> 2) + 1;
      offset = 0;
      for (let i = 0; i < extra; i++) offset |= (input[pos + 1 + i] as number) << (8 * i);
      offset >>>= 0;
    }
    if (offset === 0 || offset > out || out + length > outputLength) throw corrupt();
    for (let i = 0; i < length; i++, out++) output[out] = output[out - offset] as number;
    pos += 1 + extra;
  }
  // An exact copy: a value read past the prefix must fail, not read zeros.
  return output.slice(0, out);
}

/** The decompressed start of a page of which only `input` (its start) was read; null for codecs that cannot. */
function decompressPrefix(input: Uint8Array, header: PageHeader, codec: ColumnMetaData['codec']): Uint8Array | null {
  const length = Number(header.uncompressed_page_size);
  if (length > PARQUET_MAX_PAGE_BYTES) {
    throw new PayloadTooLarge(
      `Parquet: a page declares ${length} bytes once decompressed; pages of at most ${PARQUET_MAX_PAGE_BYTES} bytes are read`,
      { limit: PARQUET_MAX_PAGE_BYTES },
    );
  }
  const zlibPrefix = (inflate: typeof gunzipSync) => {
    try {
      return new Uint8Array(inflate(input, { finishFlush: zlib.Z_SYNC_FLUSH, maxOutputLength: Math.max(1, length) }));
    } catch {
      return null; // read more, or the whole page, whose errors name themselves
    }
  };
  switch (codec) {
    case 'UNCOMPRESSED':
      return input.slice(0, length);
    case 'SNAPPY':
      return snappyPrefix(input, length);
    case 'GZIP':
      return zlibPrefix(gunzipSync);
    default:
      return null;
  }
}

/** Thrown inside a prefix decode when the values asked for lie past the bytes read. */
const SHORT = Symbol('short');

/**
 * The first `rows` values of a DATA_PAGE (v1) of a flat column from the decompressed
 * start of the page, nulls in place; SHORT when they lie past it. Mirrors hyparquet's
 * readDataPage for the encodings that read values in order.
 */
function pagePrefix(
  page: Uint8Array,
  header: PageHeader,
  decoder: ColumnDecoder,
  dictionary: DecodedArray | undefined,
  rows: number,
): unknown[] | typeof SHORT {
  const daph = header.data_page_header;
  if (!daph) return SHORT;
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const reader = { view, offset: 0 };
  const count = Math.min(rows, daph.num_values);
  try {
    const maxDefinition = getMaxDefinitionLevel(decoder.schemaPath);
    let levels: number[] | null = null;
    let present = count;
    if (maxDefinition > 0) {
      levels = new Array<number>(daph.num_values);
      readRleBitPackedHybrid(reader, 32 - Math.clz32(maxDefinition), levels);
      present = 0;
      for (let i = 0; i < count; i++) if (levels[i] === maxDefinition) present++;
    }
    let values: DecodedArray;
    const encoding = daph.encoding;
    if (encoding === 'PLAIN') {
      values = readPlain(reader, decoder.type, present, decoder.element.type_length);
    } else if ((encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') && decoder.type !== 'BOOLEAN') {
      const width = view.getUint8(reader.offset++);
      const indices = new Array<number>(present);
      if (width) readRleBitPackedHybrid(reader, width, indices, view.byteLength - reader.offset);
      else indices.fill(0);
      values = indices.length > present ? indices.slice(0, present) : indices;
    } else if (encoding === 'RLE' && decoder.type === 'BOOLEAN') {
      const bits = new Array<number>(present);
      readRleBitPackedHybrid(reader, 1, bits);
      values = bits.slice(0, present).map((b) => !!b) as unknown as DecodedArray;
    } else {
      return SHORT; // delta encodings and others: the whole page is read
    }
    if (values.length < present) return SHORT;
    const converted = convertWithDictionary(values, dictionary, encoding, decoder);
    const out = new Array<unknown>(count);
    let k = 0;
    for (let i = 0; i < count; i++) out[i] = levels && levels[i] !== maxDefinition ? null : converted[k++];
    return out;
  } catch (error) {
    if (error instanceof RangeError || (error instanceof Error && /out of range/.test(error.message))) return SHORT;
    throw error;
  }
}

/** A column chunk read from its start as far as its rows are wanted. */
export class ChunkReader {
  private bytes: Uint8Array = new Uint8Array(0);
  private readonly start: number;
  private readonly size: number;

  constructor(
    private readonly read: RangeReader,
    private readonly meta: ColumnMetaData,
    private readonly decoder: ColumnDecoder,
    private readonly groupRows: number,
  ) {
    this.start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    this.size = Number(meta.total_compressed_size);
  }

  /** Bytes of the chunk read so far. */
  get bytesRead(): number {
    return this.bytes.length;
  }

  private reading: Promise<void> = Promise.resolve();
  private owned = true;

  /**
   * The bytes read, in a buffer of their own: hyparquet's page readers take a page's
   * declared size from the underlying buffer, which in a view could read past the chunk.
   * Counts decode views as they are (decodeBlockColumn checks each page's size).
   */
  private own(): Uint8Array {
    if (!this.owned) {
      this.bytes = new Uint8Array(this.bytes);
      this.owned = true;
    }
    return this.bytes;
  }

  /** Reads on to byte `to` of the chunk (one ranged read), after any read in flight. */
  private extend(to: number): Promise<void> {
    this.reading = this.reading.then(() => this.readTo(to));
    return this.reading;
  }

  /** Starts reading the whole chunk, for a row group read next. */
  prefetch(): void {
    this.extend(this.size).catch(() => {}); // its failure is seen by rest()
  }

  private async readTo(to: number): Promise<void> {
    const end = Math.min(to, this.size);
    if (end <= this.bytes.length) return;
    const more = await this.read(this.start + this.bytes.length, this.start + end);
    if (more.length !== end - this.bytes.length) throw new DecodeFailed('Parquet: a column chunk ends before its declared size');
    if (this.bytes.length === 0) {
      // Possibly a view into a larger read (adjacent chunks in one GET): own() copies it for hyparquet's readers.
      this.bytes = more;
      this.owned = more.byteOffset === 0 && more.buffer.byteLength === more.length;
      return;
    }
    const bytes = new Uint8Array(end);
    bytes.set(this.bytes);
    bytes.set(more, this.bytes.length);
    this.bytes = bytes;
    this.owned = true;
  }

  /**
   * The values of the chunk's first `rows` rows (fewer only when it holds fewer), read
   * from the head of the chunk: a guess at the bytes they take, doubled until they are in.
   */
  async head(rows: number): Promise<unknown[]> {
    const dictionaryBytes = this.meta.dictionary_page_offset ? Number(this.meta.data_page_offset - this.meta.dictionary_page_offset) : 0;
    const perRow = (this.size - dictionaryBytes) / Math.max(1, this.groupRows);
    let want = Math.ceil(dictionaryBytes + perRow * rows * 1.5 + HEAD_SLACK);
    for (;;) {
      await this.extend(want);
      const values = this.decodeHead(rows, this.bytes.length >= this.size);
      if (values) return values;
      want = Math.max(want * 2, this.bytes.length * 2);
    }
  }

  /** Pages from the chunk's start until `rows` values are decoded; null when they need more bytes than were read. */
  private decodeHead(rows: number, complete: boolean): unknown[] | null {
    const bytes = this.own();
    const { decoder } = this;
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    let dictionary: DecodedArray | undefined;
    const out: unknown[] = [];
    while (out.length < rows && reader.offset < bytes.length) {
      let header: PageHeader;
      try {
        header = parquetHeader(reader);
      } catch (error) {
        if (complete) throw error;
        return null;
      }
      const bodyEnd = reader.offset + header.compressed_page_size;
      if (bodyEnd <= bytes.length) {
        // A whole page: hyparquet reads it (every page type and encoding).
        const { data } = readPage(reader, header, decoder, dictionary, undefined, 0);
        if (header.type === 'DICTIONARY_PAGE') dictionary = data && convert(data, decoder);
        else if (data) for (let i = 0; i < data.length; i++) out.push(data[i] ?? null);
        reader.offset = bodyEnd;
        continue;
      }
      if (complete) throw new DecodeFailed('Parquet: a page runs past the end of its column chunk');
      if (header.type !== 'DATA_PAGE') return null;
      const page = decompressPrefix(bytes.subarray(reader.offset), header, decoder.codec);
      if (!page) return null;
      const values = pagePrefix(page, header, decoder, dictionary, rows - out.length);
      // Rows the page does not hold are in the next page, after the rest of this one.
      if (values === SHORT || values.length < rows - out.length) return null;
      for (const value of values) out.push(value);
      return out;
    }
    return out;
  }

  /** The whole chunk's cells for a count, compactly where its pages allow (./blocks.ts). */
  async block(column: ParquetColumn): Promise<BlockCells> {
    await this.extend(this.size);
    return decodeBlockColumn(this.bytes, this.meta, this.decoder, column, this.groupRows);
  }

  /** The values of rows `from` to the end of the row group, reading the rest of the chunk. */
  async rest(from: number): Promise<DecodedArray> {
    await this.extend(this.size);
    return chunkValues(this.own(), this.decoder, this.groupRows, from);
  }
}

/**
 * The values of rows `from` to `rows` of a flat chunk's pages held in `bytes` (a
 * dictionary page first, if any): a whole chunk, or the pages of some of its rows.
 */
export function chunkValues(bytes: Uint8Array, decoder: ColumnDecoder, rows: number, from = 0): DecodedArray {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const { data, skipped } = readColumn(reader, { groupStart: 0, groupRows: rows, selectStart: from, selectEnd: rows }, decoder);
  const values = flatten(data);
  const at = from - skipped;
  const end = at + (rows - from);
  return at === 0 && values.length === end ? values : Array.isArray(values) ? values.slice(at, end) : values.subarray(at, end);
}
