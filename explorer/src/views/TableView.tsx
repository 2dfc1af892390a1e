// A tabular object as a grid: sorting, the "Filter" box and the filter builder,
// the sheet and encoding pickers, counts, the chart, and "Show query" for all of it.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useQuery } from '../api/useQuery.js';
import { ChartPanel } from '../chart/ChartPanel.js';
import { DataGrid } from '../components/DataGrid.js';
import { EncodingPicker } from '../components/EncodingPicker.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { FilterBuilder } from '../components/FilterBuilder.js';
import { Picker } from '../components/Picker.js';
import { QuickFilter } from '../components/QuickFilter.js';
import { ShowQuery } from '../components/ShowQuery.js';
import { Status } from '../components/Status.js';
import { formatCount } from '../display.js';
import { type RowOrder, TableCountDocument } from '../gql/graphql.js';
import {
  allOf,
  builderFilter,
  type Combinator,
  type Condition,
  conditionProblem,
  quickFilter,
  type TableColumn,
} from '../table/filters.js';
import { type TableSource, useTablePages } from '../table/useTablePages.js';

interface Props {
  source: TableSource;
  /** Text formats (CSV, TSV) can be read in another encoding. */
  textual: boolean;
  chartOpen: boolean;
  onToggleChart(open: boolean): void;
  onSheet(sheet: string): void;
  onEncoding(encoding: string): void;
  /** Called when the object turns out not to be a table (a JSON value that is no list of objects). */
  onNotTabular?(): void;
  /** The view the address holds (sort, filter, builder conditions), read once when the table opens. */
  view?: TableViewState;
  /** Called when sort or filters change, to keep them in the address (shareable). */
  onViewChange?(view: TableViewState): void;
}

export interface TableViewState {
  sort?: string;
  filter?: string;
  where?: string;
}

function parseSort(sort: string | undefined): RowOrder | null {
  const match = sort ? /^(.*):(ASC|DESC)$/.exec(sort) : null;
  return match ? { column: match[1] as string, direction: match[2] as 'ASC' | 'DESC' } : null;
}

function parseWhere(where: string | undefined): { how: Combinator; conditions: Condition[] } {
  try {
    const parsed = where ? (JSON.parse(where) as { how?: Combinator; conditions?: Condition[] }) : {};
    return { how: parsed.how === 'or' ? 'or' : 'and', conditions: Array.isArray(parsed.conditions) ? parsed.conditions : [] };
  } catch {
    return { how: 'and', conditions: [] };
  }
}

