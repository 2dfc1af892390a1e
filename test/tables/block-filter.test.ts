// What counting a block column by column promises: the count of the rows the row
// filter (compileFilter) keeps, for every operator, and/or/not, nulls, misfits, and
// each form a block column may take: cells, a Float64Array (NaN and infinities for
// null), a dictionary with codes (-1 for null), or a column not read (all null).
import { describe, expect, it } from 'vitest';
import type { BlockCells, RawCell } from '../../src/codecs/types.js';
import { blockCounter } from '../../src/tables/block-filter.js';
import { compileFilter, type RowFilter } from '../../src/tables/filter.js';
import { convert } from '../../src/tables/infer.js';
import type { Column, RowBlock, TableSchema } from '../../src/tables/types.js';
import { seededRandom } from '../support/random.js';

const columns: Column[] = [
  { name: 'n', index: 0, type: 'INT', nullable: true },
  { name: 'x', index: 1, type: 'FLOAT', nullable: true },
  { name: 's', index: 2, type: 'STRING', nullable: true },
  { name: 'b', index: 3, type: 'BOOLEAN', nullable: true },
  { name: 't', index: 4, type: 'DATETIME', nullable: true },
  { name: 'u', index: 5, type: 'STRING', nullable: true },
];
const schema: TableSchema = { format: 'PARQUET', sheet: null, sheets: [], columns, keys: null, reading: 'literal' };

const random = seededRandom;

const WORDS = ['서울', 'busan', 'Busan', '', 'seoul', 'north', 'ab', 'abc'];
const ROWS = 400;

/** Raw cells a row, column by column, with nulls, non-finite numbers and misfits (a string in an INT column). */
function makeCells(next: () => number): RawCell[][] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const column = (make: () => RawCell) => Array.from({ length: ROWS }, () => (next() < 0.1 ? null : make()));
  return [
    column(() => (next() < 0.05 ? 'n/a' : Math.floor(next() * 20) - 5)),
    column(() => (next() < 0.05 ? pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) : Math.round(next() * 1000) / 4)),
    column(() => pick(WORDS)),
    column(() => next() < 0.5),
    column(() => new Date(Date.UTC(2024, 0, 1 + Math.floor(next() * 5)))),
    column(() => pick(WORDS)),
  ];
}

/** The same cells in the forms a codec may hand them over in. */
function forms(cells: RawCell[][]): (BlockCells | undefined)[][] {
  const numbers = (column: RawCell[]) =>
    column.every((c) => c === null || typeof c === 'number')
      ? Float64Array.from(column, (c) => (c === null ? Number.NaN : (c as number)))
      : column;
  const coded = (column: RawCell[]) => {
    const dictionary: RawCell[] = [];
    const at = new Map<unknown, number>();
    const codes = Int32Array.from(column, (c) => {
      if (c === null) return -1;
      const key = c instanceof Date ? c.getTime() : c;
      if (!at.has(key)) {
        at.set(key, dictionary.length);
        dictionary.push(c);
      }
      return at.get(key) as number;
    });
    return { dictionary, codes };
  };
  const numeric = cells.map((column, c) => (c <= 1 ? numbers(column.map((v) => (typeof v === 'string' ? null : v))) : column));
  return [cells, cells.map(coded), numeric, cells.map((column, c) => (c === 5 ? undefined : column))];
}

const FILTERS: RowFilter[] = [
  { column: 'n', op: 'GTE', value: 3 },
  { column: 'n', op: 'EQ', value: 0 },
  { column: 'n', op: 'NE', value: 0 },
  { column: 'n', op: 'LT', value: '2' },
  { column: 'n', op: 'IN', value: [1, 2, '3'] },
  { column: 'n', op: 'NOT_IN', value: [1, 2] },
  { column: 'x', op: 'GT', value: 100.25 },
  { column: 'x', op: 'LTE', value: 100.25 },
  { column: 'x', op: 'IS_NULL' },
  { column: 'x', op: 'IS_NOT_NULL' },
  { column: 's', op: 'EQ', value: '서울' },
  { column: 's', op: 'EQ', value: 'busan', ignoreCase: true },
  { column: 's', op: 'STARTS_WITH', value: 'ab' },
  { column: 's', op: 'CONTAINS', value: 'us' },
  { column: 's', op: 'GT', value: 'm' },
  { column: 's', op: 'IS_NULL' },
  { column: 'b', op: 'EQ', value: true },
  { column: 't', op: 'GTE', value: '2024-01-03' },
  { column: 'u', op: 'NE', value: 'north' },
  { column: 'u', op: 'IS_NULL' },
  {
    and: [
      { column: 's', op: 'EQ', value: '서울' },
      { column: 'x', op: 'GTE', value: 50 },
    ],
  },
  {
    or: [
      { column: 'n', op: 'LT', value: 0 },
      { column: 's', op: 'IN', value: ['north', 'ab'] },
      { column: 'b', op: 'EQ', value: false },
    ],
  },
  {
    not: {
      or: [
        { column: 'x', op: 'IS_NULL' },
        { column: 'u', op: 'ENDS_WITH', value: 'c' },
      ],
    },
  },
  {
    column: 'n',
    op: 'GT',
    value: 0,
    and: [{ not: { column: 's', op: 'EQ', value: 'seoul' } }],
    or: [{ column: 'b', op: 'EQ', value: true }],
  },
  {},
];

/** What the row filter counts, cell by cell as rows are typed. */
function rowCount(filter: RowFilter, block: RowBlock): number {
  const predicate = compileFilter(filter, columns);
  let count = 0;
  for (let r = 0; r < block.length; r++) {
    const cell = (column: Column) => {
      const cells = block.cells[column.index];
      if (cells === undefined) return null;
      const raw =
        'codes' in cells ? ((cells.codes[r] as number) < 0 ? null : (cells.dictionary[cells.codes[r] as number] as RawCell)) : cells[r];
      return convert(raw ?? null, column.type, schema.reading);
    };
    if (!predicate || predicate(cell)) count++;
  }
  return count;
}

describe('blockCounter', () => {
  it('counts what the row filter keeps, for every filter and every form of block column', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const cells = makeCells(random(seed));
      for (const [f, form] of forms(cells).entries()) {
        const block: RowBlock = { index: 0, length: ROWS, cells: form, matched: false };
        for (const filter of FILTERS) {
          const expected = rowCount(filter, block);
          const count = blockCounter(schema, filter);
          expect(count ? count(block) : ROWS, `seed ${seed}, form ${f}: ${JSON.stringify(filter)}`).toBe(expected);
        }
      }
    }
  });

  it('tests a dictionary-coded column once an entry of its dictionary, not once a row', () => {
    const dictionary = ['a', 'b', 'c'];
    let reads = 0;
    const counted = new Proxy(dictionary, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const codes = Int32Array.from({ length: 10_000 }, (_, i) => (i % 7 === 0 ? -1 : i % 3));
    const block: RowBlock = {
      index: 0,
      length: codes.length,
      cells: [undefined, undefined, { dictionary: counted, codes }],
      matched: false,
    };
    const expected = rowCount({ column: 's', op: 'EQ', value: 'b' }, block);
    reads = 0;
    expect(blockCounter(schema, { column: 's', op: 'EQ', value: 'b' })?.(block)).toBe(expected);
    expect(reads).toBe(3);
  });
});
