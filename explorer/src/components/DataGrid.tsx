// The rows of a table: column names and types in a sticky header whose buttons sort
// the whole table (the server orders it), and more rows as the grid scrolls to its
// end (or on "More rows", for keyboards and for anyone who prefers to click).
import { useEffect, useRef } from 'preact/hooks';
import { decimalsOf, formatCell, isMidnight } from '../display.js';
import type { RowOrder } from '../gql/graphql.js';
import type { TableColumn } from '../table/filters.js';
import type { TableRow } from '../table/useTablePages.js';

interface Props {
  caption: string;
  columns: TableColumn[];
  rows: TableRow[];
  order: RowOrder | null;
  onSort(column: string): void;
  hasNextPage: boolean;
  loading: boolean;
  onMore(): void;
}

const NUMERIC = new Set(['INT', 'FLOAT']);

export function DataGrid({ caption, columns, rows, order, onSort, hasNextPage, loading, onMore }: Props) {
  const scroller = useRef<HTMLElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const more = useRef({ hasNextPage, loading, onMore });
  more.current = { hasNextPage, loading, onMore };

  useEffect(() => {
    const end = sentinel.current;
    if (!end || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        const { hasNextPage: next, loading: busy, onMore: load } = more.current;
        if (entries.some((e) => e.isIntersecting) && next && !busy) load();
      },
      // Start fetching a little before the last row comes into view.
      { root: scroller.current, rootMargin: '0px 0px 200px 0px' },
    );
    observer.observe(end);
    return () => observer.disconnect();
    // Observing anew after each page: when the end is still in sight (a short page, a
    // tall window), the fresh observer reports it at once and the next page follows.
  }, [rows.length, hasNextPage]);

  // Date-time columns whose loaded values are all at midnight hold dates: no "00:00" on every row.
  const dateOnly = columns.map(
    (column, i) => column.type === 'DATETIME' && rows.every((row) => row.cells[i] == null || isMidnight(row.cells[i])),
  );
  // FLOAT columns: every loaded value with as many decimals as the most precise one, so they line up.
  const decimals = columns.map((column, i) => (column.type === 'FLOAT' ? decimalsOf(rows.map((row) => row.cells[i])) : undefined));

  return (
    <div class="grid-wrap">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it. */}
      <section class="grid-scroll" ref={scroller} tabIndex={0} aria-label={`Rows of ${caption}`}>
        <table class="grid">
          <caption class="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" class="row-number">
                Row
              </th>
              {columns.map((column) => {
                const sorted = order?.column === column.name ? order.direction : null;
                return (
                  <th
                    key={column.name}
                    scope="col"
                    class={NUMERIC.has(column.type) ? 'numeric' : undefined}
                    aria-sort={sorted === 'ASC' ? 'ascending' : sorted === 'DESC' ? 'descending' : undefined}
                  >
                    <button type="button" class="sort" onClick={() => onSort(column.name)} title={`Sort the whole table by ${column.name}`}>
                      <span class="column-name">{column.name}</span>
                      <span class="column-type">{column.type}</span>
                      <span class="sort-mark" aria-hidden="true">
                        {sorted === 'ASC' ? '▲' : sorted === 'DESC' ? '▼' : '↕'}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.index}>
                <th scope="row" class="row-number">
                  {row.index + 1}
                </th>
                {columns.map((column, i) => {
                  const value = row.cells[i];
                  if (value === null || value === undefined)
                    return (
                      <td key={column.name} class="null">
                        <span class="visually-hidden">empty</span>
                      </td>
                    );
                  const text = formatCell(value, column.type, dateOnly[i], decimals[i]);
                  return (
                    <td
                      key={column.name}
                      class={NUMERIC.has(column.type) && typeof value === 'number' ? 'numeric' : undefined}
                      title={text.length > 40 ? text : undefined}
                    >
                      {text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <div ref={sentinel} class="grid-end" />
      </section>
      {hasNextPage && (
        // aria-disabled rather than disabled: a disabled button would drop the keyboard focus.
        <button type="button" class="more-rows" onClick={() => !loading && onMore()} aria-disabled={loading}>
          {loading ? 'Loading more rows…' : 'More rows'}
        </button>
      )}
    </div>
  );
}