export function TableView({ source, textual, chartOpen, onToggleChart, onSheet, onEncoding, onNotTabular, view, onViewChange }: Props) {
  const [order, setOrder] = useState<RowOrder | null>(() => parseSort(view?.sort));
  const [search, setSearch] = useState(view?.filter ?? '');
  const [builderOpen, setBuilderOpen] = useState(false);
  const [conditions, setConditions] = useState<Condition[]>(() => parseWhere(view?.where).conditions);
  const [combinator, setCombinator] = useState<Combinator>(() => parseWhere(view?.where).how);
  // Sort and filters live in the address too, so a link shares the view.
  useEffect(() => {
    onViewChange?.({
      ...(order ? { sort: `${order.column}:${order.direction}` } : {}),
      ...(search ? { filter: search } : {}),
      ...(conditions.length > 0 ? { where: JSON.stringify({ how: combinator, conditions }) } : {}),
    });
  }, [order, search, conditions, combinator]);
  const [chartColumn, setChartColumn] = useState<string>();
  // Columns are known after the first page; filters need them to pick operators and types.
  const [knownColumns, setKnownColumns] = useState<TableColumn[]>([]);

  const searchFilter = useMemo(() => quickFilter(search, knownColumns), [search, knownColumns]);
  const where = useMemo(
    () => allOf(searchFilter, builderFilter(conditions, combinator, knownColumns)),
    [searchFilter, conditions, combinator, knownColumns],
  );
  const searchProblem = search.trim() && knownColumns.length > 0 && !searchFilter ? `No column can hold “${search.trim()}”.` : null;
  // "Filter" finds nothing when no column can hold the value: say so, and show no rows.
  const impossible = searchProblem !== null;

  const pages = useTablePages(source, where, order ? [order] : []);
  useEffect(() => {
    if (pages.columns.length > 0)
      setKnownColumns((known) => (JSON.stringify(known) === JSON.stringify(pages.columns) ? known : pages.columns));
  }, [pages.columns]);
  // BAD_USER_INPUT on the very first page, before anything was picked (no filter, order,
  // sheet or encoding yet), can only mean that the object is not a table.
  const plain = source.sheet === undefined && !source.encoding;
  useEffect(() => {
    if (plain && !pages.table && pages.error?.code === 'BAD_USER_INPUT') onNotTabular?.();
  }, [plain, pages.table, pages.error, onNotTabular]);
  const counts = useQuery(
    TableCountDocument,
    pages.table
      ? {
          bucket: source.bucket,
          key: source.key,
          ...(source.sheet !== undefined ? { sheet: source.sheet } : {}),
          ...(source.encoding ? { encoding: source.encoding } : {}),
          ...(where ? { where } : {}),
        }
      : null,
  );

  const sortBy = (column: string) => {
    // One click sorts up, the next down, the third restores the table's own order.
    if (order?.column !== column) setOrder({ column, direction: 'ASC' });
    else if (order.direction === 'ASC') setOrder({ column, direction: 'DESC' });
    else setOrder(null);
  };

  const table = pages.table;
  const count = counts.data?.object?.table;
  const rows = impossible ? [] : pages.rows;
  const caption = `${source.key}${table?.sheet ? ` (${table.sheet})` : ''}`;
  // Only conditions that validate filter the grid: count those, never the others.
  const appliedConditions = conditions.filter((c) => conditionProblem(c, knownColumns) === null).length;
  let summary: string;
  if (pages.loading && rows.length === 0) summary = 'Loading rows…';
  else if (pages.loading) summary = `Loading rows… (${formatCount(rows.length)} shown)`;
  else if (!count) summary = `${formatCount(rows.length)} rows shown${pages.hasNextPage ? ', counting all…' : ''}`;
  else if (where)
    summary = `${formatCount(rows.length)} of ${formatCount(count.count)} matching rows shown (${formatCount(count.rowCount)} in all)`;
  else summary = `${formatCount(rows.length)} of ${formatCount(count.rowCount)} rows shown`;
  if (order) summary += `, sorted by ${order.column} ${order.direction === 'ASC' ? 'ascending' : 'descending'}`;

  return (
    <section class="table-view" aria-label="Table">
      <div class="toolbar">
        <QuickFilter value={search} onChange={setSearch} problem={searchProblem} />
        <button type="button" aria-expanded={builderOpen} aria-controls="filter-builder" onClick={() => setBuilderOpen(!builderOpen)}>
          Filter builder{appliedConditions > 0 ? ` (${appliedConditions})` : ''}
        </button>
        {table && table.sheets.length > 0 && (
          <Picker
            label="Sheet"
            value={table.sheet ?? ''}
            options={table.sheets.map((sheet) => ({ value: sheet, label: sheet }))}
            onChange={onSheet}
          />
        )}
        {textual && <EncodingPicker value={source.encoding ?? ''} onChange={onEncoding} />}
        <button type="button" aria-expanded={chartOpen} onClick={() => onToggleChart(!chartOpen)}>
          Chart
        </button>
        <ShowQuery operation={pages.operation} of="the table" />
      </div>
      {builderOpen && knownColumns.length > 0 && (
        <div id="filter-builder">
          <FilterBuilder
            columns={knownColumns}
            conditions={conditions}
            combinator={combinator}
            onApply={(next, how) => {
              setConditions(next);
              setCombinator(how);
            }}
          />
        </div>
      )}
      {chartOpen && knownColumns.length > 0 && (
        <ChartPanel source={source} columns={knownColumns} where={where} column={chartColumn} onColumn={setChartColumn} />
      )}
      <Status>{summary}</Status>
      {pages.error && <ErrorNotice error={pages.error} doing="Reading the table" />}
      {counts.error && !pages.error && <ErrorNotice error={counts.error} doing="Counting the rows" />}
      {table && (
        <DataGrid
          caption={caption}
          columns={pages.columns}
          rows={rows}
          order={order}
          onSort={sortBy}
          hasNextPage={pages.hasNextPage && !impossible}
          loading={pages.loading}
          onMore={pages.loadMore}
        />
      )}
      {table && !pages.loading && rows.length === 0 && <p class="empty">No rows{where || impossible ? ' match the filter' : ''}.</p>}
    </section>
  );
}
