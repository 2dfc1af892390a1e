// What filtering a span of a columnar table promises: every row of the span passes
// exactly when compileFilter's row predicate passes it, for every column type and
// every kind of cell (nulls, misfits kept as written, dictionary and text strings,
// NaN), every operator (ignoreCase, IN / NOT_IN, CONTAINS..., NOT, OR), on a table
// still being built (its dictionary growing) and on a finished one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDelimited } from '../../src/codecs/csv.js';
import { ColumnarBuilder, type ColumnarTable } from '../../src/tables/columnar.js';
import { compileFilter, FILTER_OPS, type RowFilter } from '../../src/tables/filter.js';
import { compileSpanFilter } from '../../src/tables/span-filter.js';
import { COLUMN_TYPES, type Column, type ColumnType } from '../../src/tables/types.js';
import { bufferSource } from '../support/tables.js';

const CELLS = [
  '',
  '0',
  '-0',
  '12',
  '-3.25',
  '1e5',
  'NaN',
  '.5',
  'true',
  'FALSE',
  'yes',
  '2024-01-15',
  '2024-01-15 09:30',
  '2024-01-15T09:30:00Z',
  '2024-02-30',
  'abc',
  'ABC',
  '서울',
  'q"q',
  'a,b',
  '[1,2]',
  '{"a":1}',
];

const VALUES: unknown[] = [
  0,
  12,
  -3.25,
  100000,
  Number.NaN,
  '12',
  'abc',
  'Abc',
  'a',
  'b',
  '',
  '서울',
  'q"q',
  'NaN',
  true,
  false,
  'true',
  '2024-01-15',
  '2024-01-15T09:30:00Z',
  [1, 2],
];

