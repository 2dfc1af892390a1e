// What the pickle codec promises: pandas DataFrames and Series (pandas 1.x and 2.x,
// numpy 1 and 2) read as tables and content with the values and types pandas shows;
// plain Python data reads as JSON; anything that would run code or blow up fails
// with DECODE_FAILED, quickly, and runs nothing. The fixtures and their expected
// values come from test/fixtures/pickle/make_fixtures.py.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPickleCodec, pickleCodec } from '../../src/codecs/pickle/index.js';
import type { ByteSource, RawCell, TableEvent } from '../../src/codecs/types.js';
import { BadUserInput, DecodeFailed, PayloadTooLarge } from '../../src/errors.js';

type Tagged = [kind: 'null' | 'int' | 'float' | 'bool' | 'string' | 'datetime' | 'date' | 'json', value: unknown];

interface FrameExpectation {
  kind: 'table';
  pythonType: string;
  pandasDtypes: string[];
  names: string[];
  cells: Tagged[][];
  json: Record<string, unknown>[];
}

interface Manifest {
  frames: Record<string, FrameExpectation>;
  plain: Record<string, unknown>;
  tables: Record<
    string,
    | { kind: 'records'; records: [string, ...Tagged][][] }
    | { kind: 'table'; names: string[]; cells: Tagged[][] }
    | { kind: 'none'; pythonType: string }
  >;
  malicious: Record<string, { global: string | null; marker: string }>;
}

