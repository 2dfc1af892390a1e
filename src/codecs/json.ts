// JSON: any value for `json`/`content`; a top-level array of objects is a table,
// read with a streaming parser so a large array never sits in memory whole.
import { Tokenizer, TokenParser } from '@streamparser/json';
import { BadUserInput, DecodeFailed } from '../errors.js';
import { createDecoder } from '../text/encoding.js';
import { RecordRuns } from './json-runs.js';
import {
  describeJsonType,
  isRecord,
  jsonEncodingOf,
  jsonText,
  lineAndColumn,
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  parseJson,
  tooDeepAt,
} from './json-text.js';
import type { ByteSource, Codec, TableEvent, TableReadOptions } from './types.js';

const BATCH = 1000;

/**
 * Where the text fed so far stands: turns the parser's byte offsets (UTF-8, into the
 * decoded text) into lines and columns. Only the current chunk is kept: errors
 * happen while it is being parsed.
 */
class TextPosition {
  private line = 1;
  private column = 1;
  private bytesBefore = 0;
  private chunk = '';

  feed(text: string): void {
    const nl = this.chunk.lastIndexOf('\n');
    if (nl === -1) this.column += this.chunk.length;
    else {
      for (let at = this.chunk.indexOf('\n'); at !== -1; at = this.chunk.indexOf('\n', at + 1)) this.line++;
      this.column = this.chunk.length - nl;
    }
    this.bytesBefore += Buffer.byteLength(this.chunk, 'utf8');
    this.chunk = text;
  }

  /** Line and column of a byte offset; one before the current chunk counts as its start. */
  at(byteOffset: number): { line: number; column: number } {
    let bytes = this.bytesBefore;
    let index = 0;
    for (const char of this.chunk) {
      if (bytes >= byteOffset) break;
      bytes += Buffer.byteLength(char, 'utf8');
      index += char.length;
    }
    const where = lineAndColumn(this.chunk, index);
    return where.line === 1
      ? { line: this.line, column: this.column + where.column - 1 }
      : { line: this.line + where.line - 1, column: where.column };
  }

  /** Where the text ends. */
  end(): { line: number; column: number } {
    return this.at(Number.POSITIVE_INFINITY);
  }
}

/** Errors of the tokenizer say where, in bytes: `... (absolute position "12") ...`. */
function tokenizerPosition(error: Error): number | null {
  const match = /absolute position "(\d+)"/.exec(error.message);
  return match ? Number(match[1]) : null;
}

/**
 * Arrays up to this size (as read) that the reader takes to the end (`readsAll`) are
 * parsed with JSON.parse, which is native: the streaming parser took twice as long as
 * pandas over 100k records (11 MB), most of it in its tokenizer (measured). Larger
 * ones stream, so that none sits in memory whole.
 */
const WHOLE_JSON_BYTES = 16 * 1024 * 1024;

/**
 * The records of a whole JSON text in another encoding than UTF-8 (decoded whole), or
 * null when it is anything but a valid array of objects nesting within the limit: the
 * streaming parser then reads the same bytes and says exactly what is wrong.
 */
function wholeArray(bytes: Buffer, label: string | undefined): Record<string, unknown>[] | null {
  const text = jsonText(bytes, label);
  if (text.trimStart()[0] !== '[') return null;
  // The array is one level: its records may nest MAX_JSON_DEPTH deep.
  if (tooDeepAt(text, MAX_JSON_DEPTH + 1) !== -1) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return Array.isArray(value) && value.every(isRecord) ? value : null;
}

/** The chunks already read, then the rest of the iterator (if any). */
async function* chunksThen(head: Buffer[], rest: AsyncIterator<Buffer> | null): AsyncGenerator<Buffer> {
  yield* head;
  if (!rest) return;
  while (true) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** The events of a read without its first `skip` records (given already by a read that gave up). */
async function* recordsAfter(events: AsyncIterable<TableEvent>, skip: number): AsyncGenerator<TableEvent> {
  for await (const event of events) {
    if (event.type === 'records' && skip > 0) {
      const skipped = Math.min(skip, event.records.length);
      skip -= skipped;
      if (skipped < event.records.length) yield { ...event, records: event.records.slice(skipped) };
      continue;
    }
    yield event;
  }
}

async function* readJsonTable(source: ByteSource, options: TableReadOptions): AsyncGenerator<TableEvent> {
  const stream = await source.open(0);
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    if (options.readsAll && source.size <= WHOLE_JSON_BYTES) yield* readWholeArray(iterator, options);
    else yield* streamJsonTable(chunksThen([], iterator), options);
  } finally {
    await iterator.return?.();
    stream.destroy();
  }
}

/**
 * An array the reader takes to the end, parsed with JSON.parse: in UTF-8 a run of
 * records at a time as the bytes arrive (json-runs.ts), in other encodings whole. The
 * bytes are kept until the end: when they are not a plain array of records within the
 * nesting limit, or grow past WHOLE_JSON_BYTES, the streaming parser reads them again
 * from the top (its errors say where) and gives the records after those given.
 */
