// JSON: any value for `json`/`content`; a top-level array of objects is a table,
// read with a streaming parser so a large array never sits in memory whole.
import { JSONParser } from '@streamparser/json';
import { BadUserInput, DecodeFailed } from '../errors.js';
import { createDecoder } from '../text/encoding.js';
import { describeJsonType, isRecord, jsonEncodingOf, jsonText, parseJson } from './json-text.js';
import type { ByteSource, Codec, TableEvent, TableReadOptions } from './types.js';

const BATCH = 1000;

async function* readJsonTable(source: ByteSource, options: TableReadOptions): AsyncGenerator<TableEvent> {
  const stream = await source.open(0);
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    let records: Record<string, unknown>[] = [];
    let index = 0;
    let failure: unknown = null;
    const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
    parser.onValue = ({ value }) => {
      if (!isRecord(value)) {
        failure = new BadUserInput(`The JSON object is not a table: item ${index} of the top-level array is ${describeJsonType(value)}, not an object`);
        throw failure;
      }
      records.push(value);
      index++;
    };
    parser.onError = (error) => {
      failure ??= error;
    };
    let first = true;
    let checkedTopLevel = false;
    let decoder: ReturnType<typeof createDecoder> | null = null;
    while (true) {
      const next = await iterator.next();
      if (next.done) break;
      if (first) {
        decoder = createDecoder(jsonEncodingOf(next.value, options.encoding));
        first = false;
      }
      const text = (decoder as ReturnType<typeof createDecoder>).write(next.value);
      if (!checkedTopLevel && text.trim() !== '') {
        // Only an array can be a table: say so before parsing anything else.
        if (text.trimStart()[0] !== '[') throw new BadUserInput('The JSON object is not a table: only a top-level array of objects is');
        checkedTopLevel = true;
      }
      if (text) writeOrFail(parser, text, () => failure);
      if (records.length >= BATCH) {
        yield { type: 'records', records };
        records = [];
      }
    }
    if (decoder) {
      const rest = decoder.end();
      if (rest) writeOrFail(parser, rest, () => failure);
    }
    if (first) throw new DecodeFailed('JSON: the object is empty', { line: 1 });
    if (!parser.isEnded) {
      try {
        parser.end();
      } catch {
        throw new DecodeFailed('JSON: unexpected end of input (truncated?)', {});
      }
    }
    if (records.length > 0) yield { type: 'records', records };
  } finally {
    await iterator.return?.();
    stream.destroy();
  }
}

function writeOrFail(parser: JSONParser, text: string, failure: () => unknown): void {
  try {
    parser.write(text);
  } catch (error) {
    const cause = failure() ?? error;
    if (cause instanceof BadUserInput || cause instanceof DecodeFailed) throw cause;
    throw new DecodeFailed(`JSON: invalid JSON: ${String((cause as Error)?.message ?? cause).slice(0, 200)}`, {});
  }
}

export const jsonCodec: Codec = {
  format: 'JSON',
  extensions: ['.json'],
  contentType: 'application/json',
  readTable: readJsonTable,
  decodeValue: (bytes, options) => parseJson(jsonText(bytes, options.encoding), 'JSON'),
  isTableValue: (value) => Array.isArray(value) && value.every(isRecord),
  encode: (content) => Buffer.from(JSON.stringify(content), 'utf8'),
};
