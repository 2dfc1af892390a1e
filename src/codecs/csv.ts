// CSV and TSV (RFC 4180): papaparse's core parser driven chunk by chunk over
// decoded text, so multibyte characters never straddle a parse, with byte offsets
// for every row boundary so that a later page can resume with a ranged read.
import Papa from 'papaparse';
import { BadUserInput, DecodeFailed } from '../errors.js';
import { type EncodingName, bomLength, createDecoder, detectEncoding, resolveEncoding } from '../text/encoding.js';
import { encodedLength, supportsResume } from '../text/length.js';
import { normaliseRowsInput } from './rows-input.js';
import type { ByteSource, Codec, RawCell, TableEvent, TableReadOptions } from './types.js';

/** Text handed to the parser at once: big enough to amortise a call, small enough to stay cache-friendly. */
const PARSE_CHARS = 256 * 1024;
/** Bytes looked at to detect the encoding and delimiter. */
const SNIFF_BYTES = 64 * 1024;
/** A row (record) longer than this is an error: most likely an unterminated quote. */
export const MAX_ROW_CHARS = 32 * 1024 * 1024;

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'];

function parseRows(text: string, delimiter: string, limit: number): string[][] {
  const rows: string[][] = [];
  const parser = new Papa.Parser({
    delimiter,
    newline: '\n',
    step: (result: { data: string[] }) => {
      rows.push(result.data);
      if (rows.length >= limit) parser.abort();
    },
  });
  parser.parse(text, 0, true);
  return rows;
}

/**
 * Picks the delimiter whose first rows have the most fields, consistently. A comma
 * wins ties, and is the answer when nothing is consistent (one-column files).
 */
export function guessDelimiter(sample: string): string {
  let best = ',';
  let bestFields = 1;
  for (const delimiter of CANDIDATE_DELIMITERS) {
    const rows = parseRows(sample, delimiter, 20).filter((row) => !(row.length === 1 && row[0] === ''));
    if (rows.length === 0) continue;
    const fields = rows[0]?.length ?? 0;
    const consistent = rows.every((row) => row.length === fields);
    if (consistent && fields > bestFields) {
      best = delimiter;
      bestFields = fields;
    }
  }
  return best;
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

function stripCarriageReturn(row: string[]): void {
  const last = row.length - 1;
  const cell = row[last] as string;
  if (cell.endsWith('\r')) row[last] = cell.slice(0, -1);
}

export async function* readDelimited(source: ByteSource, options: TableReadOptions, formatDelimiter: string | null): AsyncGenerator<TableEvent> {
  const resuming = options.startOffset !== undefined && options.startOffset > 0;
  if (resuming && (!options.encoding || !options.delimiter)) {
    throw new Error('a resumed CSV read needs the encoding and delimiter of the first read');
  }
  const stream = await source.open(options.startOffset ?? 0);
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const { chunks, ended } = await readSample(iterator, SNIFF_BYTES);
    const sample = Buffer.concat(chunks);
    const encoding: EncodingName = options.encoding ? resolveEncoding(options.encoding) : detectEncoding(sample, ended);
    const decoder = createDecoder(encoding);
    let pending = decoder.write(sample);
    const delimiter = options.delimiter
      ? validateDelimiter(options.delimiter)
      : (formatDelimiter ?? guessDelimiter(pending.length > SNIFF_BYTES ? pending.slice(0, SNIFF_BYTES) : pending));
    yield { type: 'dialect', encoding, delimiter };

    const offsetsUsable = supportsResume(encoding);
    // Byte offset (in the object) where `pending` starts.
    let pendingByteStart = (options.startOffset ?? 0) + (resuming ? 0 : bomLength(sample, encoding));
    let sawHeader = resuming || !options.header;
    let rowNumber = 0; // records parsed so far (header included), for error messages
    const parser = new Papa.Parser({ delimiter, newline: '\n' });
    let done = ended;

    while (true) {
      while (!done && pending.length < PARSE_CHARS) {
        const next = await iterator.next();
        if (next.done) done = true;
        else pending += decoder.write(next.value);
      }
      if (done) pending += decoder.end();

      const input = pending;
      const result = parser.parse(input, 0, !done) as { data: string[][]; errors: { code: string; row: number }[]; meta: { cursor: number } };
      const consumed = result.meta.cursor;
      const quoteError = result.errors.find((e) => e.code === 'MissingQuotes' || e.code === 'InvalidQuotes');
      if (quoteError) {
        throw new DecodeFailed(
          quoteError.code === 'MissingQuotes'
            ? `CSV: unterminated quoted field in row ${rowNumber + quoteError.row + 1}`
            : `CSV: text after a closing quote in row ${rowNumber + quoteError.row + 1}`,
          { row: rowNumber + quoteError.row + 1 },
        );
      }

      // Row i of `data` ends where row i+1 starts; the parser only tells the end of
      // the last one, so the others are found by re-parsing when someone asks.
      const data = result.data;
      const kept: RawCell[][] = [];
      const keptIndex: number[] = [];
      for (let i = 0; i < data.length; i++) {
        const row = data[i] as string[];
        if (row.length === 1 && (row[0] === '' || row[0] === '\r')) continue; // blank line
        stripCarriageReturn(row);
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
        const byteStart = pendingByteStart;
        const lastCursor = consumed;
        yield {
          type: 'rows',
          rows: kept,
          ...(offsetsUsable && decoder.replacements === 0
            ? {
                offsetAfter: (i: number) => {
                  const raw = keptIndex[i] as number;
                  const cursor = raw === data.length - 1 ? lastCursor : cursorAfterRow(input, delimiter, raw);
                  return byteStart + encodedLength(input.slice(0, cursor), encoding);
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
    }
  } finally {
    await iterator.return?.();
    stream.destroy();
  }
}

/** The cursor just after record `index` of `input` (parsed again, stopping there). */
function cursorAfterRow(input: string, delimiter: string, index: number): number {
  let seen = 0;
  let cursor = 0;
  const parser = new Papa.Parser({
    delimiter,
    newline: '\n',
    step: (result: { meta: { cursor: number } }) => {
      if (seen++ === index) {
        cursor = result.meta.cursor;
        parser.abort();
      }
    },
  });
  parser.parse(input, 0, false);
  return cursor;
}

/** Quotes a cell when RFC 4180 requires it (delimiter, quote, line break, or edge spaces). */
function formatCell(value: unknown, delimiter: string): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  if (text.includes(delimiter) || /["\r\n]/.test(text) || /^\s|\s$/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function encodeDelimited(content: unknown, extension: string, delimiter: string): Buffer {
  const { columns, rows } = normaliseRowsInput(content, extension);
  const lines = [columns.map((c) => formatCell(c, delimiter)).join(delimiter)];
  for (const row of rows) lines.push(row.map((cell) => formatCell(cell, delimiter)).join(delimiter));
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
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
