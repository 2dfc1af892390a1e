// CSV and TSV (RFC 4180): papaparse's core parser driven chunk by chunk over
// decoded text, so multibyte characters never straddle a parse, with byte offsets
// for every row boundary so that a later page can resume with a ranged read.
import { isUtf8 } from 'node:buffer';
import Papa from 'papaparse';
import { BadUserInput, DecodeFailed } from '../errors.js';
import { bomLength, createDecoder, decodeLeading, detectEncoding, type EncodingName, resolveEncoding } from '../text/encoding.js';
import { encodedLength, supportsResume } from '../text/length.js';
import { FieldScanner, fieldText } from './csv-fields.js';
import { readRowsInput } from './rows-input.js';
import type { ByteSource, Codec, LineEnd, RawCell, TableEvent, TableReadOptions } from './types.js';
import { Utf8Blocks } from './utf8-blocks.js';

/**
 * Text handed to the parser at once: big enough to amortise a call, and small enough
 * that the string (two bytes a character when it holds Korean) stays under V8's
 * large-object size (128 KiB). Larger chunks go to the large-object space, where the
 * cells sliced out of them keep them alive until a full GC: a scan of 1M rows then
 * took twice as long, most of it in GC, and 100 MB more memory (measured).
 */
const PARSE_CHARS = 48 * 1024;
/** Bytes looked at to detect the encoding and delimiter. */
const SNIFF_BYTES = 64 * 1024;
/** A row (record) longer than this is an error: most likely an unterminated quote. */
export const MAX_ROW_CHARS = 32 * 1024 * 1024;

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'];

/** The first `limit` rows of a sample, or null when its quoting is broken with this delimiter. */
function parseRows(text: string, delimiter: string, newline: LineEnd, limit: number, complete: boolean): string[][] | null {
  const rows: string[][] = [];
  let broken = false;
  const parser = new Papa.Parser({
    delimiter,
    newline,
    step: (result: { data: string[][]; errors: unknown[] }) => {
      if (result.errors.length > 0) broken = true;
      rows.push(result.data[0] as string[]);
      if (rows.length >= limit || broken) parser.abort();
    },
  });
  // A sample cut from a longer text ends in a partial row: leave it out.
  parser.parse(text, 0, !complete);
  return broken ? null : rows;
}

/**
 * Picks the delimiter whose first rows have the most fields, consistently and with
 * well-formed quotes (`"a, b",c` read with tabs is one broken field, not a table). A
 * comma wins ties, and is the answer when nothing fits (one-column files).
 * `complete`: the sample is the whole text, so its last row counts even without a line break.
 */
export function guessDelimiter(sample: string, complete = false, newline: LineEnd = newlineOf(sample)): string {
  let best = ',';
  let bestFields = 1;
  for (const delimiter of CANDIDATE_DELIMITERS) {
    const rows = parseRows(sample, delimiter, newline, 20, complete)?.filter(
      (row) => !(row.length === 1 && (row[0] === '' || row[0] === '\r')),
    );
    if (!rows || rows.length === 0) continue;
    const fields = rows[0]?.length ?? 0;
    const consistent = rows.every((row) => row.length === fields);
    if (consistent && fields > bestFields) {
      best = delimiter;
      bestFields = fields;
    }
  }
  return best;
}

/**
 * Rows end at LF (a CR before it is dropped, so CRLF and mixed files read alike), or at
 * CR alone in old Mac files: those with a CR but no LF in their first 64 KiB.
 */
function newlineOf(sample: string): LineEnd {
  return !sample.includes('\n') && sample.includes('\r') ? '\r' : '\n';
}

function validateDelimiter(delimiter: string): string {
  const resolved = delimiter === '\\t' ? '\t' : delimiter;
  if (resolved.length === 0 || /[\r\n"]/.test(resolved) || resolved.length > 4) {
    throw new BadUserInput(`Invalid delimiter ${JSON.stringify(delimiter)}: use 1 to 4 characters other than quotes and line breaks`);
  }
  return resolved;
}

/** Reads bytes from the stream until `min` bytes or its end, for sniffing. */
async function readSample(iterator: AsyncIterator<Buffer>, min: number): Promise<{ chunks: Buffer[]; ended: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < min) {
    const next = await iterator.next();
    if (next.done) return { chunks, ended: true };
    chunks.push(next.value);
    length += next.value.length;
  }
  return { chunks, ended: false };
}

/**
 * With LF as the line break, an unquoted last field of a CRLF line ends with the CR:
 * drop it. A quoted one keeps its CR (`"x\r"`), since papaparse already skipped the
 * CR after the closing quote: the row's text (`start` to `end`) tells them apart, as an
 * unquoted field is its cell's text as is, right after a delimiter or the row's start.
 */
