// What the chart of one column shows: a histogram for numbers and date-times, the
// most frequent values for everything else, from the server's summary of the
// column (Table.summary: one streaming pass over the whole table, or the rows the
// filter keeps).
import type { Operation } from '../api/client.js';
import { request } from '../api/client.js';
import { ColumnSummaryDocument, type ColumnSummaryQuery, type ColumnSummaryQueryVariables, type RowFilter } from '../gql/graphql.js';
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

const BINS = 20;
const TOP = 12;

export function columnChartOperation(
  source: TableSource,
  column: string,
  where: RowFilter | null,
): Operation<ColumnSummaryQuery, ColumnSummaryQueryVariables> {
  return {
    document: ColumnSummaryDocument,
    variables: {
      bucket: source.bucket,
      key: source.key,
      ...(source.sheet !== undefined ? { sheet: source.sheet } : {}),
      ...(source.encoding ? { encoding: source.encoding } : {}),
      ...(where ? { where } : {}),
      column,
      bins: BINS,
      top: TOP,
    },
  };
}

type Summary = NonNullable<NonNullable<ColumnSummaryQuery['object']>['table']>['summary'];

export async function loadColumnChart(
  source: TableSource,
  column: TableColumn,
  where: RowFilter | null,
  signal?: AbortSignal,
): Promise<ColumnChartData> {
  const { document, variables } = columnChartOperation(source, column.name, where);
  const data = await request(document, variables, signal);
  const summary = data.object?.table?.summary;
  if (!summary) throw new Error('This object has no table to chart');
  return chartOf(column, summary);
}

/** Pure: the chart of a column from the server's summary. */
export function chartOf(column: TableColumn, summary: Summary): ColumnChartData {
  const base = { column: column.name, counted: summary.count, total: summary.count, nulls: summary.nulls };
  if (column.type === 'INT' || column.type === 'FLOAT' || column.type === 'DATETIME') {
    const time = column.type === 'DATETIME';
    const bound = (v: unknown) => (time ? Date.parse(String(v)) : Number(v));
    const bins = summary.histogram.map((b) => ({ start: bound(b.from), end: bound(b.to), count: b.count }));
    return { ...base, kind: 'histogram', scale: time ? 'time' : 'number', integers: false, bins };
  }
  const values = summary.topValues.map((v) => ({ label: typeof v.value === 'string' ? v.value : JSON.stringify(v.value), count: v.count }));
  const shown = values.reduce((sum, v) => sum + v.count, 0);
  return { ...base, kind: 'top', values, others: Math.max(0, summary.count - summary.nulls - shown) };
}
