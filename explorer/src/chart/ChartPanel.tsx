// The chart of one column of the table being viewed (with its filter), and the
// picker for the column. Its data comes from chart/data.ts only.
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, asApiError, isAbort } from '../api/errors.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Picker } from '../components/Picker.js';
import { ShowQuery } from '../components/ShowQuery.js';
import { Status } from '../components/Status.js';
import type { RowFilter } from '../gql/graphql.js';
import type { TableColumn } from '../table/filters.js';
import type { TableSource } from '../table/useTablePages.js';
import { ColumnChart } from './ColumnChart.js';
import { type ColumnChartData, columnChartOperation, loadColumnChart } from './data.js';

interface Props {
  source: TableSource;
  columns: TableColumn[];
  where: RowFilter | null;
  column: string | undefined;
  onColumn(column: string): void;
}

const PREFERRED: TableColumn['type'][] = ['FLOAT', 'DATETIME', 'INT', 'STRING', 'BOOLEAN'];

/** A first column worth drawing: measurements before dates before counts, and no identifiers (a flat histogram says nothing). */
export function defaultChartColumn(columns: TableColumn[]): string | undefined {
  const candidates = columns.filter((c) => !/(^|_)id$/i.test(c.name));
  for (const type of PREFERRED) {
    const column = candidates.find((c) => c.type === type);
    if (column) return column.name;
  }
  return columns[0]?.name;
}

export function ChartPanel({ source, columns, where, column: picked, onColumn }: Props) {
  const column = columns.find((c) => c.name === picked) ?? columns.find((c) => c.name === defaultChartColumn(columns));
  const [state, setState] = useState<{ chart?: ColumnChartData; error?: ApiError; loading: boolean }>({ loading: true });
  const whereKey = JSON.stringify(where);

  // whereKey stands for `where`, and source's fields for `source`: both are new objects on every render.
  useEffect(() => {
    if (!column) return;
    const controller = new AbortController();
    setState((s) => ({ chart: s.chart, loading: true }));
    loadColumnChart(source, column, where, controller.signal).then(
      (chart) => setState({ chart, loading: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState({ error: asApiError(error), loading: false });
      },
    );
    return () => controller.abort();
  }, [source.bucket, source.key, source.sheet, source.encoding, column?.name, whereKey]);

  if (!column) return null;
  return (
    <section class="chart-panel" aria-labelledby="chart-title">
      <div class="toolbar">
        <h3 id="chart-title">Chart</h3>
        <Picker
          label="Column"
          value={column.name}
          options={columns.map((c) => ({ value: c.name, label: `${c.name} (${c.type})` }))}
          onChange={onColumn}
        />
        <ShowQuery operation={columnChartOperation(source, column.name, where)} of="the chart" />
      </div>
      <Status>{state.loading ? `Reading ${column.name} for the chart…` : ''}</Status>
      {state.error && <ErrorNotice error={state.error} doing="Drawing the chart" />}
      {state.chart && state.chart.column === column.name && <ColumnChart chart={state.chart} />}
    </section>
  );
}
