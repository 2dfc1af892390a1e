// What type inference promises: it never loses data. A column's type is the narrowest
// every non-empty sampled cell fits; a cell that does not fit is returned as written.
import { describe, expect, it } from 'vitest';
import type { RawCell } from '../../src/codecs/types.js';
import { ColumnSample, convert, fitsType, kindOf, parseIsoDateTime, type StringReading } from '../../src/tables/infer.js';
import type { ColumnType } from '../../src/tables/types.js';

/** The type inferred for a column holding these cells. */
function typeOf(cells: RawCell[], reading: StringReading = 'text'): ColumnType {
  const sample = new ColumnSample();
  for (const cell of cells) sample.add(cell, reading);
  return sample.type;
}

/** Infers the column from its cells and returns the typed values. */
function typed(cells: RawCell[], reading: StringReading = 'text'): unknown[] {
  const type = typeOf(cells, reading);
  return cells.map((cell) => convert(cell, type, reading));
}

describe('INT', () => {
  it('is every integer that is safe (|n| ≤ 2^53−1)', () => {
    expect(typeOf(['0', '1', '-42', '9007199254740991', '-9007199254740991'])).toBe('INT');
    expect(typed(['9007199254740991', '-9007199254740991'])).toEqual([9007199254740991, -9007199254740991]);
  });

  it('leaves integers beyond 2^53−1 as strings, so no digit is lost', () => {
    expect(typeOf(['9007199254740992'])).toBe('STRING');
    expect(typeOf(['1', '12345678901234567890'])).toBe('STRING');
    expect(typed(['1', '12345678901234567890'])).toEqual(['1', '12345678901234567890']);
  });

  it('leaves numbers with leading zeros (007, zip codes) and plus signs as strings', () => {
    expect(typeOf(['007'])).toBe('STRING');
    expect(typeOf(['02134', '10001'])).toBe('STRING');
    expect(typed(['02134', '10001'])).toEqual(['02134', '10001']);
    expect(typeOf(['+5'])).toBe('STRING');
    expect(typeOf(['00'])).toBe('STRING');
    expect(typeOf(['-007'])).toBe('STRING');
  });
});

describe('FLOAT', () => {
  it('is decimals and exponents', () => {
    expect(typeOf(['1.5', '-0.25', '1e3', '2.5E-3', '0.0'])).toBe('FLOAT');
    expect(typed(['1.5', '-0.25', '1e3', '2.5E-3'])).toEqual([1.5, -0.25, 1000, 0.0025]);
  });

  it('is what INT and FLOAT cells make together', () => {
    expect(typeOf(['1', '2.5', '3'])).toBe('FLOAT');
    expect(typed(['1', '2.5'])).toEqual([1, 2.5]);
  });

  it('never holds text that only looks numeric: .5, 5., 01.5, NaN, Infinity and overflowing exponents stay strings', () => {
    for (const text of ['.5', '5.', '01.5', 'NaN', 'Infinity', '-Infinity', '1e400', '1,5', '1 000', '0x1F', '1_000']) {
      expect(typeOf([text]), text).toBe('STRING');
    }
  });
});

describe('nulls', () => {
  it('are only empty cells: NA, n/a, null, -, None, NaN and blanks stay strings', () => {
    const cells = ['', 'NA', 'n/a', 'N/A', 'null', 'NULL', '-', 'None', 'nan', ' ', '#N/A'];
    expect(typed(cells)).toEqual([null, 'NA', 'n/a', 'N/A', 'null', 'NULL', '-', 'None', 'nan', ' ', '#N/A']);
  });

  it('do not change the type of the other cells, and make the column nullable', () => {
    const sample = new ColumnSample();
    for (const cell of ['1', '', '3']) sample.add(cell, 'text');
    expect(sample.type).toBe('INT');
    expect(sample.sawNull).toBe(true);
    expect(typed(['1', '', '3'])).toEqual([1, null, 3]);
  });

  it('make a NULL column when every cell is empty', () => {
    expect(typeOf(['', '', ''])).toBe('NULL');
    expect(typeOf([])).toBe('NULL');
  });

  it('are not guessed: an NA among numbers makes the column STRING, every cell as written', () => {
    expect(typeOf(['1', 'NA', '3'])).toBe('STRING');
    expect(typed(['1', 'NA', '3'])).toEqual(['1', 'NA', '3']);
  });
});