const FIXTURES = new URL('../fixtures/pickle/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURES), 'utf8')) as Manifest;

function fixture(file: string): Buffer {
  return readFileSync(new URL(file, FIXTURES));
}

function source(bytes: Buffer): ByteSource {
  return { size: bytes.length, open: async () => Readable.from([bytes]) };
}

async function readEvents(bytes: Buffer, codec = pickleCodec): Promise<TableEvent[]> {
  const events: TableEvent[] = [];
  const reader = codec.readTable;
  if (!reader) throw new Error('no readTable');
  for await (const event of reader(source(bytes), { header: true })) events.push(event);
  return events;
}

function decode(bytes: Buffer): unknown {
  const decodeValue = pickleCodec.decodeValue;
  if (!decodeValue) throw new Error('no decodeValue');
  return decodeValue(bytes, {});
}

function expectCell(cell: RawCell, [kind, value]: Tagged, where: string): void {
  switch (kind) {
    case 'null':
      expect(cell, where).toBeNull();
      return;
    case 'int':
      if (typeof value === 'string') expect(cell, where).toBe(BigInt(value));
      else expect(cell, where).toBe(value);
      return;
    case 'float':
      expect(typeof cell, where).toBe('number');
      expect(cell, where).toBe(value);
      return;
    case 'bool':
    case 'string':
      expect(cell, where).toBe(value);
      return;
    case 'datetime':
      expect(cell, where).toBeInstanceOf(Date);
      // Date keeps milliseconds; the JSON form keeps the rest.
      expect((cell as Date).toISOString(), where).toBe(`${(value as string).slice(0, 23)}Z`);
      return;
    case 'date':
      expect(cell, where).toBeInstanceOf(Date);
      expect((cell as Date).toISOString(), where).toBe(`${value as string}T00:00:00.000Z`);
      return;
    case 'json':
      expect(cell, where).toEqual(value);
      return;
  }
}

describe('DataFrames and Series (pandas 1.5 protocols 0–5, pandas 2 / numpy 2 shapes)', () => {
  for (const [file, expected] of Object.entries(manifest.frames)) {
    describe(file, () => {
      const bytes = fixture(file);

      it('reads as content: rows of { column: value }, the same values pandas shows', () => {
        const value = decode(bytes);
        expect(value).toEqual(expected.json);
      });

      it(`reads as a table with typed cells (${expected.pandasDtypes.join(', ')})`, async () => {
        const events = await readEvents(bytes);
        const header = events[0] as { type: string; names: string[]; types?: (string | null)[] };
        expect({ type: header.type, names: header.names }).toEqual({ type: 'header', names: expected.names });
        // numpy float columns declare FLOAT, so that 1.0 is not inferred as INT; no other column declares.
        const offset = expected.names.length - expected.pandasDtypes.length;
        expected.pandasDtypes.forEach((dtype, c) => {
          expect(header.types?.[offset + c] ?? null, `${expected.names[offset + c]} (${dtype})`).toBe(
            /^float/.test(dtype) ? 'FLOAT' : null,
          );
        });
        const rows = events.slice(1).flatMap((event) => (event.type === 'rows' ? event.rows : []));
        expect(rows).toHaveLength(expected.cells.length);
        rows.forEach((row, r) => {
          expect(row).toHaveLength(expected.names.length);
          row.forEach((cell, c) => {
            expectCell(cell, expected.cells[r]?.[c] as Tagged, `row ${r}, ${expected.names[c]}`);
          });
        });
      });
    });
  }

  it('reads every pandas dtype with the cell type pandas shows', () => {
    const expected = manifest.frames['frames/dtypes_p4.pkl'] as FrameExpectation;
    const kinds = Object.fromEntries(expected.names.map((name, c) => [name, new Set(expected.cells.map((row) => row[c]?.[0]))]));
    expect(kinds).toMatchObject({
      int8: new Set(['int']),
      uint64: new Set(['int']),
      float32: new Set(['float', 'null']),
      bool: new Set(['bool']),
      datetime: new Set(['datetime', 'null']),
      datetime_seoul: new Set(['datetime', 'null']),
      category: new Set(['string', 'null']),
      Int64: new Set(['int', 'null']),
    });
  });

  it('keeps nanoseconds in content and converts zoned datetimes to UTC', () => {
    const rows = decode(fixture('frames/dtypes_p4.pkl')) as Record<string, unknown>[];
    expect(rows[0]?.datetime_seoul).toBe('2024-01-15T00:30:00.000Z');
    expect(rows[2]?.datetime).toBe('1970-01-01T00:00:00.000001Z');
    expect(rows[1]?.int64).toBe(2 ** 53 - 1);
    expect(rows[2]?.int64).toBe('9007199254740993');
    expect(rows[2]?.uint64).toBe('18446744073709551615');
  });

  it('names the index column after the index, and level_0 when a column is already called index', () => {
    expect((decode(fixture('frames/named_index_p4.pkl')) as object[])[0]).toEqual({ key: 'a', v: 1.5 });
    expect((decode(fixture('frames/int_index_p4.pkl')) as object[])[0]).toEqual({ level_0: 10, v: 'x', index: 1 });
    expect((decode(fixture('frames/series_named_p4.pkl')) as object[])[0]).toEqual({ price: 1.5 });
  });
});

describe('plain Python data', () => {
  for (const [file, expected] of Object.entries(manifest.plain)) {
    it(`${file} reads as the documented JSON`, () => {
      expect(decode(fixture(file))).toEqual(expected);
    });
  }

  it('shows bytes as base64, big ints as decimal strings, NaN as null and sets as arrays', () => {
    const value = decode(fixture('plain/values_p4.pkl')) as Record<string, unknown>;
    expect(value).toMatchObject({
      bytes: Buffer.from('\x00\x01binary\xff', 'latin1').toString('base64'),
      big: '1180591620717411303424',
      just_unsafe: '9007199254740993',
      nan: null,
      inf: null,
      set: [1, 2, 3],
      int_keys: { '1': 'one', '2.5': 'float key', null: 'none key', false: 'bool key', '[1,"a"]': 'tuple key' },
      datetime_fixed: '2024-01-15T00:30:00.000Z',
      datetime_naive: '2024-01-15T09:30:00.123456Z',
      datetime_pytz: '2024-07-01T16:00:00.000Z',
      datetime_zoneinfo: '2024-07-01T03:00:00.000Z',
      date: '2024-01-15',
      time: '09:30:01.000005',
      timedelta: '-PT23H59M54.999993S',
      decimal: '1.10',
      np_datetime64: '2024-01-15T09:30:00.000000001Z',
      pd_nat: null,
      pd_na: null,
    });
  });

  it('reads a list of dicts as records and a dict of equal-length lists as columns', async () => {
    for (const [file, expected] of Object.entries(manifest.tables)) {
      const bytes = fixture(file);
      if (expected.kind === 'none') {
        await expect(readEvents(bytes)).rejects.toThrow(BadUserInput);
        await expect(readEvents(bytes)).rejects.toThrow(`not a table: it holds a ${expected.pythonType}`);
        continue;
      }
      const events = await readEvents(bytes);
      if (expected.kind === 'records') {
        const records = events.flatMap((event) => (event.type === 'records' ? event.records : []));
        expect(records).toHaveLength(expected.records.length);
        expected.records.forEach((fields, r) => {
          expect(Object.keys(records[r] ?? {})).toEqual(fields.map(([key]) => key));
          for (const [key, kind, value] of fields) expectCell(records[r]?.[key] as RawCell, [kind, value], `${file} ${r}.${key}`);
        });
      } else {
        expect(events[0]).toEqual({ type: 'header', names: expected.names });
        const rows = events.flatMap((event) => (event.type === 'rows' ? event.rows : []));
        rows.forEach((row, r) => {
          row.forEach((cell, c) => {
            expectCell(cell, expected.cells[r]?.[c] as Tagged, `${file} ${r}.${c}`);
          });
        });
      }
    }
  });
});

describe('malicious pickles fail with DECODE_FAILED, fast, and run nothing', () => {
  for (const [file, expected] of Object.entries(manifest.malicious)) {
    it(`${file}${expected.global ? ` (names ${expected.global})` : ''}`, async () => {
      rmSync(expected.marker, { force: true });
      const bytes = fixture(file);
      const started = performance.now();
      let error: unknown;
      try {
        decode(bytes);
      } catch (caught) {
        error = caught;
      }
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(DecodeFailed);
      expect((error as DecodeFailed).code).toBe('DECODE_FAILED');
      if (expected.global) {
        expect((error as DecodeFailed).message).toBe(
          `pickle refers to ${expected.global}, which bucketql does not load (only plain data, numpy and pandas are read)`,
        );
        expect((error as DecodeFailed).extensions.global).toBe(expected.global);
      }
      expect(elapsed).toBeLessThan(1000);
      // As a table it fails too: DECODE_FAILED, or BAD_USER_INPUT when what it holds is no table.
      const tableError = await readEvents(bytes).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(
        expected.global ? tableError instanceof DecodeFailed : tableError instanceof DecodeFailed || tableError instanceof BadUserInput,
      ).toBe(true);
      expect(existsSync(expected.marker)).toBe(false);
    });
  }
});

describe('limits and errors', () => {
  it('reads whole pickles for tables only up to the configured size', async () => {
    const codec = createPickleCodec({ maxTableBytes: 100 });
    await expect(readEvents(fixture('frames/dtypes_p4.pkl'), codec)).rejects.toThrow(PayloadTooLarge);
  });

  it('says where a truncated pickle ends', () => {
    const bytes = fixture('frames/dtypes_p4.pkl');
    expect(() => decode(bytes.subarray(0, 500))).toThrow(DecodeFailed);
    expect(() => decode(bytes.subarray(0, 500))).toThrow(/truncated|underflow/);
  });

  it('rejects garbage and unknown protocols', () => {
    expect(() => decode(Buffer.from('hello'))).toThrow(DecodeFailed);
    expect(() => decode(Buffer.from([0x80, 0x09, 0x4e, 0x2e]))).toThrow(/unsupported pickle protocol: 9/);
    expect(() => decode(Buffer.alloc(0))).toThrow(DecodeFailed);
  });

  it('emits rows in batches and reports the first failing row', async () => {
    const codec = createPickleCodec({ batchRows: 1 });
    const events = await readEvents(fixture('frames/dtypes_p4.pkl'), codec);
    expect(events.filter((event) => event.type === 'rows')).toHaveLength(3);
  });
});
