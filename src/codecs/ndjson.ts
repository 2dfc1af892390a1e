// NDJSON / JSON Lines: one JSON value a line. Lines are split on the raw bytes
// (UTF-8 never has 0x0A inside a character), so every row knows the exact byte
// offset where the next one starts and a later page can resume with a ranged read.
import { BadUserInput } from '../errors.js';
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
    let first = startOffset === 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      if (first) {
        first = false;
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
          records.push(toRecord(buffer.toString('utf8', lineStart, nl), startOffset === 0 ? line : null));
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
      yield* emit([toRecord(carry.toString('utf8'), startOffset === 0 ? line : null)], [carryStart + carry.length]);
    }
  } finally {
    stream.destroy();
  }
}

function* emit(records: Record<string, unknown>[], ends: number[]): Generator<TableEvent> {
  yield { type: 'records', records, offsetAfter: (i) => ends[i] as number };
}

function toRecord(text: string, line: number | null): Record<string, unknown> {
  const value = parseJson(text, 'NDJSON', (line ?? 1) - 1);
  if (!isRecord(value)) {
    throw new BadUserInput(`The NDJSON object is not a table: line ${line ?? '?'} holds ${describeJsonType(value)}, not an object`, {
      line,
    });
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
