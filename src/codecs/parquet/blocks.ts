// A flat column chunk decoded for a count: compactly, without a value object a row
// where the encoding allows. A dictionary-encoded chunk becomes its dictionary (each
// entry converted to a cell once) and one Int32Array of codes, a number column a
// Float64Array (NaN for null); other chunks an array of cells, as for rows. Pages are
// decompressed with the codec's decompressors and their values read with hyparquet's
// decoders; only the page layout (levels, then values) is walked here, for pages v1
// and v2 of flat columns. Encodings not read here (delta, byte stream split, ...) go
// through hyparquet's page reader. Dictionary codes are unpacked by ./codes.ts straight
// into the chunk's array when a page has no null, and a chunk of one page of numbers
// is its page's own array: a cold count copies and touches as little as it can.
import type { ColumnMetaData, DecodedArray, PageHeader } from 'hyparquet';
import { parquetHeader, readPage } from 'hyparquet/src/column.js';
import { convert } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel } from 'hyparquet/src/schema.js';
import { DecodeFailed } from '../../errors.js';
import type { BlockCells, RawCell } from '../types.js';
import type { ColumnDecoder } from './chunks.js';
import { unpackCodes } from './codes.js';
import type { ParquetColumn } from './columns.js';

/** One data page: the values of its non-null rows (dictionary codes when `coded`) and which rows hold one. */
interface PageValues {
  rows: number;
  values: DecodedArray;
  coded: boolean;
  /** 1 where the row holds a value; null when every row does. */
  defined: Uint8Array | null;
  /** Coded pages: the bitwise OR of the codes (not below the largest). */
  codeBits?: number;
}

/** Where a page's codes go: a part of the chunk's codes (the page has no null), or null for an array of its own. */
type CodeTarget = (count: number, defined: Uint8Array | null) => Int32Array | null;

const bitWidth = (max: number) => 32 - Math.clz32(max);

/** Definition levels as a mask of the rows holding a value (flat columns: level 1 of at most 1); null when none is null. */
function definedMask(reader: { view: DataView; offset: number }, rows: number, maxDefinition: number, length?: number): Uint8Array | null {
  if (allDefined(reader, rows, maxDefinition, length)) return null;
  const levels = new Uint8Array(rows);
  readRleBitPackedHybrid(reader, bitWidth(maxDefinition), levels, length);
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    const defined = levels[i] === maxDefinition ? 1 : 0;
    levels[i] = defined;
    nulls += 1 - defined;
  }
  return nulls === 0 ? null : levels;
}

/**
 * Whether the levels are one run of the top level covering every row (a column without
 * nulls, as writers most often write it); then the reader is moved past them.
 */
function allDefined(reader: { view: DataView; offset: number }, rows: number, maxDefinition: number, length?: number): boolean {
  const { view } = reader;
  let at = reader.offset;
  let bytes = length;
  if (bytes === undefined) {
    if (at + 4 > view.byteLength) return false;
    bytes = view.getUint32(at, true);
    at += 4;
  }
  const start = at;
  let header = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= view.byteLength) return false;
    const byte = view.getUint8(at++);
    header += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  // An RLE run (low bit 0) of `header / 2` values, its value in the next byte (widths of at most 8 bits here).
  if (header % 2 !== 0 || header / 2 < rows || bitWidth(maxDefinition) > 8 || at >= view.byteLength) return false;
  if (view.getUint8(at) !== maxDefinition) return false;
  reader.offset = start + bytes;
  return true;
}

const countDefined = (defined: Uint8Array | null, rows: number) => {
  if (!defined) return rows;
  let n = 0;
  for (let i = 0; i < rows; i++) n += defined[i] as number;
  return n;
};

