// What a RowFilter means: comparisons by the column's type, two-valued logic in which
// a null cell matches only IS_NULL, Unicode lower-casing for ignoreCase, strings by
// code point, DATETIME as instants; and which filters are the user's mistake.
import { describe, expect, it } from 'vitest';
import { compileFilter, FILTER_OPS, type FilterOp, type RowFilter } from '../../src/tables/filter.js';
import type { Column, TypedValue } from '../../src/tables/types.js';
import { thrown } from '../support/failure.js';

const columns: Column[] = [
  { name: 'n', index: 0, type: 'INT', nullable: true },
  { name: 'x', index: 1, type: 'FLOAT', nullable: true },
  { name: 's', index: 2, type: 'STRING', nullable: true },
  { name: 'b', index: 3, type: 'BOOLEAN', nullable: true },
  { name: 't', index: 4, type: 'DATETIME', nullable: true },
  { name: 'j', index: 5, type: 'JSON', nullable: true },
  { name: 'z', index: 6, type: 'NULL', nullable: true },
];

type Row = Partial<Record<'n' | 'x' | 's' | 'b' | 't' | 'j' | 'z', TypedValue>>;

function matches(filter: RowFilter, row: Row): boolean {
  const predicate = compileFilter(filter, columns);
  if (!predicate) return true;
  return predicate((column) => (row as Record<string, TypedValue>)[column.name] ?? null);
}

/** The rows (by position) a filter keeps. */
function keep(filter: RowFilter, rows: Row[]): number[] {
  return rows.flatMap((row, i) => (matches(filter, row) ? [i] : []));
}

function badInput(filter: RowFilter, message?: RegExp): void {
  const error = thrown(() => compileFilter(filter, columns));
  expect(error.extensions.code, JSON.stringify(filter)).toBe('BAD_USER_INPUT');
  if (message) expect(error.message).toMatch(message);
}

const date = (iso: string) => new Date(iso);

