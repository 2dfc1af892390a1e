// The rows of a table view, a page at a time by cursor: the first page comes with
// the columns (and sheets); more pages are appended; any change of filter or order
// starts over from the first page. Counting is a separate, later request.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Operation } from '../api/client.js';
import { request } from '../api/client.js';
import { type ApiError, asApiError, isAbort } from '../api/errors.js';
import { type RowFilter, type RowOrder, TablePageDocument, type TablePageQuery, type TablePageQueryVariables } from '../gql/graphql.js';
import type { TableColumn } from './filters.js';

export const PAGE_SIZE = 100;

export interface TableSource {
  bucket: string;
  key: string;
  sheet?: string;
  encoding?: string;
}

export interface TableRow {
  index: number;
  cells: unknown[];
}

type LoadedTable = NonNullable<NonNullable<TablePageQuery['object']>['table']>;

export interface TablePages {
  /** Format, sheet(s) and columns, as of the last page; null until the first page arrived. */
  table: LoadedTable | null;
  columns: TableColumn[];
  rows: TableRow[];
  hasNextPage: boolean;
  loading: boolean;
  error: ApiError | undefined;
  /** The first page's request: what "Show query" opens. */
  operation: Operation<TablePageQuery, TablePageQueryVariables>;
  loadMore(): void;
}

export function useTablePages(source: TableSource, where: RowFilter | null, orderBy: RowOrder[]): TablePages {
  const variables: TablePageQueryVariables = {
    bucket: source.bucket,
    key: source.key,
    ...(source.sheet !== undefined ? { sheet: source.sheet } : {}),
    ...(source.encoding ? { encoding: source.encoding } : {}),
    first: PAGE_SIZE,
    ...(where ? { where } : {}),
    ...(orderBy.length > 0 ? { orderBy } : {}),
  };
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{
    key: string;
    table: LoadedTable | null;
    rows: TableRow[];
    endCursor: string | null;
    hasNextPage: boolean;
    loading: boolean;
    error?: ApiError;
  }>({ key, table: null, rows: [], endCursor: null, hasNextPage: false, loading: true });
  const inFlight = useRef<AbortController | null>(null);

  const load = useCallback(
    (after: string | null) => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      const pageVariables = JSON.parse(key) as TablePageQueryVariables;
      if (after) pageVariables.after = after;
      setState((s) => ({ ...s, loading: true, error: undefined }));
      request(TablePageDocument, pageVariables, controller.signal).then(
        (data) => {
          const table = data.object?.table;
          if (!table) {
            setState((s) => ({ ...s, loading: false, error: asApiError(new Error('The object is gone.')) }));
            return;
          }
          const page = table.rows.edges.map((edge) => ({ index: edge.node.index, cells: edge.node.cells }));
          setState((s) => ({
            key,
            table,
            rows: after ? [...s.rows, ...page] : page,
            endCursor: table.rows.pageInfo.endCursor ?? null,
            hasNextPage: table.rows.pageInfo.hasNextPage,
            loading: false,
          }));
        },
        (error: unknown) => {
          if (!isAbort(error)) setState((s) => ({ ...s, loading: false, error: asApiError(error) }));
        },
      );
    },
    [key],
  );

  useEffect(() => {
    // The rows already shown stay until the new first page replaces them.
    load(null);
    return () => inFlight.current?.abort();
  }, [load]);

  const loadMore = useCallback(() => {
    if (!state.loading && state.hasNextPage && state.endCursor && state.key === key) load(state.endCursor);
  }, [state, key, load]);

  return {
    table: state.table,
    columns: state.table?.columns ?? [],
    rows: state.rows,
    hasNextPage: state.hasNextPage,
    loading: state.loading,
    error: state.error,
    operation: { document: TablePageDocument, variables },
    loadMore,
  };
}
