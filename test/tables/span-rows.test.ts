// takeSpanRows: a row consumer over a span of a columnar table, one row object pointed
// at each row in turn. Every row of the span, in order, with the table's values; a take
// that returns false ends the span there and says so.
import { describe, expect, it } from 'vitest';
import { ColumnarBuilder, takeSpanRows } from '../../src/tables/columnar.js';
import type { Column, TableRow } from '../../src/tables/types.js';

const columns: Column[] = [
  { name: 'n', index: 0, type: 'INT', nullable: true },
  { name: 's', index: 1, type: 'STRING', nullable: true },
];

function table(rows: number) {
  const builder = new ColumnarBuilder(columns, 'literal');
  for (let i = 0; i < rows; i++) builder.add([i * 10, `s${i}`], undefined);
  return builder.finish();
}

describe('takeSpanRows', () => {
  it('hands over every row of the span in order, reading its values from the table', () => {
    const seen: [number, unknown, unknown][] = [];
    const take = takeSpanRows((row: TableRow) => {
      seen.push([row.index, row.columns?.value(row.index, 0), row.columns?.value(row.index, 1)]);
      return true;
    });
    expect(take(table(10), 3, 7)).toBe(true);
    expect(seen).toEqual([
      [3, 30, 's3'],
      [4, 40, 's4'],
      [5, 50, 's5'],
      [6, 60, 's6'],
    ]);
  });

  it('stops at the first row the take refuses, and says it wants no more', () => {
    const seen: number[] = [];
    const take = takeSpanRows((row: TableRow) => {
      seen.push(row.index);
      return row.index < 5;
    });
    expect(take(table(10), 2, 9)).toBe(false);
    expect(seen).toEqual([2, 3, 4, 5]);
  });

  it('takes nothing from an empty span', () => {
    let calls = 0;
    const take = takeSpanRows(() => {
      calls++;
      return true;
    });
    expect(take(table(3), 2, 2)).toBe(true);
    expect(calls).toBe(0);
  });
});