function stripCarriageReturn(row: string[], input: string, start: number, end: number, delimiter: string): void {
  const last = row.length - 1;
  const cell = row[last] as string;
  if (!cell.endsWith('\r')) return;
  const fieldEnd = input[end - 1] === '\n' ? end - 1 : end;
  const fieldStart = fieldEnd - cell.length;
  const unquoted =
    fieldStart >= start &&
    input.startsWith(cell, fieldStart) &&
    (fieldStart === start || input.startsWith(delimiter, fieldStart - delimiter.length));
  if (unquoted) row[last] = cell.slice(0, -1);
}

/** The rows one parse found, with the cursor (in the parsed text) where each ends. */
interface Parsed {
  rows: string[][];
  ends: number[];
  /** Quote errors of complete rows, by position in `rows`. */
  errors: { code: string; row: number }[];
}

/** Bytes gathered before a field scan: as much as papaparse gets at once. */
const FIELD_SCAN_BYTES = 64 * 1024;
/** A record longer than this in the field scan is left to papaparse, which bounds rows (MAX_ROW_CHARS). */
const FIELD_SCAN_MAX_CARRY = 1024 * 1024;

/** Where papaparse takes over a read: the bytes not yet parsed, and the counts so far. */
interface Handover {
  bytes: Buffer;
  /** Byte offset (in the object) of `bytes[0]`. */
  byteStart: number;
  rowNumber: number;
  sawHeader: boolean;
  done: boolean;
  /** The bytes start the text, where the decoder drops a byte order mark; a handover mid-text keeps it. */
  top: boolean;
}

export async function* readDelimited(
  source: ByteSource,
  options: TableReadOptions,
  formatDelimiter: string | null,
): AsyncGenerator<TableEvent> {
  const startOffset = options.startOffset ?? 0;
  const resuming = startOffset > 0;
  if (resuming && (!options.encoding || !options.delimiter)) {
    throw new Error('a resumed CSV read needs the encoding and delimiter of the first read');
  }
  const stream = await source.open(startOffset);
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const { chunks, ended } = await readSample(iterator, SNIFF_BYTES);
    const sample = Buffer.concat(chunks);
    const encoding: EncodingName = options.encoding ? resolveEncoding(options.encoding) : detectEncoding(sample, ended);
    const sniffText = decodeLeading(sample, encoding);
    const sniff = sniffText.length > SNIFF_BYTES ? sniffText.slice(0, SNIFF_BYTES) : sniffText;
    const newline = options.newline ?? newlineOf(sniff);
    const delimiter = options.delimiter ? validateDelimiter(options.delimiter) : (formatDelimiter ?? guessDelimiter(sniff, ended, newline));
    yield { type: 'dialect', encoding, delimiter, newline };

    const bom = resuming ? 0 : bomLength(sample, encoding);
    let handover: Handover = {
      bytes: sample,
      byteStart: startOffset + bom,
      rowNumber: 0,
      sawHeader: resuming || !options.header,
      done: ended,
      top: true,
    };
    const fieldScan =
      options.fieldBatches === true && encoding === 'utf-8' && newline === '\n' && delimiter.length === 1 && delimiter.charCodeAt(0) < 0x80;
    if (fieldScan) {
      const next: Handover | null = yield* readFields(iterator, { ...handover, bytes: sample.subarray(bom) }, delimiter);
      if (!next) return;
      handover = next;
    }
    yield* parseText(iterator, handover, { encoding, delimiter, newline, resuming });
  } finally {
    await iterator.return?.();
    stream.destroy();
  }
}

/**
 * The fast path of a whole read in UTF-8: rows as field positions (FieldScanner), no
 * text decoded. Returns where papaparse must take over (a row of another dialect, bytes
 * that are not UTF-8, a record longer than a scan), or null when the input was read.
 */
