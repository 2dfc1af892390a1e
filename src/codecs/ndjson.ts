// NDJSON / JSON Lines: one JSON value a line. Lines are split on the raw bytes
// (UTF-8 never has 0x0A inside a character), so every row knows the exact byte
// offset where the next one starts and a later page can resume with a ranged read.
import { BadUserInput, DecodeFailed } from '../errors.js';
import { describeJsonType, isRecord, parseJson } from './json-text.js';
import type { ByteSource, Codec, TableEvent, TableReadOptions } from './types.js';

export const MAX_LINE_BYTES = 32 * 1024 * 1024;

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buffer[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function hasBom(buffer: Buffer): boolean {
  return buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
}

async function* readNdjsonTable(source: ByteSource, options: TableReadOptions): AsyncGenerator<TableEvent> {
  const startOffset = options.startOffset ?? 0;
  const stream = await source.open(startOffset);
  try {
    yield { type: 'dialect', encoding: 'utf-8' };
    let carry: Buffer = Buffer.alloc(0);
    let carryStart = startOffset; // byte offset of carry[0] in the object
    let line = 0; // lines before carry (only known when reading from the start)
    // Where a line is: its number from the start, else (resumed reads) its byte offset.
    const where = (lineStartByte: number): Where => (startOffset === 0 ? { line } : { byte: lineStartByte });
    let bomChecked = startOffset !== 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      if (!bomChecked) {
        // A BOM may come split over the first chunks: wait for three bytes to decide.
        if (buffer.length < 3 && BOM.subarray(0, buffer.length).equals(buffer)) {
          carry = buffer;
          continue;
        }
        bomChecked = true;
        if (hasBom(buffer)) {
          buffer = buffer.subarray(3);
          carryStart += 3;
        }
      }
      const records: Record<string, unknown>[] = [];
      const ends: number[] = [];
      let lineStart = 0;
      for (let nl = buffer.indexOf(0x0a); nl !== -1; nl = buffer.indexOf(0x0a, lineStart)) {
        line++;
        if (!isBlank(buffer, lineStart, nl)) {
          records.push(toRecord(buffer.toString('utf8', lineStart, nl), where(carryStart + lineStart)));
          ends.push(carryStart + nl + 1);
        }
        lineStart = nl + 1;
      }
      carry = buffer.subarray(lineStart);
      carryStart += lineStart;
      if (carry.length > MAX_LINE_BYTES) throw new BadUserInput(`NDJSON: a line is longer than ${MAX_LINE_BYTES} bytes`);
      if (records.length > 0) yield* emit(records, ends);
    }
    if (!isBlank(carry, 0, carry.length)) {
      line++;
      yield* emit([toRecord(carry.toString('utf8'), where(carryStart))], [carryStart + carry.length]);
    }
  } finally {
    stream.destroy();
  }
}

function* emit(records: Record<string, unknown>[], ends: number[]): Generator<TableEvent> {
  yield { type: 'records', records, offsetAfter: (i) => ends[i] as number };
}

type Where = { line: number } | { byte: number };

function toRecord(text: string, where: Where): Record<string, unknown> {
  let value: unknown;
  if ('line' in where) value = parseJson(text, 'NDJSON', where.line - 1);
  else {
    try {
      value = parseJson(text, 'NDJSON');
    } catch (error) {
      // Line numbers are not known in a read resumed mid-file: say where the line starts.
      const e = error as DecodeFailed;
      const column = e.extensions.column;
      throw new DecodeFailed(e.message.replace(/at line 1, column (\d+)/, `in the line at byte ${where.byte}, column $1`), {
        byte: where.byte,
        column,
      });
    }
  }
  if (!isRecord(value)) {
    const at = 'line' in where ? `line ${where.line}` : `the line at byte ${where.byte}`;
    throw new BadUserInput(`The NDJSON object is not a table: ${at} holds ${describeJsonType(value)}, not an object`, where);
  }
  return value;
}

export function decodeNdjson(bytes: Buffer): unknown[] {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const values: unknown[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, i) => {
    if (lineText.trim() !== '') values.push(parseJson(lineText, 'NDJSON', i));
  });
  return values;
}

export const ndjsonCodec: Codec = {
  format: 'NDJSON',
  extensions: ['.ndjson', '.jsonl'],
  contentType: 'application/x-ndjson',
  supportsOffsets: true,
  readTable: readNdjsonTable,
  decodeValue: (bytes) => decodeNdjson(bytes),
  isTableValue: (value) => Array.isArray(value) && value.every(isRecord),
  encode: (content) => {
    if (!Array.isArray(content)) throw new BadUserInput('.ndjson/.jsonl content must be an array: each item becomes one line');
    return Buffer.from(content.map((value) => `${JSON.stringify(value)}\n`).join(''), 'utf8');
  },
};