describe('BOOLEAN', () => {
  it('is true/false in any letter case', () => {
    expect(typeOf(['true', 'FALSE', 'True', 'fAlSe'])).toBe('BOOLEAN');
    expect(typed(['true', 'FALSE', 'True', 'fAlSe'])).toEqual([true, false, true, false]);
  });

  it('is not yes/no, t/f or 1/0', () => {
    expect(typeOf(['yes', 'no'])).toBe('STRING');
    expect(typeOf(['t', 'f'])).toBe('STRING');
    expect(typeOf(['1', '0'])).toBe('INT');
    expect(typeOf(['true', '1'])).toBe('STRING');
  });
});

describe('DATETIME', () => {
  const cases: [string, string][] = [
    ['2024-01-15', '2024-01-15T00:00:00.000Z'],
    ['2024-01-15 09:30:00', '2024-01-15T09:30:00.000Z'],
    ['2024-01-15T09:30:00', '2024-01-15T09:30:00.000Z'],
    ['2024-01-15T09:30', '2024-01-15T09:30:00.000Z'],
    ['2024-01-15 09:30', '2024-01-15T09:30:00.000Z'],
    ['2024-01-15T09:30:00Z', '2024-01-15T09:30:00.000Z'],
    ['2024-01-15T09:30:00+09:00', '2024-01-15T00:30:00.000Z'],
    ['2024-01-15T09:30:00+0900', '2024-01-15T00:30:00.000Z'],
    ['2024-01-15T09:30:00+09', '2024-01-15T00:30:00.000Z'],
    ['2024-01-15T09:30:00-05:30', '2024-01-15T15:00:00.000Z'],
    ['2024-01-15T09:30:00.123Z', '2024-01-15T09:30:00.123Z'],
    ['2024-01-15T09:30:00.5', '2024-01-15T09:30:00.500Z'],
    ['2024-01-15T09:30:00,25+01:00', '2024-01-15T08:30:00.250Z'],
    ['2024-01-15T09:30:00.123456789Z', '2024-01-15T09:30:00.123Z'],
    ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['0000-02-29', '0000-02-29T00:00:00.000Z'],
    ['0050-06-01', '0050-06-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ];

  it.each(cases)('reads %s as the instant %s (no zone: UTC)', (text, iso) => {
    expect(typeOf([text])).toBe('DATETIME');
    const value = convert(text, 'DATETIME', 'text');
    expect(value).toBeInstanceOf(Date);
    expect((value as Date).toISOString()).toBe(iso);
  });

  it('cuts digits past the millisecond instead of rounding them, as Parquet and pickle times are cut', () => {
    // Rounding would move 23:59:59.9999 into the next day (and year).
    expect(parseIsoDateTime('2024-12-31T23:59:59.9999Z')?.toISOString()).toBe('2024-12-31T23:59:59.999Z');
    expect(parseIsoDateTime('2024-01-15 09:30:00.1239')?.toISOString()).toBe('2024-01-15T09:30:00.123Z');
    expect(parseIsoDateTime('1969-12-31T23:59:59.9999999Z')?.toISOString()).toBe('1969-12-31T23:59:59.999Z');
  });

  it('does not take impossible dates, times or zones', () => {
    for (const text of [
      '2024-02-30',
      '2023-02-29',
      '1900-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '2024-01-32',
      '2024-01-15T24:00:00',
      '2024-01-15T09:60:00',
      '2024-01-15T09:30:60',
      '2024-01-15T09:30:00+19:00',
      '2024-01-15T09:30:00+09:60',
    ]) {
      expect(parseIsoDateTime(text), text).toBeNull();
      expect(typeOf([text]), text).toBe('STRING');
    }
  });

  it('does not take other spellings of dates', () => {
    for (const text of ['2024/01/15', '15.01.2024', '01/15/2024', '2024-1-5', 'Jan 15 2024', '2024-01-15T', '2024-01-15T09']) {
      expect(typeOf([text]), text).toBe('STRING');
    }
  });

  it('is STRING when dates are mixed with other values', () => {
    expect(typeOf(['2024-01-15', 'soon'])).toBe('STRING');
    expect(typeOf(['2024-01-15', '5'])).toBe('STRING');
    expect(typed(['2024-01-15', 'soon'])).toEqual(['2024-01-15', 'soon']);
  });
});

describe('cells beyond the sample that do not fit the column', () => {
  // The sample decided the type; later cells come back as they were written.
  const misfits: [ColumnType, string, RawCell, unknown][] = [
    ['INT', 'a word', 'abc', 'abc'],
    ['INT', 'a decimal', '1.5', '1.5'],
    ['INT', 'a leading zero', '007', '007'],
    ['INT', 'an unsafe integer', '9007199254740993', '9007199254740993'],
    ['INT', 'NA', 'NA', 'NA'],
    ['FLOAT', 'a word', 'n/a', 'n/a'],
    ['FLOAT', 'an overflow', '1e999', '1e999'],
    ['BOOLEAN', 'yes', 'yes', 'yes'],
    ['DATETIME', 'an impossible date', '2024-02-30', '2024-02-30'],
    ['DATETIME', 'a word', 'tomorrow', 'tomorrow'],
  ];

  it.each(misfits)('a %s column returns %s as its original string', (type, _what, cell, expected) => {
    const value = convert(cell, type, 'text');
    expect(value).toEqual(expected);
    expect(fitsType(value, type)).toBe(false);
  });

  it('empty cells are null in every column type', () => {
    for (const type of ['STRING', 'INT', 'FLOAT', 'BOOLEAN', 'DATETIME', 'JSON', 'NULL'] as const) {
      expect(convert('', type, 'text')).toBeNull();
      expect(convert(null, type, 'json')).toBeNull();
    }
  });

  it('a NULL column (empty in the sample) returns later cells as written', () => {
    expect(convert('later', 'NULL', 'text')).toBe('later');
    expect(convert(42, 'NULL', 'json')).toBe(42);
  });
});

describe('typed sources (JSON, NDJSON)', () => {
  it('keep native numbers and booleans, and their strings as strings', () => {
    expect(kindOf(42, 'json')).toBe('INT');
    expect(kindOf(1.5, 'json')).toBe('FLOAT');
    expect(kindOf(true, 'json')).toBe('BOOLEAN');
    expect(typeOf(['123', '007'], 'json')).toBe('STRING');
    expect(typeOf(['true'], 'json')).toBe('STRING');
    expect(typed(['123'], 'json')).toEqual(['123']);
  });

  it('read ISO date strings as DATETIME, since JSON has no date type', () => {
    expect(typeOf(['2024-01-15T09:30:00+09:00'], 'json')).toBe('DATETIME');
    expect((convert('2024-01-15T09:30:00+09:00', 'DATETIME', 'json') as Date).toISOString()).toBe('2024-01-15T00:30:00.000Z');
  });

  it('type nested arrays and objects as JSON, whatever else the column holds', () => {
    expect(typeOf([{ a: 1 }, [1, 2]], 'json')).toBe('JSON');
    expect(typeOf([{ a: 1 }, 'text', 3], 'json')).toBe('JSON');
    expect(typed([{ a: 1 }, 'text', 3], 'json')).toEqual([{ a: 1 }, 'text', 3]);
  });

  it('number cells beyond 2^53 are FLOAT (they are already numbers), integers within are INT', () => {
    expect(typeOf([1, 2 ** 53], 'json')).toBe('FLOAT');
    expect(typeOf([1, -(2 ** 53 - 1)], 'json')).toBe('INT');
  });

  it('keep big integers read as bigint as strings', () => {
    expect(typeOf([12345678901234567890n], 'literal')).toBe('STRING');
    expect(typed([1n << 70n], 'literal')).toEqual(['1180591620717411303424']);
  });

  it('never reinterpret strings of sources with real date types (XLSX, pickle)', () => {
    expect(typeOf(['2024-01-15', '42', 'true'], 'literal')).toBe('STRING');
    expect(typeOf([new Date('2024-01-15T00:00:00Z')], 'literal')).toBe('DATETIME');
  });
});

describe('isoDateTimeMs', () => {
  it('reads the common forms digit by digit exactly as the full pattern does (property)', async () => {
    const { isoDateTimeMs, parseIsoDateTimePattern } = await import('../../src/tables/infer.js');
    const fc = (await import('fast-check')).default;
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(13),
        two(32),
        fc.constantFrom('', 'T', ' ', 'x'),
        two(25),
        two(61),
        fc.constantFrom('', ':00', ':59', ':60', ':7'),
      )
      .map(([y, m, d, sep, h, mi, s]) => (sep === '' ? `${y}-${m}-${d}` : `${y}-${m}-${d}${sep}${h}:${mi}${s}`));
    fc.assert(
      fc.property(text, (t) => {
        const reference = parseIsoDateTimePattern(t);
        const ms = isoDateTimeMs(t);
        expect(Number.isNaN(ms) ? null : ms).toBe(reference ? reference.getTime() : null);
      }),
      { numRuns: 5000 },
    );
    for (const t of ['0000-02-29', '1900-02-29', '2000-02-29', '0099-12-31 23:59:59', '2024-02-30', '2024-01-15T09:30']) {
      expect(Number.isNaN(isoDateTimeMs(t)) ? null : isoDateTimeMs(t)).toBe(parseIsoDateTimePattern(t)?.getTime() ?? null);
    }
  });
});
