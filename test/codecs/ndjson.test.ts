// What NDJSON / JSON Lines decoding promises: one JSON value a line; a table when every
// line holds an object (columns: the union of keys in first-seen order); blank lines
// and a BOM skipped; for every row the byte offset where the next line starts, so a
// later page resumes there; a line that is not an object is BAD_USER_INPUT and a line
// that is not JSON is DECODE_FAILED, each naming the line (and column); a line beyond
// 32 MiB is DECODE_FAILED naming the limit, found in linear time; an aborted read stops.
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MAX_LINE_BYTES, ndjsonCodec } from '../../src/codecs/ndjson.js';
import type { ByteSource, Codec, TableReadOptions } from '../../src/codecs/types.js';
import { failure } from '../support/failure.js';
import { allValues, collect, readWith, tableOf } from '../support/tables.js';

const read = (text: string | Buffer, options = {}, chunkSize?: number) => readWith(ndjsonCodec, text, options, chunkSize);
const collectFrom = (codec: Codec, source: ByteSource, options: Partial<TableReadOptions>) =>
  collect((codec.readTable as NonNullable<Codec['readTable']>)(source, { header: true, ...options }));
const decode = (text: string) => ndjsonCodec.decodeValue?.(Buffer.from(text, 'utf8'), {});

describe('lines of objects', () => {
  it('are the rows of a table', async () => {
    const table = await read('{"id":1,"name":"가"}\n{"id":2,"name":"나"}\n');
    expect(table.dialect).toEqual({ encoding: 'utf-8' });
    expect(table.rows).toEqual([
      { id: 1, name: '가' },
      { id: 2, name: '나' },
    ]);
  });

  it('give the union of their keys as columns, in first-seen order', async () => {
    const reader = tableOf('{"b":1}\n{"a":"x","b":2}\n{"c":[1]}\n', { codec: ndjsonCodec });
    expect((await reader.schema()).columns.map((c) => [c.name, c.type])).toEqual([
      ['b', 'INT'],
      ['a', 'STRING'],
      ['c', 'JSON'],
    ]);
    expect(await allValues(reader)).toEqual([
      { b: 1, a: null, c: null },
      { b: 2, a: 'x', c: null },
      { b: null, a: null, c: [1] },
    ]);
  });

  it('may be separated by blank lines, end with CRLF, start with a BOM, and end without a line break', async () => {
    const table = await read('\uFEFF{"a":1}\r\n\r\n   \n{"a":2}\n\t\n{"a":3}');
    expect(table.rows).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('are read whatever the chunking, Korean and emoji split between chunks', async () => {
    const records = Array.from({ length: 200 }, (_, i) => ({ i, text: `한글 😀 ${i}` }));
    const text = records.map((r) => JSON.stringify(r)).join('\n');
    expect((await read(text, {}, 1)).rows).toEqual(records);
    expect((await read(text, {}, 13)).rows).toEqual(records);
  });

  it('may be none: an empty object is an empty table', async () => {
    expect((await read('')).rows).toEqual([]);
    expect((await read('\n\n')).rows).toEqual([]);
  });
});

describe('offsetAfter', () => {
  const record = fc.record({ k: fc.string({ unit: 'grapheme', maxLength: 5 }), n: fc.integer() }, { requiredKeys: ['n'] });

  it('is where the next line starts: a read resumed there gives exactly the rows that follow (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(record, fc.constantFrom('\n', '\r\n', '\n\n', '\n  \n')), { maxLength: 20 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 11 }),
        async (lines, bom, chunkSize) => {
          const parts = lines.map(([value, end]) => Buffer.from(`${JSON.stringify(value)}${end}`, 'utf8'));
          const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), ...parts]);
          // The byte offset just after each record's own line break.
          let at = bom ? 3 : 0;
          const expected = lines.map(([value, end], i) => {
            const offset = at + Buffer.byteLength(JSON.stringify(value)) + end.indexOf('\n') + 1;
            at += (parts[i] as Buffer).length;
            return offset;
          });
          const table = await read(bytes, {}, chunkSize);
          expect(table.rows).toEqual(lines.map(([value]) => value));
          expect(table.offsets).toEqual(expected);
          for (let i = 0; i < lines.length; i++) {
            const offset = table.offsets[i] as number;
            const resumed = await read(bytes, { startOffset: offset }, chunkSize);
            expect(resumed.rows).toEqual(lines.slice(i + 1).map(([value]) => value));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('lines that are not objects (BAD_USER_INPUT)', () => {
  it.each([
    ['{"a":1}\n[1,2]\n', 2, 'an array'],
    ['{"a":1}\n\n5\n', 3, 'a number'],
    ['"text"', 1, 'a string'],
    ['{"a":1}\nnull', 2, 'null'],
  ])('%j: line %d', async (text, line, what) => {
    const error = await failure(read(text));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain(`line ${line} holds ${what}`);
  });

  it('are still values for `json` and `content`', () => {
    expect(decode('{"a":1}\n[1,2]\n\n5\r\n"x"\n')).toEqual([{ a: 1 }, [1, 2], 5, 'x']);
  });
});

describe('lines that are not JSON (DECODE_FAILED with line and column)', () => {
  const cases: [string, number, number][] = [
    ['{"a":1}\n{"a":}\n', 2, 6],
    ['{"a":1}\n\n{"a" 1}\n', 3, 6],
    ['{"a":1}\n{"이름": 홍}\n', 2, 8],
    ['{"a":1}\n{"a":1} x\n', 2, 9],
    ['{"a":1}\n{"a":"unterminated\n{"a":2}\n', 2, 19],
  ];

  it.each(cases)('%j: line %d, column %d, as a table', async (text, line, column) => {
    const error = await failure(read(text));
    expect(error.extensions.code).toBe('DECODE_FAILED');
    expect(error.extensions).toMatchObject({ line, column });
    expect(error.message).toContain(`line ${line}, column ${column}`);
  });

  it.each(cases)('%j: line %d, column %d, decoded whole', async (text, line, column) => {
    const error = await failure(() => decode(text));
    expect(error.extensions.code).toBe('DECODE_FAILED');
    expect(error.extensions).toMatchObject({ line, column });
  });

  it('in a read resumed mid-file, names the byte offset of the line (its number is not known there)', async () => {
    const text = '{"a":1}\n{"a":2}\n{"a":}\n';
    const error = await failure(read(text, { startOffset: 8 }));
    expect(error.extensions.code).toBe('DECODE_FAILED');
    expect(error.message).toContain('byte 16');
    expect(error.message).not.toMatch(/line 1\b/);
    const notObject = await failure(read('{"a":1}\n{"a":2}\n[3]\n', { startOffset: 8 }));
    expect(notObject.extensions.code).toBe('BAD_USER_INPUT');
    expect(notObject.message).toContain('byte 16');
  });
});

describe('encode', () => {
  it('writes an array one value a line', async () => {
    expect((await ndjsonCodec.encode?.([{ a: 1 }, [2], '가'], {}))?.toString('utf8')).toBe('{"a":1}\n[2]\n"가"\n');
  });

  it('refuses anything but an array (BAD_USER_INPUT)', async () => {
    expect((await failure(async () => ndjsonCodec.encode?.({ a: 1 }, {}))).extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('a hostile line', () => {
  const CHUNK = 64 * 1024;

  /** A ByteSource of one endless line (`x` bytes, never a line break), made as it is read. */
  function endlessLine(onChunk: (delivered: number) => void = () => undefined) {
    const chunk = Buffer.alloc(CHUNK, 'x');
    const source = {
      size: Number.MAX_SAFE_INTEGER,
      delivered: 0,
      async open() {
        return Readable.from(
          (function* () {
            while (true) {
              source.delivered += CHUNK;
              onChunk(source.delivered);
              // A copy, as a stream gives fresh buffers.
              yield Buffer.from(chunk);
            }
          })(),
        );
      },
    };
    return source;
  }

  it('longer than the limit is DECODE_FAILED naming it, after reading the limit once (linear, not quadratic)', async () => {
    const source = endlessLine();
    // Bytes copied by Buffer.concat: joining a long line chunk after chunk copies it again and again.
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const error = await failure(collectFrom(ndjsonCodec, source, {}));
      expect(error.extensions.code).toBe('DECODE_FAILED');
      expect(error.message).toContain(String(MAX_LINE_BYTES));
      expect(error.extensions).toMatchObject({ line: 1, limit: MAX_LINE_BYTES });
      expect(source.delivered).toBeLessThanOrEqual(MAX_LINE_BYTES + 2 * CHUNK);
      const copied = concat.mock.calls.reduce((sum, [list]) => sum + list.reduce((n, b) => n + b.length, 0), 0);
      expect(copied).toBeLessThanOrEqual(source.delivered);
    } finally {
      concat.mockRestore();
    }
  }, 60_000);

  it('stops being read when the request is aborted (the client went away)', async () => {
    const controller = new AbortController();
    const source = endlessLine((delivered) => {
      if (delivered === 4 * CHUNK) controller.abort();
    });
    await expect(collectFrom(ndjsonCodec, source, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(source.delivered).toBeLessThanOrEqual(6 * CHUNK);
  }, 60_000);
});