async function* readFields(
  iterator: AsyncIterator<Buffer>,
  start: Handover,
  delimiter: string,
): AsyncGenerator<TableEvent, Handover | null> {
  const scanner = new FieldScanner(delimiter.charCodeAt(0));
  let { rowNumber, sawHeader, done } = start;
  let byteStart = start.byteStart;
  // One buffer for every scan (fresh buffers a chunk cost their page faults): the bytes
  // not yet read move to its start, the next chunks are copied after them.
  let work = Buffer.allocUnsafe(FIELD_SCAN_BYTES * 2);
  let length = 0;
  const append = (chunk: Buffer) => {
    if (length + chunk.length > work.length) {
      const next = Buffer.allocUnsafe(Math.max(work.length * 2, length + chunk.length));
      work.copy(next, 0, 0, length);
      work = next;
    }
    length += chunk.copy(work, length);
  };
  append(start.bytes);
  // A scan that found no whole record (one longer than FIELD_SCAN_BYTES) needs more bytes before the next.
  let starved = false;
  while (true) {
    while (!done && (length < FIELD_SCAN_BYTES || starved)) {
      const next = await iterator.next();
      starved = false;
      if (next.done) done = true;
      else append(next.value);
    }
    const bytes = work.subarray(0, length);
    const scan = scanner.scan(bytes, 0, done);
    const handover = (at: number): Handover => ({
      bytes: bytes.subarray(at),
      byteStart: byteStart + at,
      rowNumber,
      sawHeader,
      done,
      top: false,
    });
    // Text that does not decode is papaparse's (its decoder counts the replacements).
    if (!isUtf8(bytes.subarray(0, scan.consumed))) return handover(0);
    let { batch, rowEnds } = scan;
    rowNumber += scan.records;
    if (!sawHeader && batch.rows > 0) {
      sawHeader = true;
      const names: string[] = [];
      for (let f = batch.rowFields[0] as number; f < (batch.rowFields[1] as number); f++) names.push(fieldText(batch, f));
      yield { type: 'header', names };
      batch = { ...batch, rows: batch.rows - 1, rowFields: batch.rowFields.subarray(1) };
      rowEnds = rowEnds.subarray(1);
    }
    if (batch.rows > 0) {
      const base = byteStart;
      const ends = rowEnds;
      yield { type: 'fields', batch, offsetAfter: (i: number) => base + (ends[i] as number) };
    }
    if (scan.unusual) return handover(scan.consumed);
    if (done && scan.consumed === length) return null;
    // A long record: papaparse bounds it, and words the error when it has no end.
    if (length - scan.consumed > FIELD_SCAN_MAX_CARRY || done) return handover(scan.consumed);
    starved = scan.consumed === 0;
    work.copyWithin(0, scan.consumed, length);
    length -= scan.consumed;
    byteStart += scan.consumed;
  }
}

/** papaparse over decoded text, from where `start` says, chunk by chunk. */
async function* parseText(
  iterator: AsyncIterator<Buffer>,
  start: Handover,
  dialect: { encoding: EncodingName; delimiter: string; newline: LineEnd; resuming: boolean },
): AsyncGenerator<TableEvent> {
  const { encoding, delimiter, newline, resuming } = dialect;
  const decoder = createDecoder(encoding);
  // Mid-text, a U+FEFF is a character of a cell: a line break first, so the decoder does not take it for a BOM.
  if (!start.top) decoder.write(Buffer.from('\n'));
  const offsetsUsable = supportsResume(encoding);
  let pending = decoder.write(start.bytes);
  // Byte offset (in the object) where `pending` starts.
  let pendingByteStart = start.byteStart;
  let sawHeader = start.sawHeader;
  let rowNumber = start.rowNumber; // records parsed so far (header and blank lines included), for error messages
  // Step mode tells where every row ends, and which errors belong to complete rows:
  // those of the unfinished last row (a parse of text cut mid-row) are not errors yet.
  let parsed: Parsed = { rows: [], ends: [], errors: [] };
  const parser = new Papa.Parser({
    delimiter,
    newline,
    step: (result: { data: string[][]; errors: { code: string }[]; meta: { cursor: number } }) => {
      for (const error of result.errors) parsed.errors.push({ code: error.code, row: parsed.rows.length });
      parsed.rows.push(result.data[0] as string[]);
      parsed.ends.push(result.meta.cursor);
    },
  });
  let done = start.done;
  // A first page needs few rows: start with half a chunk.
  let want = PARSE_CHARS / 2;

  while (true) {
    while (!done && pending.length < want) {
      const next = await iterator.next();
      if (next.done) done = true;
      else pending += decoder.write(next.value);
    }
    if (done) pending += decoder.end();

    const input = pending;
    const byteStart = pendingByteStart;
    parsed = { rows: [], ends: [], errors: [] };
    const consumed = (parser.parse(input, 0, !done) as { meta: { cursor: number } }).meta.cursor;
    const { rows: data, ends } = parsed;
    const startOf = (i: number) => (i === 0 ? 0 : (ends[i - 1] as number));
    const quoteError = parsed.errors.find((e) => e.code === 'MissingQuotes' || e.code === 'InvalidQuotes');
    if (quoteError) {
      // Row numbers are not known in a read resumed mid-file: say where the row starts.
      const byte = byteStart + encodedLength(input.slice(0, startOf(quoteError.row)), encoding);
      const where = resuming
        ? { text: `the row starting at byte ${byte}`, at: { byte } }
        : { text: `row ${rowNumber + quoteError.row + 1}`, at: { row: rowNumber + quoteError.row + 1 } };
      throw new DecodeFailed(
        quoteError.code === 'MissingQuotes'
          ? `CSV: unterminated quoted field in ${where.text}`
          : `CSV: text after a closing quote in ${where.text}`,
        where.at,
      );
    }

    const kept: RawCell[][] = [];
    const keptIndex: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const row = data[i] as string[];
      const start = startOf(i);
      // A blank line, not a row holding one quoted empty field (`""`).
      if (row.length === 1 && (row[0] === '' || row[0] === '\r') && input[start] !== '"') continue;
      if (newline === '\n') stripCarriageReturn(row, input, start, ends[i] as number, delimiter);
      if (!sawHeader) {
        sawHeader = true;
        yield { type: 'header', names: row };
        continue;
      }
      kept.push(row);
      keptIndex.push(i);
    }
    rowNumber += data.length;

    if (kept.length > 0) {
      let byteEnds: number[] | null = null;
      // Byte offsets of all kept rows at once, when first asked: one pass over the text.
      const offsetsOfRows = (): number[] => {
        const out: number[] = [];
        let cursor = 0;
        let bytes = byteStart;
        for (const raw of keptIndex) {
          const end = ends[raw] as number;
          bytes += encodedLength(input.slice(cursor, end), encoding);
          cursor = end;
          out.push(bytes);
        }
        return out;
      };
      yield {
        type: 'rows',
        rows: kept,
        ...(offsetsUsable && decoder.replacements === 0
          ? {
              offsetAfter: (i: number) => {
                byteEnds ??= offsetsOfRows();
                return byteEnds[i] as number;
              },
            }
          : {}),
      };
    }

    if (done) return;
    pendingByteStart += encodedLength(input.slice(0, consumed), encoding);
    pending = input.slice(consumed);
    if (pending.length > MAX_ROW_CHARS) {
      throw new DecodeFailed(`CSV: row ${rowNumber + 1} is longer than ${MAX_ROW_CHARS} characters (an unterminated quote?)`, {
        row: rowNumber + 1,
      });
    }
    // A row longer than a parse: wait for more text than is pending (doubling, so that
    // parsing it again and again stays linear overall), or the parse would repeat forever.
    want = pending.length < PARSE_CHARS / 2 ? Math.min(PARSE_CHARS, want * 2) : pending.length * 2;
  }
}

