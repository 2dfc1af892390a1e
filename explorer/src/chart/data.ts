// What the chart of one column shows: a histogram for numbers and date-times, the
// most frequent values for everything else. The server has no column summary yet,
// so this module computes it from up to 10,000 rows of that one column plus the
// table's count. It is the only place that knows: when the server gets a summary
// field, only this module changes (the operation and `loadColumnChart`).
import type { Operation } from '../api/client.js';
import { request } from '../api/client.js';
import { ColumnSampleDocument, type ColumnSampleQuery, type ColumnSampleQueryVariables, type RowFilter } from '../gql/graphql.js';
import type { TableColumn } from '../table/filters.js';
import type { TableSource } from '../table/useTablePages.js';

export interface Bin {
  /** Inclusive lower bound (a number, or milliseconds since 1970 for date-times). */
  start: number;
  /** Exclusive upper bound, except for the last bin which includes it. */
  end: number;
  count: number;
}

export interface Histogram {
  kind: 'histogram';
  /** Whether bounds are instants (ms) or plain numbers. */
  scale: 'number' | 'time';
  /** Integer columns with a small range get one bin per value. */
  integers: boolean;
  bins: Bin[];
}

export interface TopValues {
  kind: 'top';
  values: { label: string; count: number }[];
  /** Rows whose value is not among the top ones. */
  others: number;
}

export type ColumnChartData = (Histogram | TopValues) & {
  column: string;
  /** Rows read to draw the chart. */
  counted: number;
  /** Rows in the table (matching the filter); more than `counted` when sampled. */
  total: number;
  nulls: number;
};

/** As in ColumnSample's `rows(first: 10000)`. */
export const SAMPLE_ROWS = 10_000;
const MAX_BINS = 20;
const TOP = 12;

export function columnChartOperation(
  source: TableSource,
  column: string,
  where: RowFilter | null,
): Operation<ColumnSampleQuery, ColumnSampleQueryVariables> {
  return {
    document: ColumnSampleDocument,
    variables: {
      bucket: source.bucket,
      key: source.key,
      ...(source.sheet !== undefined ? { sheet: source.sheet } : {}),
      ...(source.encoding ? { encoding: source.encoding } : {}),
      ...(where ? { where } : {}),
      column,
    },
  };
}

export async function loadColumnChart(
  source: TableSource,
  column: TableColumn,
  where: RowFilter | null,
  signal?: AbortSignal,
): Promise<ColumnChartData> {
  const { document, variables } = columnChartOperation(source, column.name, where);
  const data = await request(document, variables, signal);
  const table = data.object?.table;
  const values = (table?.rows.edges ?? []).map((edge) => edge.node.cells[0] ?? null);
  return summarise(column, values, table?.count ?? values.length);
}

/** Pure: the chart of a column from its values (exported for tests and for the day the server does it). */
export function summarise(column: TableColumn, values: readonly unknown[], total: number): ColumnChartData {
  const present = values.filter((v) => v !== null && v !== undefined);
  const base = {
    column: column.name,
    counted: values.length,
    total: Math.max(total, values.length),
    nulls: values.length - present.length,
  };
  if (column.type === 'INT' || column.type === 'FLOAT' || column.type === 'DATETIME') {
    const time = column.type === 'DATETIME';
    const numbers = present.map((v) => (time ? Date.parse(String(v)) : Number(v))).filter((n) => Number.isFinite(n));
    // Values that did not fit the column's type come back as strings: leave them out.
    return { ...base, ...histogram(numbers, time ? 'time' : 'number', column.type === 'INT') };
  }
  return { ...base, ...topValues(present) };
}

function histogram(numbers: number[], scale: 'number' | 'time', integerColumn: boolean): Histogram {
  if (numbers.length === 0) return { kind: 'histogram', scale, integers: false, bins: [] };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const n of numbers) {
    if (n < min) min = n;
    if (n > max) max = n;
  }
  const integers = integerColumn && max - min < MAX_BINS * 1.5;
  let bins: Bin[];
  if (integers) {
    bins = Array.from({ length: max - min + 1 }, (_, i) => ({ start: min + i, end: min + i + 1, count: 0 }));
    for (const n of numbers) (bins[n - min] as Bin).count++;
  } else {
    const count = max === min ? 1 : Math.min(MAX_BINS, Math.max(5, Math.ceil(Math.log2(numbers.length) + 1)));
    const width = (max - min) / count || 1;
    bins = Array.from({ length: count }, (_, i) => ({
      start: min + i * width,
      end: i === count - 1 ? max : min + (i + 1) * width,
      count: 0,
    }));
    for (const n of numbers) (bins[Math.min(count - 1, Math.floor((n - min) / width))] as Bin).count++;
  }
  return { kind: 'histogram', scale, integers, bins };
}

function topValues(values: readonly unknown[]): TopValues {
  const counts = new Map<string, number>();
  for (const value of values) {
    const label = typeof value === 'string' ? value : JSON.stringify(value);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = sorted.slice(0, TOP).map(([label, count]) => ({ label, count }));
  const others = sorted.slice(TOP).reduce((sum, [, count]) => sum + count, 0);
  return { kind: 'top', values: top, others };
}