describe('comparisons follow the column type', () => {
  const ints: Row[] = [{ n: 1 }, { n: 5 }, { n: 10 }, { n: -3 }];

  it.each<[FilterOp, number, number[]]>([
    ['EQ', 5, [1]],
    ['NE', 5, [0, 2, 3]],
    ['GT', 5, [2]],
    ['GTE', 5, [1, 2]],
    ['LT', 5, [0, 3]],
    ['LTE', 5, [0, 1, 3]],
  ])('INT %s %d compares numbers as numbers', (op, value, expected) => {
    expect(keep({ column: 'n', op, value }, ints)).toEqual(expected);
  });

  it('numbers, not their text: 10 > 9 and 1 == 1.0', () => {
    expect(keep({ column: 'n', op: 'GT', value: 9 }, ints)).toEqual([2]);
    expect(keep({ column: 'x', op: 'EQ', value: 1 }, [{ x: 1.0 }, { x: 1.5 }])).toEqual([0]);
    expect(keep({ column: 'x', op: 'LT', value: 1.25 }, [{ x: 1.0 }, { x: 1.5 }])).toEqual([0]);
  });

  it('takes numbers written as strings for numeric columns', () => {
    expect(keep({ column: 'n', op: 'EQ', value: '5' }, ints)).toEqual([1]);
  });

  it('IN and NOT_IN take a list', () => {
    expect(keep({ column: 'n', op: 'IN', value: [1, 10, 99] }, ints)).toEqual([0, 2]);
    expect(keep({ column: 'n', op: 'NOT_IN', value: [1, 10] }, ints)).toEqual([1, 3]);
    expect(keep({ column: 'n', op: 'IN', value: [] }, ints)).toEqual([]);
    expect(keep({ column: 'n', op: 'NOT_IN', value: [] }, ints)).toEqual([0, 1, 2, 3]);
  });

  it('booleans: false < true; values true/false or "true"/"false"', () => {
    const rows: Row[] = [{ b: true }, { b: false }];
    expect(keep({ column: 'b', op: 'EQ', value: true }, rows)).toEqual([0]);
    expect(keep({ column: 'b', op: 'EQ', value: 'FALSE' }, rows)).toEqual([1]);
    expect(keep({ column: 'b', op: 'GT', value: false }, rows)).toEqual([0]);
  });

  it('DATETIME compares instants, whatever zone the value is written in', () => {
    const rows: Row[] = [{ t: date('2024-01-15T00:30:00Z') }, { t: date('2024-01-15T09:30:00Z') }, { t: date('2024-01-16T00:00:00Z') }];
    expect(keep({ column: 't', op: 'EQ', value: '2024-01-15T09:30:00+09:00' }, rows)).toEqual([0]);
    expect(keep({ column: 't', op: 'EQ', value: '2024-01-15 09:30:00' }, rows)).toEqual([1]);
    expect(keep({ column: 't', op: 'GTE', value: '2024-01-15T18:00:00+09:00' }, rows)).toEqual([1, 2]);
    expect(keep({ column: 't', op: 'LT', value: '2024-01-16' }, rows)).toEqual([0, 1]);
    expect(keep({ column: 't', op: 'IN', value: ['2024-01-16T09:00:00+09:00', '1999-01-01'] }, rows)).toEqual([2]);
    expect(keep({ column: 't', op: 'NE', value: '2024-01-16T00:00:00.000Z' }, rows)).toEqual([0, 1]);
  });

  it('strings compare by code point: not by locale, not by UTF-16 code unit', () => {
    const rows: Row[] = [{ s: 'Z' }, { s: 'a' }, { s: 'é' }, { s: '～' }, { s: '😀' }, { s: 'ab' }];
    expect(keep({ column: 's', op: 'LT', value: 'a' }, rows)).toEqual([0]);
    expect(keep({ column: 's', op: 'GT', value: 'z' }, rows)).toEqual([2, 3, 4]);
    // U+1F600 is above U+FF5E as a code point, though its UTF-16 lead surrogate (D83D) is below FF5E.
    expect(keep({ column: 's', op: 'GT', value: '～' }, rows)).toEqual([4]);
    expect(keep({ column: 's', op: 'LT', value: '😀' }, rows)).toEqual([0, 1, 2, 3, 5]);
    expect(keep({ column: 's', op: 'GT', value: '\uFFFF' }, rows)).toEqual([4]);
    expect(keep({ column: 's', op: 'GT', value: 'a' }, rows)).toEqual([2, 3, 4, 5]);
  });

  it('CONTAINS, STARTS_WITH, ENDS_WITH match substrings of strings', () => {
    const rows: Row[] = [{ s: '서울특별시' }, { s: 'Busan' }, { s: 'Seoul' }];
    expect(keep({ column: 's', op: 'CONTAINS', value: '울특' }, rows)).toEqual([0]);
    expect(keep({ column: 's', op: 'STARTS_WITH', value: 'S' }, rows)).toEqual([2]);
    expect(keep({ column: 's', op: 'ENDS_WITH', value: 'an' }, rows)).toEqual([1]);
    expect(keep({ column: 's', op: 'CONTAINS', value: 's' }, rows)).toEqual([1]);
  });

  it('JSON columns compare nested values for equality', () => {
    const rows: Row[] = [{ j: { a: 1 } }, { j: [1, 2] }];
    expect(keep({ column: 'j', op: 'EQ', value: { a: 1 } }, rows)).toEqual([0]);
    expect(keep({ column: 'j', op: 'IN', value: [[1, 2]] }, rows)).toEqual([1]);
  });

  it('cells that do not fit their column (returned as written) match only as text', () => {
    const rows: Row[] = [{ n: 5 }, { n: 'abc' }, { n: '5.0' }];
    expect(keep({ column: 'n', op: 'EQ', value: 5 }, rows)).toEqual([0]);
    expect(keep({ column: 'n', op: 'NE', value: 5 }, rows)).toEqual([1, 2]);
    expect(keep({ column: 'n', op: 'GT', value: 0 }, rows)).toEqual([0]);
    expect(keep({ column: 'n', op: 'IS_NOT_NULL' }, rows)).toEqual([0, 1, 2]);
  });
});

