// Pruning promises: a filter turned into range tests says "no row can pass" and
// "every row passes" only when the ranges prove it, with two-valued logic and `not`.
import { describe, expect, it } from 'vitest';
import type { RowFilter } from '../../src/tables/filter.js';
import { compileRangeProof, compileRangeTest, type RangeOf, type ValueRange } from '../../src/tables/prune.js';
import type { Column } from '../../src/tables/types.js';

const columns: Column[] = [
  { name: 'n', index: 0, type: 'INT', nullable: true },
  { name: 's', index: 1, type: 'STRING', nullable: true },
  { name: 'd', index: 2, type: 'DATETIME', nullable: true },
];
const ranges =
  (byName: Record<string, ValueRange>): RangeOf =>
  (name) =>
    byName[name] ?? null;
const span = ranges({
  n: { rows: 10, min: 10, max: 20, nulls: 0 },
  s: { rows: 10, min: 'apple', max: 'banana', nulls: 2 },
  d: { rows: 10, min: new Date('2024-01-01'), max: new Date('2024-02-01'), nulls: 0 },
});
const may = (filter: RowFilter) => (compileRangeTest(filter, columns) as (r: RangeOf) => boolean)(span);
const all = (filter: RowFilter) => (compileRangeProof(filter, columns) as (r: RangeOf) => boolean)(span);

describe('range tests', () => {
  it('rule out spans whose membership test (a Bloom filter) lacks every value EQ or IN asks for', () => {
    const held = new Set<unknown>(['apricot', 12]);
    const bloom = ranges({
      n: { rows: 10, min: 10, max: 20, nulls: 0, contains: (v) => held.has(v) },
      s: { rows: 10, contains: (v) => held.has(v) },
    });
    const test = (filter: RowFilter) => (compileRangeTest(filter, columns) as (r: RangeOf) => boolean)(bloom);
    expect(test({ column: 's', op: 'EQ', value: 'avocado' })).toBe(false);
    expect(test({ column: 's', op: 'EQ', value: 'apricot' })).toBe(true);
    expect(test({ column: 'n', op: 'EQ', value: 15 })).toBe(false);
    expect(test({ column: 'n', op: 'EQ', value: '12' })).toBe(true);
    expect(test({ column: 'n', op: 'IN', value: [11, 13] })).toBe(false);
    expect(test({ column: 'n', op: 'IN', value: [11, 12] })).toBe(true);
    // Only equality asks it: other operators, case-blind equality and `not` cannot be ruled out by it.
    expect(test({ column: 's', op: 'NE', value: 'apricot' })).toBe(true);
    expect(test({ column: 's', op: 'EQ', value: 'APRICOT', ignoreCase: true })).toBe(true);
    expect(test({ column: 's', op: 'STARTS_WITH', value: 'av' })).toBe(true);
    expect(test({ not: { column: 's', op: 'EQ', value: 'avocado' } })).toBe(true);
  });

  it('rule out spans whose bounds cannot hold a match', () => {
    expect(may({ column: 'n', op: 'GT', value: 20 })).toBe(false);
    expect(may({ column: 'n', op: 'GTE', value: 20 })).toBe(true);
    expect(may({ column: 'n', op: 'EQ', value: 9 })).toBe(false);
    expect(may({ column: 'n', op: 'IN', value: [1, 2, 15] })).toBe(true);
    expect(may({ column: 'n', op: 'IN', value: [1, 2, 25] })).toBe(false);
    expect(may({ column: 's', op: 'STARTS_WITH', value: 'ba' })).toBe(true);
    expect(may({ column: 's', op: 'STARTS_WITH', value: 'c' })).toBe(false);
    expect(may({ column: 'd', op: 'LT', value: '2023-12-31' })).toBe(false);
    expect(may({ column: 'n', op: 'IS_NULL' })).toBe(false);
    expect(may({ column: 's', op: 'IS_NULL' })).toBe(true);
    expect(
      may({
        and: [
          { column: 'n', op: 'GT', value: 15 },
          { column: 'n', op: 'LT', value: 5 },
        ],
      }),
    ).toBe(false);
    expect(
      may({
        or: [
          { column: 'n', op: 'GT', value: 25 },
          { column: 'n', op: 'LT', value: 11 },
        ],
      }),
    ).toBe(true);
  });

  it('never rule out what they cannot judge', () => {
    expect(may({ column: 'n', op: 'NE', value: 15 })).toBe(true);
    expect(may({ column: 's', op: 'CONTAINS', value: 'zzz' })).toBe(true);
    expect(may({ column: 's', op: 'EQ', value: 'ZEBRA', ignoreCase: true })).toBe(true);
    expect(may({ column: 'missing', op: 'EQ', value: 1 })).toBe(true);
    expect(may({ column: 'n', op: 'GT', value: 'not a number' })).toBe(true);
    expect(compileRangeTest({ column: 'n', op: 'GT', value: 100 }, columns)?.(() => null)).toBe(true);
  });

  it('prove a whole span matches only when no row can fail', () => {
    expect(all({ column: 'n', op: 'GTE', value: 10 })).toBe(true);
    expect(all({ column: 'n', op: 'GT', value: 10 })).toBe(false);
    expect(all({ column: 'n', op: 'IS_NOT_NULL' })).toBe(true);
    expect(all({ column: 's', op: 'IS_NOT_NULL' })).toBe(false);
    expect(all({ column: 's', op: 'GTE', value: 'a' })).toBe(false); // nulls never pass a value test
    expect(all({ column: 'd', op: 'LT', value: '2025-01-01' })).toBe(true);
    expect(
      all({
        or: [
          { column: 'n', op: 'LT', value: 0 },
          { column: 'n', op: 'LTE', value: 20 },
        ],
      }),
    ).toBe(true);
    expect(all({ column: 'n', op: 'NE', value: 100 })).toBe(false);
  });

  it('swap the two under `not`', () => {
    expect(may({ not: { column: 'n', op: 'GTE', value: 10 } })).toBe(false);
    expect(all({ not: { column: 'n', op: 'GT', value: 20 } })).toBe(true);
    expect(may({ not: { column: 'n', op: 'GT', value: 15 } })).toBe(true);
    expect(all({ not: { column: 'n', op: 'GT', value: 15 } })).toBe(false);
  });
});