/** The values of a page's value section in the encodings read here; null for others. */
function pageValues(
  view: DataView,
  offset: number,
  encoding: string,
  count: number,
  decoder: ColumnDecoder,
  target: Int32Array | null,
): { values: DecodedArray; coded: boolean; codeBits?: number } | null {
  const reader = { view, offset };
  if (encoding === 'PLAIN') return { values: readPlain(reader, decoder.type, count, decoder.element.type_length), coded: false };
  if ((encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') && decoder.type !== 'BOOLEAN') {
    const codes = target ?? new Int32Array(count);
    if (count === 0) return { values: codes, coded: true, codeBits: 0 };
    const width = view.getUint8(reader.offset++);
    if (width > 32) throw new DecodeFailed(`Parquet: a dictionary-encoded page declares ${width}-bit codes`);
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    return { values: codes, coded: true, codeBits: unpackCodes(bytes, reader.offset, view.byteLength, width, codes) };
  }
  return null;
}

/** A data page's values and mask, with hyparquet's page reader for encodings not read here. */
function readDataValues(
  reader: { view: DataView; offset: number },
  header: PageHeader,
  decoder: ColumnDecoder,
  maxDefinition: number,
  target: CodeTarget,
): PageValues {
  const compressed = new Uint8Array(reader.view.buffer, reader.view.byteOffset + reader.offset, header.compressed_page_size);
  reader.offset += header.compressed_page_size;
  const v1 = header.data_page_header;
  const v2 = header.data_page_header_v2;
  if (header.type === 'DATA_PAGE' && v1) {
    const page = decompressPage(compressed, Number(header.uncompressed_page_size), decoder.codec, decoder.compressors);
    const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    const at = { view, offset: 0 };
    const defined = maxDefinition > 0 ? definedMask(at, v1.num_values, maxDefinition) : null;
    const count = countDefined(defined, v1.num_values);
    const read = pageValues(view, at.offset, v1.encoding, count, decoder, target(count, defined));
    if (read) return { rows: v1.num_values, defined, ...read };
    const { dataPage, definitionLevels } = readDataPage(page, v1, decoder);
    return { rows: v1.num_values, values: dataPage, coded: false, defined: maskOf(definitionLevels ?? [], maxDefinition) };
  }
  if (header.type === 'DATA_PAGE_V2' && v2) {
    const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
    const levelsEnd = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
    const defined =
      maxDefinition > 0
        ? definedMask({ view, offset: v2.repetition_levels_byte_length }, v2.num_values, maxDefinition, v2.definition_levels_byte_length)
        : null;
    const valuesBytes = Number(header.uncompressed_page_size) - levelsEnd;
    let page = compressed.subarray(levelsEnd);
    if (v2.is_compressed !== false && valuesBytes) page = decompressPage(page, valuesBytes, decoder.codec, decoder.compressors);
    const count = countDefined(defined, v2.num_values);
    const read = pageValues(
      new DataView(page.buffer, page.byteOffset, page.byteLength),
      0,
      v2.encoding,
      count,
      decoder,
      target(count, defined),
    );
    if (read) return { rows: v2.num_values, defined, ...read };
    const { dataPage, definitionLevels } = readDataPageV2(compressed, header, decoder);
    return { rows: v2.num_values, values: dataPage, coded: false, defined: maskOf(definitionLevels ?? [], maxDefinition) };
  }
  throw new DecodeFailed(`Parquet: unexpected page type ${header.type} in a column chunk`);
}

/** hyparquet's definition levels (empty when none is null) as a mask. */
function maskOf(levels: ArrayLike<number>, maxDefinition: number): Uint8Array | null {
  if (levels.length === 0) return null;
  const mask = new Uint8Array(levels.length);
  for (let i = 0; i < levels.length; i++) mask[i] = levels[i] === maxDefinition ? 1 : 0;
  return mask;
}

/** The largest integer a Float64Array holds exactly. */
const SAFE = 9007199254740991n;

/**
 * Decodes the pages of one flat column chunk (all its bytes) for `rows` rows into the
 * most compact form its cells allow.
 */
export function decodeBlockColumn(
  bytes: Uint8Array,
  meta: ColumnMetaData,
  decoder: ColumnDecoder,
  column: ParquetColumn,
  rows: number,
): BlockCells {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const maxDefinition = getMaxDefinitionLevel(decoder.schemaPath);
  let dictionary: DecodedArray | undefined;
  const pages: PageValues[] = [];
  let total = 0;
  // The chunk's codes: pages without nulls unpack theirs in place (codedColumn fills in the others).
  let codes: Int32Array | null = null;
  const target: CodeTarget = (count, defined) => {
    if (defined || total + count > rows) return null;
    codes ??= new Int32Array(rows);
    return codes.subarray(total, total + count);
  };
  while (total < rows && reader.offset < bytes.length) {
    const header = parquetHeader(reader);
    // The chunk may be a view into a larger read: a page must not reach past it.
    if (header.compressed_page_size < 0 || reader.offset + header.compressed_page_size > bytes.length)
      throw new DecodeFailed('Parquet: a page runs past the end of its column chunk');
    if (header.type === 'DICTIONARY_PAGE') {
      const { data } = readPage(reader, header, decoder, undefined, undefined, 0);
      dictionary = data;
      continue;
    }
    if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') {
      reader.offset += header.compressed_page_size; // index pages: nothing to count
      continue;
    }
    const page = readDataValues(reader, header, decoder, maxDefinition, target);
    pages.push(page);
    total += page.rows;
  }
  if (total < rows)
    throw new DecodeFailed(`Parquet: column ${JSON.stringify(meta.path_in_schema.join('.'))} holds ${total} rows of ${rows}`);
  if (dictionary && pages.every((p) => p.coded)) return codedColumn(pages, dictionary, decoder, column, rows, codes);
  if (column.numbers) {
    const numbers = numberColumn(pages, dictionary, rows);
    if (numbers) return numbers;
  }
  return cellColumn(pages, dictionary, decoder, column, rows);
}