describe('null cells', () => {
  const valueFor: Record<FilterOp, unknown> = {
    EQ: 1,
    NE: 1,
    GT: 1,
    GTE: 1,
    LT: 1,
    LTE: 1,
    IN: [1],
    NOT_IN: [1],
    CONTAINS: 'a',
    STARTS_WITH: 'a',
    ENDS_WITH: 'a',
    IS_NULL: undefined,
    IS_NOT_NULL: undefined,
  };

  it.each(FILTER_OPS.filter((op) => op !== 'IS_NULL'))('are never matched by %s (NE and NOT_IN included)', (op) => {
    const column = ['CONTAINS', 'STARTS_WITH', 'ENDS_WITH'].includes(op) ? 's' : 'n';
    expect(matches({ column, op, value: valueFor[op] as never }, {})).toBe(false);
  });

  it('are matched by IS_NULL, and only null cells are', () => {
    expect(keep({ column: 's', op: 'IS_NULL' }, [{ s: null }, { s: '' }, { s: 'NA' }, {}])).toEqual([0, 3]);
    expect(keep({ column: 's', op: 'IS_NOT_NULL' }, [{ s: null }, { s: 'NA' }])).toEqual([1]);
  });

  it('make `not` true: logic is two-valued, not SQL three-valued', () => {
    expect(matches({ not: { column: 'n', op: 'EQ', value: 1 } }, {})).toBe(true);
    expect(matches({ not: { column: 'n', op: 'NE', value: 1 } }, {})).toBe(true);
    expect(matches({ not: { column: 'n', op: 'IS_NULL' } }, {})).toBe(false);
    expect(matches({ not: { not: { column: 'n', op: 'EQ', value: 1 } } }, {})).toBe(false);
  });
});

describe('and, or, not', () => {
  const rows: Row[] = [
    { n: 1, s: 'a' },
    { n: 2, s: 'b' },
    { n: 3, s: 'a' },
    { n: 4, s: null },
  ];

  it('combine conditions', () => {
    expect(
      keep(
        {
          and: [
            { column: 'n', op: 'GT', value: 1 },
            {
              or: [
                { column: 's', op: 'EQ', value: 'a' },
                { column: 's', op: 'IS_NULL' },
              ],
            },
          ],
        },
        rows,
      ),
    ).toEqual([2, 3]);
    expect(
      keep(
        {
          not: {
            or: [
              { column: 'n', op: 'EQ', value: 1 },
              { column: 'n', op: 'EQ', value: 4 },
            ],
          },
        },
        rows,
      ),
    ).toEqual([1, 2]);
  });

  it('a condition and sub-filters in the same filter must all hold', () => {
    expect(keep({ column: 's', op: 'EQ', value: 'a', and: [{ column: 'n', op: 'GT', value: 1 }] }, rows)).toEqual([2]);
    expect(keep({ column: 's', op: 'EQ', value: 'a', not: { column: 'n', op: 'EQ', value: 1 } }, rows)).toEqual([2]);
  });

  it('empty and/or: and [] holds, or [] does not; an empty filter keeps every row', () => {
    expect(keep({ and: [] }, rows)).toEqual([0, 1, 2, 3]);
    expect(keep({ or: [] }, rows)).toEqual([]);
    expect(keep({}, rows)).toEqual([0, 1, 2, 3]);
    expect(compileFilter(null, columns)).toBeNull();
  });
});

