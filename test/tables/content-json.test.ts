// What `content` of a CSV/TSV promises when it is written from columns (columnsJson,
// and tableJson from a table the cache holds): exactly the bytes the row-object path
// (rowsJson, JSON.stringify of `rowValues`) writes for the same object, whatever its
// cells (quotes, empty cells, unicode, lone surrogates, numbers at the edges of
// exactness, dates, booleans, ragged rows), its names, its dialect and how it is cut.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCodec, tsvCodec } from '../../src/codecs/csv.js';
import { JsonBytes } from '../../src/codecs/json-bytes.js';
import type { SerialisedJson } from '../../src/codecs/serialised-json.js';
import { TableCache } from '../../src/tables/cache.js';
import { columnsJson, rowsJson, tableJson } from '../../src/tables/content-json.js';
import { countRows } from '../../src/tables/query.js';
import { tableOf } from '../support/tables.js';

const text = (value: SerialisedJson) => Buffer.concat(value.chunks).toString('utf8');
const bytesOf = (value: SerialisedJson) => Buffer.concat(value.chunks);

const CELLS = [
  '',
  '0',
  '-0',
  '007',
  '12',
  '-3.25',
  '1e5',
  '1e21',
  '1e-7',
  '1.5e300',
  '1e309',
  '.5',
  '0.1',
  '3.14159265358979',
  '9007199254740991',
  '-9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '123456789.123456789',
  '4.35',
  'true',
  'FALSE',
  'TrUe',
  '2024-01-15',
  '2024-02-29',
  '2023-02-29',
  '2024-01-15 09:30:00',
  '2024-01-15T09:30:00+09:00',
  '2024-01-15T09:30:00.5Z',
  '0000-01-01',
  '9999-12-31T23:59:59.999',
  '1969-12-31T23:59:59.999Z',
  'NA',
  'null',
  'abc',
  '서울',
  '😀 astral',
  'q"q',
  '"',
  'back\\slash',
  'a,b',
  'tab\there',
  'multi\nline',
  'cr\r\nlf',
  'ctl\u0001\u001f',
  '\u2028\u2029',
  '\u007f',
  ' 5',
  '5 ',
];

const NAMES = ['id', 'name', '1', '0', '10', '4294967294', '4294967295', '01', '__proto__', 'column_3', 'column_5', '', 'a"b', '한', 'x'];

const quote = (cell: string, delimiter: string) =>
  cell.includes('"') || cell.includes(delimiter) || /[\r\n]/.test(cell) || cell === '' ? `"${cell.replaceAll('"', '""')}"` : cell;

interface Sample {
  names: string[];
  rows: string[][];
  delimiter: ',' | '\t' | ';';
  newline: '\n' | '\r\n' | '\r';
  inferRows: number;
  chunkSize: number;
  /** Raw bytes spliced into some cells: a CESU-encoded lone surrogate, a stray continuation byte (not UTF-8: papaparse's). */
  invalid: boolean;
  utf16: boolean;
}

const sample: fc.Arbitrary<Sample> = fc.record({
  names: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 6 }),
  rows: fc.array(fc.array(fc.constantFrom(...CELLS), { minLength: 0, maxLength: 8 }), { minLength: 0, maxLength: 60 }),
  delimiter: fc.constantFrom(',' as const, '\t' as const, ';' as const),
  newline: fc.constantFrom('\n' as const, '\r\n' as const, '\n' as const, '\r' as const),
  inferRows: fc.constantFrom(1, 2, 5, 1000),
  chunkSize: fc.constantFrom(7, 64, 4096),
  invalid: fc.boolean(),
  utf16: fc.constantFrom(false, false, false, true),
});

function fileOf(s: Sample): Buffer {
  const line = (cells: string[]) => (cells.length === 0 ? '""' : cells.map((c) => quote(c, s.delimiter)).join(s.delimiter));
  const lines = [line(s.names), ...s.rows.map(line)];
  const body = `${lines.join(s.newline)}${s.newline}`;
  if (s.utf16) {
    // UTF-16 carries lone surrogates: one in a cell of the last row.
    const withLone = s.rows.length > 0 ? `${body}\ud800lone${s.newline}` : body;
    return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withLone, 'utf16le')]);
  }
  const bytes = Buffer.from(body, 'utf8');
  if (!s.invalid || s.rows.length === 0) return bytes;
  return Buffer.concat([bytes, Buffer.from('\xed\xa0\x80,\x80x', 'latin1'), Buffer.from(s.newline)]);
}

const setups = (s: Sample, bytes: Buffer, cache: TableCache, cacheTableBytes: number) => ({
  codec: s.delimiter === '\t' ? tsvCodec : csvCodec,
  inferRows: s.inferRows,
  chunkSize: s.chunkSize,
  cacheTableBytes,
  cache,
  etag: `e${bytes.length}`,
});