function codedColumn(
  pages: PageValues[],
  raw: DecodedArray,
  decoder: ColumnDecoder,
  column: ParquetColumn,
  rows: number,
  placed: Int32Array | null,
): BlockCells {
  const converted = convert(raw, decoder);
  const dictionary: RawCell[] = new Array(converted.length);
  for (let i = 0; i < converted.length; i++) dictionary[i] = column.cell(converted[i]);
  const codes = placed ?? new Int32Array(rows);
  let at = 0;
  for (const page of pages) {
    const values = page.values as Int32Array;
    const end = Math.min(rows, at + page.rows);
    checkCodes(values, page.codeBits, dictionary.length);
    if (values.buffer === codes.buffer && values.byteOffset === codes.byteOffset + at * 4) {
      // unpacked in place
    } else if (!page.defined) codes.set(values.subarray(0, end - at), at);
    else for (let r = at, k = 0; r < end; r++) codes[r] = page.defined[r - at] ? (values[k++] as number) : -1;
    at = end;
  }
  return { dictionary, codes };
}

/**
 * Every code inside a dictionary of `size` entries: proved by the OR of the codes when it
 * is below `size`, else tested one by one (a 32-bit code may read as negative).
 */
function checkCodes(values: Int32Array, bits: number | undefined, size: number): void {
  if (bits !== undefined && bits >= 0 && bits < size) return;
  for (let k = 0; k < values.length; k++) {
    const code = values[k] as number;
    if (code >= size || code < 0) throw badCode(code >>> 0, size);
  }
}

const badCode = (code: number, size: number) =>
  new DecodeFailed(`Parquet: a dictionary code (${code}) lies outside its ${size}-entry dictionary`);