const quote = (cell: string) => (/[",\r\n]/.test(cell) || cell === '' ? `"${cell.replaceAll('"', '""')}"` : cell);

/** The rows' verdicts by compileFilter's row predicate, reading the table's typed values. */
function rowVerdicts(table: ColumnarTable, columns: readonly Column[], where: RowFilter, from: number, to: number): boolean[] {
  const predicate = compileFilter(where, columns);
  const verdicts: boolean[] = [];
  for (let r = from; r < to; r++) verdicts.push(predicate ? predicate((column) => table.value(r, column.index)) : true);
  return verdicts;
}

function spanVerdicts(table: ColumnarTable, columns: readonly Column[], where: RowFilter, from: number, to: number): boolean[] {
  const count = compileSpanFilter(where, columns);
  const verdicts: boolean[] = [];
  for (let r = from; r < to; r++) verdicts.push(count ? count(table, r, r + 1) === 1 : true);
  return verdicts;
}

function filterOf(columns: readonly string[]): fc.Arbitrary<RowFilter> {
  const { tree } = fc.letrec<{ tree: RowFilter; leaf: RowFilter }>((tie) => ({
    leaf: fc.record({
      column: fc.constantFrom(...columns),
      op: fc.constantFrom(...FILTER_OPS),
      // Values of the cells themselves too, so that conditions often hit.
      value: fc.oneof(
        fc.constantFrom(...VALUES),
        fc.constantFrom(...CELLS),
        fc.array(fc.oneof(fc.constantFrom(...VALUES), fc.constantFrom(...CELLS)), { maxLength: 3 }),
      ),
      ignoreCase: fc.boolean(),
    }),
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      fc.record({ and: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ or: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ not: tie('tree') }),
    ),
  }));
  return tree;
}

/** Builds a table from CSV text through field batches, as a cold scan does; `each` sees the view after every batch. */
async function build(columns: readonly Column[], body: string[][], each?: (view: ColumnarTable, from: number, to: number) => void) {
  const lines = [columns.map((c) => c.name).join(','), ...body.map((row) => (row.length === 0 ? '""' : row.map(quote).join(',')))];
  const bytes = Buffer.from(`${lines.join('\n')}\n`);
  const builder = new ColumnarBuilder(columns, 'text');
  for await (const event of readDelimited(bufferSource(bytes, 64), { header: true, delimiter: ',', fieldBatches: true }, null)) {
    if (event.type !== 'fields') continue;
    const from = builder.rowCount;
    builder.addFields(event.batch);
    each?.(builder.view(), from, builder.rowCount);
  }
  return builder.finish();
}

const LITERALS: unknown[] = [
  Number.NaN,
  -0,
  0,
  12,
  -3.25,
  Number.POSITIVE_INFINITY,
  true,
  false,
  null,
  'abc',
  '12',
  new Date(Date.UTC(2024, 0, 15)),
  [1, 2],
];

function literalTable(columns: readonly Column[]): ColumnarTable {
  const builder = new ColumnarBuilder(columns, 'literal');
  for (const value of [...LITERALS, ...LITERALS]) builder.add([value as never], undefined);
  return builder.finish();
}

describe('compileSpanFilter', () => {
  it('passes a row exactly when the row predicate does, while the table builds and after (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.constantFrom(...COLUMN_TYPES), { minLength: 1, maxLength: 3 })
          .chain((types) => fc.tuple(fc.constant(types), fc.array(filterOf(types.map((_, i) => `c${i}`)), { minLength: 1, maxLength: 8 }))),
        fc.array(fc.array(fc.constantFrom(...CELLS), { minLength: 0, maxLength: 5 }), { minLength: 1, maxLength: 40 }),
        async ([types, filters], body) => {
          const columns: Column[] = types.map((type: ColumnType, index) => ({ name: `c${index}`, index, type, nullable: true }));
          for (const where of filters) {
            let rowError: unknown = null;
            try {
              compileFilter(where, columns);
            } catch (error) {
              rowError = error;
            }
            if (rowError) {
              expect(() => compileSpanFilter(where, columns)).toThrow((rowError as Error).message);
              continue;
            }
            // One counter for the whole build: its dictionary answers are kept across spans.
            const count = compileSpanFilter(where, columns);
            let counted = 0;
            const table = await build(columns, body, (view, from, to) => {
              expect(spanVerdicts(view, columns, where, from, to)).toEqual(rowVerdicts(view, columns, where, from, to));
              counted += count ? count(view, from, to) : to - from;
            });
            const expected = rowVerdicts(table, columns, where, 0, table.rowCount);
            expect(spanVerdicts(table, columns, where, 0, table.rowCount)).toEqual(expected);
            expect(counted).toBe(expected.filter(Boolean).length);
            expect(count ? count(table, 0, table.rowCount) : table.rowCount).toBe(expected.filter(Boolean).length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers every operator and value on every cell of every column type as the row predicate does', async () => {
    for (const [type, literal] of COLUMN_TYPES.flatMap((t) => [[t, false] as const, [t, true] as const])) {
      const columns: Column[] = [{ name: 'c', index: 0, type, nullable: true }];
      // Every cell, and every cell again (rows that reuse a dictionary answer); or values as
      // other formats give them (-0, Infinity, dates, booleans, nulls).
      const cells = [...CELLS, ...CELLS].map((cell) => [cell]);
      const table = literal ? literalTable(columns) : await build(columns, cells);
      for (const op of FILTER_OPS) {
        for (const value of [...VALUES, ...CELLS, [...CELLS.slice(0, 12)], ['abc', '서울', true], [Number.NaN, 12], [-0, 'abc']]) {
          for (const ignoreCase of [false, true]) {
            const where: RowFilter = { column: 'c', op, value, ignoreCase };
            let expected: boolean[];
            try {
              expected = rowVerdicts(table, columns, where, 0, table.rowCount);
            } catch {
              continue; // a filter the column refuses: the property test holds the errors alike
            }
            expect(spanVerdicts(table, columns, where, 0, table.rowCount), `${type} ${JSON.stringify(where)}`).toEqual(expected);
          }
        }
      }
    }
  });

  it('reads a STRING column past its dictionary (text segments, the one being filled too)', async () => {
    const columns: Column[] = [
      { name: 's', index: 0, type: 'STRING', nullable: true },
      { name: 'n', index: 1, type: 'INT', nullable: true },
    ];
    const body = Array.from({ length: 6000 }, (_, i) => [i % 7 === 0 ? '' : i % 5 === 0 ? `한글 ${i} ABC` : `cell ${i}`, String(i)]);
    const filters: RowFilter[] = [
      { column: 's', op: 'CONTAINS', value: 'abc', ignoreCase: true },
      { column: 's', op: 'STARTS_WITH', value: '한글' },
      {
        or: [
          { column: 's', op: 'IS_NULL' },
          { column: 's', op: 'IN', value: ['cell 1', 'cell 5999'] },
        ],
      },
      { not: { column: 's', op: 'EQ', value: 'cell 4097' } },
      {
        and: [
          { column: 's', op: 'ENDS_WITH', value: '9' },
          { column: 'n', op: 'LT', value: 5000 },
        ],
      },
    ];
    for (const where of filters) {
      const count = compileSpanFilter(where, columns);
      let counted = 0;
      const table = await build(columns, body, (view, from, to) => {
        counted += count ? count(view, from, to) : 0;
      });
      const expected = rowVerdicts(table, columns, where, 0, table.rowCount);
      expect(spanVerdicts(table, columns, where, 0, table.rowCount)).toEqual(expected);
      expect(counted).toBe(expected.filter(Boolean).length);
    }
  });

  it('counts a span of a table whose rows start past 0 (a part of a scan past the cache budget)', async () => {
    const columns: Column[] = [{ name: 'n', index: 0, type: 'INT', nullable: true }];
    const builder = new ColumnarBuilder(columns, 'text', 1000);
    for (let i = 0; i < 10; i++) builder.add([String(i)], undefined);
    const table = builder.finish();
    const count = compileSpanFilter({ column: 'n', op: 'GTE', value: 4 }, columns);
    expect(count?.(table, 1000, 1010)).toBe(6);
    expect(count?.(table, 1002, 1005)).toBe(1);
  });
});
