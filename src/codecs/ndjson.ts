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

function hasBom(buffer: Buffer): boolean {
  return buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
}

/** The line is longer than bucketql reads as one value: a property of the file, so DECODE_FAILED. */
function lineTooLong(where: Where): DecodeFailed {
  const at = 'line' in where ? `line ${where.line}` : `the line at byte ${where.byte}`;
  return new DecodeFailed(`NDJSON: ${at} is longer than ${MAX_LINE_BYTES} bytes (32 MiB), the longest line bucketql reads`, {
    ...where,
    limit: MAX_LINE_BYTES,
  });
}

async function* readNdjsonTable(source: ByteSource, options: TableReadOptions): AsyncGenerator<TableEvent> {
  const startOffset = options.startOffset ?? 0;
  const stream = await source.open(startOffset);
  try {
    yield { type: 'dialect', encoding: 'utf-8' };
    // The bytes of the unfinished last line, as they came: joined once, when its end
    // arrives, so that a long line costs its length and not its length squared.
    let carry: Buffer[] = [];
    let carryLength = 0;
    let carryStart = startOffset; // byte offset of the carry's first byte in the object
    let line = 0; // lines before carry (only known when reading from the start)
    // Where a line is: its number from the start, else (resumed reads) its byte offset.
    const where = (lineStartByte: number): Where => (startOffset === 0 ? { line } : { byte: lineStartByte });
    // Where the next line (not counted yet) is.
    const whereNext = (lineStartByte: number): Where => (startOffset === 0 ? { line: line + 1 } : { byte: lineStartByte });
    let bomChecked = startOffset !== 0;
    const join = (more: Buffer[]): Buffer => {
      const parts = [...carry, ...more];
      let buffer = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
      carry = [];
      carryLength = 0;
      if (!bomChecked && buffer.length >= 3) {
        bomChecked = true;
        if (hasBom(buffer)) {
          buffer = buffer.subarray(3);
          carryStart += 3;
        }
      }
      return buffer;
    };
    /** The complete lines of `buffer` as records; what follows the last line break stays carried. */
    function* lines(buffer: Buffer): Generator<TableEvent> {
      const records: Record<string, unknown>[] = [];
      const ends: number[] = [];
      let lineStart = 0;
      for (let nl = buffer.indexOf(0x0a); nl !== -1; nl = buffer.indexOf(0x0a, lineStart)) {
        if (nl - lineStart > MAX_LINE_BYTES) throw lineTooLong(whereNext(carryStart + lineStart));
        line++;
        if (!isBlank(buffer, lineStart, nl)) {
          records.push(toRecord(buffer.toString('utf8', lineStart, nl), where(carryStart + lineStart)));
          ends.push(carryStart + nl + 1);
        }
        lineStart = nl + 1;
      }
      if (lineStart < buffer.length) {
        carry = [buffer.subarray(lineStart)];
        carryLength = buffer.length - lineStart;
      }
      carryStart += lineStart;
      if (carryLength > MAX_LINE_BYTES) throw lineTooLong(whereNext(carryStart));
      if (records.length > 0) yield* emit(records, ends);
    }
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // A client that went away stops the work, even when the bytes are already here
      // (a small gzip can inflate to gigabytes).
      options.signal?.throwIfAborted();
      if (chunk.indexOf(0x0a) === -1 || (!bomChecked && carryLength + chunk.length < 3)) {
        carry.push(chunk);
        carryLength += chunk.length;
        if (carryLength > MAX_LINE_BYTES) throw lineTooLong(whereNext(carryStart));
        continue;
      }
      yield* lines(join([chunk]));
    }
    const rest = join([]);
    yield* lines(rest);
    if (carryLength > 0) {
      const last = join([]);
      if (!isBlank(last, 0, last.length)) {
        line++;
        yield* emit([toRecord(last.toString('utf8'), where(carryStart))], [carryStart + last.length]);
      }
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
  encode: (content) => {
    if (!Array.isArray(content)) throw new BadUserInput('.ndjson/.jsonl content must be an array: each item becomes one line');
    return Buffer.from(content.map((value) => `${JSON.stringify(value)}\n`).join(''), 'utf8');
  },
};