/** Numbers as a Float64Array (NaN for null); null when a value is not a safe number (an INT64 beyond 2^53). */
function numberColumn(pages: PageValues[], dictionary: DecodedArray | undefined, rows: number): Float64Array | null {
  // One page of doubles without nulls (as DuckDB writes a row group's column): the page's own array.
  const only = pages.length === 1 ? (pages[0] as PageValues) : null;
  if (only && !only.coded && !only.defined && only.values instanceof Float64Array && only.values.length >= rows)
    return only.values.length === rows ? only.values : only.values.subarray(0, rows);
  const out = new Float64Array(rows);
  let numbers: ReturnType<typeof numericDictionary> | false = false;
  let at = 0;
  for (const page of pages) {
    const end = Math.min(rows, at + page.rows);
    if (page.coded) {
      if (numbers === false) numbers = numericDictionary(dictionary);
      if (numbers === undefined) return null;
      if (numbers) {
        const codes = page.values as Int32Array;
        checkCodes(codes, page.codeBits, numbers.length);
        for (let r = at, k = 0; r < end; r++)
          out[r] = page.defined && !page.defined[r - at] ? Number.NaN : (numbers[codes[k++] as number] as number);
        at = end;
        continue;
      }
    }
    const values = page.coded ? dereference(page.values as Int32Array, dictionary) : page.values;
    if (!page.defined && (values instanceof Float64Array || values instanceof Int32Array)) {
      out.set(values.subarray(0, end - at), at);
      at = end;
      continue;
    }
    if (!page.defined && values instanceof BigInt64Array) {
      // As two 32-bit halves (no bigint a value): safe while the high half is within ±2^21.
      const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      for (let r = at, k = 0; r < end; r++, k += 2) {
        const high = halves[k + 1] as number;
        const low = halves[k] as number;
        if (high >= 0x200000 || high < -0x200000 || (high === -0x200000 && low === 0)) return null;
        out[r] = high * 4294967296 + (low >>> 0);
      }
      at = end;
      continue;
    }
    let k = 0;
    for (let r = at; r < end; r++) {
      if (page.defined && !page.defined[r - at]) {
        out[r] = Number.NaN;
        continue;
      }
      const v = values[k++];
      if (typeof v === 'bigint') {
        if (v > SAFE || v < -SAFE) return null;
        out[r] = Number(v);
      } else if (typeof v === 'number') out[r] = v;
      else return null;
    }
    at = end;
  }
  return out;
}

/**
 * A dictionary of numbers as a Float64Array, read a code at a time; null when its entries
 * are not plain numbers (hyparquet's arrays of other kinds), undefined when an INT64
 * entry is beyond 2^53 (the column is then not a column of numbers).
 */
function numericDictionary(dictionary: DecodedArray | undefined): Float64Array | null | undefined {
  if (!dictionary) throw new DecodeFailed('Parquet: a dictionary-encoded page comes without a dictionary page');
  if (dictionary instanceof Float64Array) return dictionary;
  if (dictionary instanceof Float32Array || dictionary instanceof Int32Array) return Float64Array.from(dictionary);
  if (dictionary instanceof BigInt64Array) {
    const out = new Float64Array(dictionary.length);
    for (let i = 0; i < dictionary.length; i++) {
      const v = dictionary[i] as bigint;
      if (v > SAFE || v < -SAFE) return undefined;
      out[i] = Number(v);
    }
    return out;
  }
  return null;
}

function dereference(codes: Int32Array, dictionary: DecodedArray | undefined): DecodedArray {
  if (!dictionary) throw new DecodeFailed('Parquet: a dictionary-encoded page comes without a dictionary page');
  for (const code of codes) if (code >= dictionary.length) throw badCode(code, dictionary.length);
  return Array.from(codes, (code) => dictionary[code]) as DecodedArray;
}

/** Cells, as for rows: hyparquet's conversions, then the column's. */
function cellColumn(
  pages: PageValues[],
  raw: DecodedArray | undefined,
  decoder: ColumnDecoder,
  column: ParquetColumn,
  rows: number,
): RawCell[] {
  const dictionary = raw && convert(raw, decoder);
  const out = new Array<RawCell>(rows);
  let at = 0;
  for (const page of pages) {
    const values = page.coded ? dereference(page.values as Int32Array, dictionary) : convert(page.values, decoder);
    const end = Math.min(rows, at + page.rows);
    let k = 0;
    for (let r = at; r < end; r++) out[r] = page.defined && !page.defined[r - at] ? null : column.cell(values[k++]);
    at = end;
  }
  return out;
}