describe('content written from columns', () => {
  // 250 files take about 6 s alone, several times that beside the other suites.
  it('is byte for byte what the row objects make, from the object and from the cached table (property)', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(sample, fc.boolean(), async (s, small) => {
        const bytes = fileOf(s);
        // As content reads: nothing kept (cacheTableBytes 0), a cache of its own for each path.
        const outcome = (write: typeof rowsJson) =>
          write(tableOf(bytes, setups(s, bytes, new TableCache(1 << 26), 0))).then(text, (error: unknown) => error);
        const before = await outcome(rowsJson);
        const after = await outcome(columnsJson);
        if (typeof before !== 'string') {
          // A file neither path can read (a quote the guessed dialect finds misplaced): the same error.
          expect(after).toBeInstanceOf(Error);
          expect(after).toEqual(before);
          return;
        }
        expect(JSON.parse(before)).toEqual(expect.any(Array));
        expect(after).toBe(before);
        // A table question first (read small and whole, or sampled then scanned), then content from what it kept.
        const cache = new TableCache(1 << 26);
        const table = tableOf(bytes, setups(s, bytes, cache, small ? 1 << 24 : 0));
        await countRows(table, null);
        await countRows(table, { column: (await table.schema()).columns[0]?.name ?? 'x', op: 'IS_NULL' });
        const columns = cache.getColumns(table.id);
        const schema = cache.getSchema(table.id);
        // Old-Mac line ends too: a read resumed after the sample keeps the line end the first
        // bytes showed (LF from a quoted cell, say), as the read from the top does.
        if (columns && schema) expect(text(await tableJson(schema.columns, columns))).toBe(before);
      }),
      { numRuns: 250 },
    );
  });

  it('writes the 100k rows of a table past its dictionaries and text segments as the row objects do', async () => {
    const cities = ['서울', 'Busan', '"Quoted, city"', 'Daejeon'];
    const lines = ['id,name,city,amount,active,created_at,code'];
    for (let i = 0; i < 100_000; i++) {
      const city = cities[i % cities.length] as string;
      // Every 997th name needs escapes (quotes, a tab, a control character, a backslash) or is not ASCII.
      const name = i % 997 === 0 ? `"u ""${i}""\t\u0001 back\\ 서울 😀"` : i % 991 === 0 ? '' : `user_${i}`;
      lines.push(
        `${i},${name},${city.startsWith('"') ? `"""${city.slice(1, -1)}"""` : city},${i % 1009 === 0 ? 'n/a' : ((i * 1.37) % 1000).toFixed(2)},${i % 3 === 0},2024-01-${String(1 + (i % 28)).padStart(2, '0')} 09:${String(i % 60).padStart(2, '0')}:00,${String(i).padStart(6, '0')}${i === 77_777 ? ',extra' : ''}`,
      );
    }
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const setup = { codec: csvCodec, cacheTableBytes: 0, inferRows: 1000 };
    const before = bytesOf(await rowsJson(tableOf(bytes, setup)));
    const after = bytesOf(await columnsJson(tableOf(bytes, setup)));
    expect(after.equals(before)).toBe(true);
    const cache = new TableCache(1 << 28);
    const table = tableOf(bytes, { ...setup, cache });
    await countRows(table, null);
    const kept = cache.getColumns(table.id);
    expect(kept).toBeDefined();
    expect(bytesOf(await tableJson((await table.schema()).columns, kept as NonNullable<typeof kept>)).equals(before)).toBe(true);
  });
});

describe('JsonBytes', () => {
  const one = (write: (out: JsonBytes) => void) => {
    const out = new JsonBytes();
    write(out);
    return text(out.finish());
  };

  it('writes numbers as JSON.stringify does (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-0, 2 ** 53, 1e21, 5e-324)), (n) => {
        expect(one((out) => out.number(n))).toBe(JSON.stringify(n));
      }),
      { numRuns: 5000 },
    );
  });

  it('writes dates as toISOString does, every year from -300000 to 300000 (property)', () => {
    const limit = 8.64e15;
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -limit, max: limit }), fc.integer({ min: -62_167_219_200_000 - 1e6, max: 253_402_300_800_000 + 1e6 })),
        (ms) => {
          expect(one((out) => out.date(ms))).toBe(JSON.stringify(new Date(ms)));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('writes strings, from text and from UTF-8 bytes, as JSON.stringify does (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (lone, wellFormed) => {
        expect(one((out) => out.string(lone))).toBe(JSON.stringify(lone));
        expect(one((out) => out.string(wellFormed))).toBe(JSON.stringify(wellFormed));
        const utf8 = Buffer.from(`xx${wellFormed}y`);
        expect(one((out) => out.utf8(utf8, 2, utf8.length - 1))).toBe(JSON.stringify(wellFormed));
      }),
      { numRuns: 1500 },
    );
    for (let c = 0; c < 0x80; c++) {
      const s = `a${String.fromCharCode(c)}b`;
      expect(one((out) => out.utf8(Buffer.from(s), 0, 3))).toBe(JSON.stringify(s));
    }
  });
});