async function* readWholeArray(iterator: AsyncIterator<Buffer>, options: TableReadOptions): AsyncGenerator<TableEvent> {
  const kept: Buffer[] = [];
  let bytes = 0;
  let ended = false;
  let runs: RecordRuns | null = null;
  let given = 0;
  while (bytes <= WHOLE_JSON_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = next.value;
    if (kept.length === 0 && jsonEncodingOf(chunk, options.encoding) === 'utf-8') runs = new RecordRuns(MAX_JSON_DEPTH + 1);
    kept.push(chunk);
    bytes += chunk.length;
    if (!runs) continue;
    for (const { records, bytesRead } of runs.push(chunk)) {
      yield { type: 'records', records, bytesRead };
      given += records.length;
    }
    if (runs.failed) break;
  }
  if (ended && runs?.end()) return;
  if (ended && !runs && kept.length > 0) {
    const records = wholeArray(Buffer.concat(kept, bytes), options.encoding);
    if (records) {
      for (let at = 0; at < records.length; at += BATCH) yield { type: 'records', records: records.slice(at, at + BATCH) };
      return;
    }
  }
  yield* recordsAfter(streamJsonTable(chunksThen(kept, ended ? null : iterator), options), given);
}

/** The streaming read of an array of records, with errors that say where. */
async function* streamJsonTable(chunks: AsyncIterable<Buffer>, options: TableReadOptions): AsyncGenerator<TableEvent> {
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    let records: Record<string, unknown>[] = [];
    let index = 0;
    const position = new TextPosition();
    // The tokenizer and token parser of @streamparser/json wired by hand, as its
    // JSONParser does, to know which token a parse error is about. Errors throw out of
    // write(): with the JSONParser's onError they were only noted, and a broken array
    // (or one holding non-objects) read as a shorter table.
    let tokenOffset = 0;
    let failure: Error | null = null;
    const fail = (error: Error) => {
      if (!failure) {
        if (error instanceof BadUserInput || error instanceof DecodeFailed) failure = error;
        else {
          const at = tokenizerPosition(error);
          const truncated = /ended in (the middle of a token|mid-parsing)/.test(error.message);
          const where = truncated ? position.end() : position.at(at ?? tokenOffset);
          const reason = truncated ? 'unexpected end of input (truncated?)' : at !== null ? 'unexpected character' : 'unexpected token';
          failure = new DecodeFailed(`JSON: invalid JSON at line ${where.line}, column ${where.column}: ${reason}`, where);
        }
      }
      throw failure;
    };
    const tokenizer = new Tokenizer();
    const parser = new TokenParser({ paths: ['$.*'], keepStack: false });
    tokenizer.onToken = (token) => {
      tokenOffset = token.offset;
      parser.write(token);
    };
    tokenizer.onError = fail;
    tokenizer.onEnd = () => {
      if (!parser.isEnded) parser.end();
    };
    parser.onError = fail;
    parser.onEnd = () => {
      if (!tokenizer.isEnded) tokenizer.end();
    };
    parser.onValue = ({ value }) => {
      if (!isRecord(value)) {
        throw new BadUserInput(
          `The JSON object is not a table: item ${index} of the top-level array is ${describeJsonType(value)}, not an object`,
        );
      }
      // The record itself is one level: its values may nest MAX_JSON_DEPTH - 1 deep.
      if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
        throw new DecodeFailed(`JSON: item ${index} of the top-level array nests deeper than ${MAX_JSON_DEPTH} levels`, {
          item: index,
          limit: MAX_JSON_DEPTH,
        });
      }
      records.push(value);
      index++;
    };

    let decoder: ReturnType<typeof createDecoder> | null = null;
    let checkedTopLevel = false;
    const write = (text: string) => {
      if (!text) return;
      position.feed(text);
      if (!checkedTopLevel && text.trim() !== '') {
        // Only an array can be a table: say so before parsing anything else.
        if (text.trimStart()[0] !== '[') throw new BadUserInput('The JSON object is not a table: only a top-level array of objects is');
        checkedTopLevel = true;
      }
      tokenizer.write(text);
      if (failure) throw failure;
    };
    while (true) {
      const next = await iterator.next();
      if (next.done) break;
      decoder ??= createDecoder(jsonEncodingOf(next.value, options.encoding));
      write(decoder.write(next.value));
      if (records.length >= BATCH) {
        yield { type: 'records', records };
        records = [];
      }
    }
    if (decoder) write(decoder.end());
    if (!checkedTopLevel) throw new DecodeFailed('JSON: the object is empty', { line: 1 });
    if (!tokenizer.isEnded) tokenizer.end();
    if (failure) throw failure;
    if (records.length > 0) yield { type: 'records', records };
  } finally {
    await iterator.return?.();
  }
}

export const jsonCodec: Codec = {
  format: 'JSON',
  extensions: ['.json'],
  contentType: 'application/json',
  readTable: readJsonTable,
  decodeValue: (bytes, options) => parseJson(jsonText(bytes, options.encoding), 'JSON'),
  encode: (content) => Buffer.from(JSON.stringify(content), 'utf8'),
};