describe('ignoreCase', () => {
  const rows: Row[] = [{ s: 'École' }, { s: 'ÉCOLE' }, { s: 'ecole' }, { s: 'ΣΊΣΥΦΟΣ' }, { s: 'ISTANBUL' }, { s: 'İstanbul' }];

  it('compares after Unicode default lower-casing for EQ, NE, IN, NOT_IN, CONTAINS, STARTS_WITH, ENDS_WITH', () => {
    expect(keep({ column: 's', op: 'EQ', value: 'école', ignoreCase: true }, rows)).toEqual([0, 1]);
    expect(keep({ column: 's', op: 'NE', value: 'école', ignoreCase: true }, rows)).toEqual([2, 3, 4, 5]);
    expect(keep({ column: 's', op: 'IN', value: ['ÉcOlE', 'σίσυφος'], ignoreCase: true }, rows)).toEqual([0, 1, 3]);
    expect(keep({ column: 's', op: 'NOT_IN', value: ['école', 'ecole'], ignoreCase: true }, rows)).toEqual([3, 4, 5]);
    expect(keep({ column: 's', op: 'CONTAINS', value: 'COL', ignoreCase: true }, rows)).toEqual([0, 1, 2]);
    expect(keep({ column: 's', op: 'STARTS_WITH', value: 'éc', ignoreCase: true }, rows)).toEqual([0, 1]);
    expect(keep({ column: 's', op: 'ENDS_WITH', value: 'ΦΟς', ignoreCase: true }, rows)).toEqual([3]);
  });

  it('is case-sensitive when off', () => {
    expect(keep({ column: 's', op: 'EQ', value: 'école' }, rows)).toEqual([]);
    expect(keep({ column: 's', op: 'CONTAINS', value: 'COL' }, rows)).toEqual([1]);
  });

  it('uses no locale rules: I lower-cases to i (not Turkish ı), İ to i + combining dot', () => {
    expect(keep({ column: 's', op: 'EQ', value: 'istanbul', ignoreCase: true }, rows)).toEqual([4]);
    expect(keep({ column: 's', op: 'EQ', value: 'ıstanbul', ignoreCase: true }, rows)).toEqual([]);
    expect(keep({ column: 's', op: 'EQ', value: 'i\u0307stanbul', ignoreCase: true }, rows)).toEqual([5]);
  });

  it('applies to cells returned as written in non-string columns', () => {
    expect(keep({ column: 'n', op: 'EQ', value: 5, ignoreCase: true }, [{ n: 'N/A' }, { n: 5 }])).toEqual([1]);
    expect(keep({ column: 'n', op: 'NE', value: 5, ignoreCase: true }, [{ n: 'N/A' }, { n: 5 }])).toEqual([0]);
  });
});

describe('filters that are the user’s mistake (BAD_USER_INPUT, before any row is read)', () => {
  it('name an unknown column, and the message lists the columns', () => {
    badInput({ column: 'nope', op: 'EQ', value: 1 }, /Unknown column "nope".*"n"/);
    badInput({ and: [{ column: 's', op: 'EQ', value: 'a' }, { not: { column: 'nope', op: 'IS_NULL' } }] }, /nope/);
  });

  it('give values that are not of the column’s type', () => {
    badInput({ column: 'n', op: 'EQ', value: 'abc' });
    badInput({ column: 'x', op: 'GT', value: true });
    badInput({ column: 't', op: 'GT', value: 'yesterday' });
    badInput({ column: 't', op: 'EQ', value: '2024-02-30' });
    badInput({ column: 'b', op: 'EQ', value: 'yes' });
    badInput({ column: 's', op: 'EQ', value: { a: 1 } });
    badInput({ column: 'n', op: 'IN', value: [1, 'two'] });
  });

  it('miss a value, or compare with null instead of using IS_NULL', () => {
    badInput({ column: 'n', op: 'EQ' });
    badInput({ column: 'n', op: 'EQ', value: null }, /IS_NULL/);
    badInput({ column: 'n', op: 'GT', value: null });
  });

  it('give IN / NOT_IN something else than a list', () => {
    badInput({ column: 'n', op: 'IN', value: 1 });
    badInput({ column: 'n', op: 'NOT_IN', value: 'a' });
  });

  it('use string operators on non-string columns, or order JSON', () => {
    for (const op of ['CONTAINS', 'STARTS_WITH', 'ENDS_WITH'] as const) {
      for (const column of ['n', 'x', 'b', 't', 'j']) badInput({ column, op, value: '1' });
    }
    badInput({ column: 'j', op: 'GT', value: 1 });
  });

  it('give an op without a column or a column without an op', () => {
    badInput({ op: 'EQ', value: 1 });
    badInput({ column: 'n' });
  });

  it('are too large', () => {
    const wide: RowFilter = { or: Array.from({ length: 2000 }, () => ({ column: 'n', op: 'EQ' as const, value: 1 })) };
    badInput(wide, /too large/);
    let deep: RowFilter = { column: 'n', op: 'IS_NULL' };
    for (let i = 0; i < 100; i++) deep = { not: deep };
    badInput(deep, /too large/);
  });
});

describe('FilterOp', () => {
  it('is the contract’s list of operators', () => {
    expect(FILTER_OPS).toEqual([
      'EQ',
      'NE',
      'GT',
      'GTE',
      'LT',
      'LTE',
      'IN',
      'NOT_IN',
      'CONTAINS',
      'STARTS_WITH',
      'ENDS_WITH',
      'IS_NULL',
      'IS_NOT_NULL',
    ]);
  });
});