/**
 * Quotes a cell when RFC 4180 requires it (delimiter, quote, line break, or edge
 * spaces): one pattern a delimiter, tested once a string cell; numbers and booleans
 * are only looked at for the delimiter (they hold no quote, break or space). Three
 * tests a cell were most of a 100k-row putObject's encoding (measured).
 */
function cellFormatter(delimiter: string): (value: unknown) => string {
  const special = new RegExp(`["\r\n]|^\\s|\\s$|${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
  return (value) => {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return special.test(value) ? quote(value) : value;
    if (typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      return text.includes(delimiter) ? quote(text) : text;
    }
    const text = JSON.stringify(value);
    return special.test(text) ? quote(text) : text;
  };
}

/** Rows whose text is encoded at once (see utf8-blocks.ts). */
const ENCODE_ROWS = 64;

export function encodeDelimited(content: unknown, extension: string, delimiter: string): Buffer {
  const input = readRowsInput(content, extension);
  const formatCell = cellFormatter(delimiter);
  // One empty cell alone would make a blank line, which readers skip: quote it.
  const line = (cells: readonly unknown[]) => {
    if (cells.length === 1) {
      const only = formatCell(cells[0]);
      return only === '' ? '""' : only;
    }
    let text = formatCell(cells[0]);
    for (let i = 1; i < cells.length; i++) text += delimiter + formatCell(cells[i]);
    return text;
  };
  // Row by row into UTF-8 blocks: no array a row, no line strings kept, no 7 MB string.
  const out = new Utf8Blocks();
  const cells: unknown[] = [];
  let text = `${line(input.columns)}\r\n`;
  for (let i = 0; i < input.rowCount; i++) {
    input.read(i, cells);
    text += `${line(cells)}\r\n`;
    if (i % ENCODE_ROWS === ENCODE_ROWS - 1) {
      out.write(text);
      text = '';
    }
  }
  out.write(text);
  return out.concat();
}

export const csvCodec: Codec = {
  format: 'CSV',
  extensions: ['.csv'],
  contentType: 'text/csv; charset=utf-8',
  supportsOffsets: true,
  readTable: (source, options) => readDelimited(source, options, null),
  encode: (content) => encodeDelimited(content, '.csv', ','),
};

export const tsvCodec: Codec = {
  format: 'TSV',
  extensions: ['.tsv', '.tab'],
  contentType: 'text/tab-separated-values; charset=utf-8',
  supportsOffsets: true,
  readTable: (source, options) => readDelimited(source, options, '\t'),
  encode: (content) => encodeDelimited(content, '.tsv', '\t'),
};
