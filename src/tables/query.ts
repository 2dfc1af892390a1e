// The questions asked of a table: a page of rows (filtered, ordered, projected),
// and counts. Each is a scan consumer, so the questions of one request share passes.
// Ordered pages keep a bounded top-K heap: memory grows with `first`, not the table.
import { BadUserInput } from '../errors.js';
import { blockCounter } from './block-filter.js';
import { compareValues, stringForm } from './compare.js';
import { decodeCursor, digest, encodeCursor, type RowCursor } from './cursor.js';
import { compileFilter, findColumn, type RowFilter } from './filter.js';
import { fitsType } from './infer.js';
import { compileRangeProof, compileRangeTest, filterColumns } from './prune.js';
import type { RowSource } from './source.js';
import { compileSpanFilter } from './span-filter.js';
import type { Column, ScanNeeds, ScanStart, TableRow, TableSchema, TypedValue } from './types.js';

export const MAX_PAGE = 10_000;

export interface RowOrder {
  column: string;
  direction?: 'ASC' | 'DESC' | null | undefined;
}

export interface PageArgs {
  first: number;
  after?: string | null | undefined;
  where?: RowFilter | null | undefined;
  orderBy?: readonly RowOrder[] | null | undefined;
  columns?: readonly string[] | null | undefined;
}

/** A row as GraphQL returns it: JSON-ready typed values. */
export interface RowResult {
  index: number;
  cursor: string;
  values: Record<string, unknown>;
  cells: unknown[];
}

export interface PageResult {
  rows: RowResult[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * Sets an own property, also for `__proto__`, which plain assignment would take as the
 * prototype. Every other name assigns plainly: defineProperty a cell made `content` of
 * 100k rows spend a fifth of its time here (measured), and Object.prototype has no other
 * setter that assignment could reach.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A typed value as JSON: DATETIME as an ISO-8601 UTC string. */
export function jsonValue(value: TypedValue | unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * What a question reads of each row: the columns it returns or sorts by (null: all,
 * with the cells beyond the schema) and those its filter reads; and the row spans its
 * filter may want. Columnar sources (Parquet) then read no more.
 */
function scanNeeds(schema: TableSchema, where: RowFilter | null | undefined, returned: readonly string[] | null): ScanNeeds {
  const columns = returned === null ? null : filterColumns(where, new Set(returned));
  return { columns, mayMatch: compileRangeTest(where, schema.columns) };
}

function makePredicate(reader: RowSource, schema: TableSchema, where: RowFilter | null | undefined) {
  const predicate = compileFilter(where, schema.columns);
  if (!predicate) return null;
  // One cell reader for the whole scan, pointed at each row in turn: no closure a row.
  let current: TableRow;
  const cell = (column: Column) => reader.typed(current, column, schema);
  return (row: TableRow) => {
    current = row;
    return predicate(cell);
  };
}

export function validateFirst(first: number, max: number, what: string): void {
  if (!Number.isInteger(first) || first < 1 || first > max) throw new BadUserInput(`${what} must be between 1 and ${max} (got ${first})`);
}

function projection(schema: TableSchema, names: readonly string[] | null | undefined): Column[] {
  if (!names) return schema.columns;
  return names.map((name) => findColumn(schema.columns, name, 'columns'));
}

/**
 * A row's JSON-ready values by column name (the cells beyond the schema too, when
 * `withExtra`), and the same values in column order when `cells` is given.
 */
export function rowValues(
  reader: RowSource,
  schema: TableSchema,
  columns: readonly Column[],
  row: TableRow,
  withExtra: boolean,
  cells?: unknown[],
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const column of columns) {
    const value = jsonValue(reader.typed(row, column, schema));
    setOwn(values, column.name, value);
    cells?.push(value);
  }
  if (withExtra && row.extra)
    for (const [key, value] of Object.entries(row.extra)) if (!Object.hasOwn(values, key)) setOwn(values, key, jsonValue(value));
  return values;
}

function shapeRow(reader: RowSource, schema: TableSchema, columns: Column[], row: TableRow, cursor: string, withExtra: boolean): RowResult {
  const cells: unknown[] = [];
  const values = rowValues(reader, schema, columns, row, withExtra, cells);
  return { index: row.index, cursor, values, cells };
}

/** Counts rows matching `where` (all rows when omitted), from the cache when it knows. */
export async function countRows(reader: RowSource, where: RowFilter | null | undefined): Promise<number> {
  const schema = await reader.schema();
  const test = makePredicate(reader, schema, where);
  const testBlock = blockCounter(schema, where);
  const countSpan = compileSpanFilter(where, schema.columns);
  const key = where ? digest(where) : 'all';
  const cached = reader.cachedCount(key);
  if (cached !== undefined) return cached;
  let count = 0;
  await reader.run({
    start: { index: 0 },
    whole: true,
    // A count reads its filter's columns only where row-group statistics cannot prove every row matches.
    needs: {
      columns: new Set(),
      filterColumns: filterColumns(where),
      mayMatch: compileRangeTest(where, schema.columns),
      allMatch: compileRangeProof(where, schema.columns),
      indexes: false,
      blocks: true,
    },
    take: (row) => {
      if (row.matched || !test || test(row)) count++;
      return true;
    },
    takeBlock: (block) => {
      count += block.matched || !testBlock ? block.length : testBlock(block);
      return true;
    },
    takeColumns: (table, from, to) => {
      count += countSpan ? countSpan(table, from, to) : to - from;
      return true;
    },
  });
  reader.storeCount(key, count);
  return count;
}

export async function readPage(reader: RowSource, args: PageArgs): Promise<PageResult> {
  validateFirst(args.first, MAX_PAGE, '`first`');
  const schema = await reader.schema();
  const columns = projection(schema, args.columns);
  const test = makePredicate(reader, schema, args.where);
  // `after: ""` is no cursor from an earlier page: malformed, not "from the start".
  const cursor = args.after != null ? decodeCursor(args.after, reader.id) : null;
  const orderBy = args.orderBy ?? [];
  if (orderBy.length > 0) return readOrderedPage(reader, schema, args, columns, test, cursor);
  if (cursor && cursor.kind !== 'position') throw new BadUserInput('This cursor is from an ordered page: pass the same `orderBy` with it');

  const start: ScanStart = cursor ? { index: cursor.next, offset: cursor.offset } : { index: 0 };
  const taken: { row: TableRow; offsetAfter: ((i: number) => number) | undefined; i: number }[] = [];
  let hasNextPage = false;
  await reader.run({
    start,
    needs: scanNeeds(schema, args.where, args.columns ? columns.map((c) => c.name) : null),
    take: (row, offsetAfter, i) => {
      if (test && !test(row)) return true;
      if (taken.length === args.first) {
        hasNextPage = true;
        return false;
      }
      taken.push({ row, offsetAfter, i });
      return true;
    },
  });
  const withExtra = !args.columns;
  const rows = taken.map(({ row, offsetAfter, i }) => {
    const position: RowCursor = {
      kind: 'position',
      next: row.index + 1,
      offset: reader.resumable && offsetAfter ? offsetAfter(i) : undefined,
    };
    return shapeRow(reader, schema, columns, row, encodeCursor(reader.id, position), withExtra);
  });
  return { rows, hasNextPage, endCursor: rows.at(-1)?.cursor ?? null };
}

type SortKey = (TypedValue | null)[];

/** Compares sort keys under the orderBy: misfits after fitting values, nulls last, both directions. */
function keyComparator(sorts: { column: Column; descending: boolean }[]) {
  return (a: SortKey, ai: number, b: SortKey, bi: number): number => {
    for (let s = 0; s < sorts.length; s++) {
      const { column, descending } = sorts[s] as { column: Column; descending: boolean };
      const x = a[s] ?? null;
      const y = b[s] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return x === null ? 1 : -1;
      }
      const xFits = fitsType(x, column.type);
      const yFits = fitsType(y, column.type);
      if (xFits !== yFits) return xFits ? -1 : 1;
      const c = xFits ? compareValues(x, y) : compareValues(stringForm(x), stringForm(y));
      if (c !== 0) return descending ? -c : c;
    }
    return ai - bi; // equal rows keep table order
  };
}

/** Sort keys travel in cursors as JSON: DATETIME as epoch milliseconds. */
function keyToJson(key: SortKey): (string | number | boolean | null)[] {
  return key.map((v) => (v instanceof Date ? { $date: v.getTime() } : typeof v === 'object' && v !== null ? JSON.stringify(v) : v)) as (
    | string
    | number
    | boolean
    | null
  )[];
}

function keyFromJson(key: unknown[]): SortKey {
  return key.map((v) => (v && typeof v === 'object' && '$date' in v ? new Date((v as { $date: number }).$date) : (v as TypedValue)));
}

async function readOrderedPage(
  reader: RowSource,
  schema: TableSchema,
  args: PageArgs,
  columns: Column[],
  test: ((row: TableRow) => boolean) | null,
  cursor: RowCursor | null,
): Promise<PageResult> {
  const sorts = (args.orderBy ?? []).map((o) => ({
    column: findColumn(schema.columns, o.column, 'orderBy'),
    descending: o.direction === 'DESC',
  }));
  const orderDigest = digest(sorts.map((s) => [s.column.name, s.descending]));
  if (cursor && (cursor.kind !== 'order' || cursor.order !== orderDigest)) {
    throw new BadUserInput('This cursor is from a page with another `orderBy`: pass the same `orderBy` with it');
  }
  const compare = keyComparator(sorts);
  const after = cursor?.kind === 'order' ? { key: keyFromJson(cursor.key), index: cursor.index } : null;
  const limit = args.first + 1;
  const heap = new BoundedHeap<{ key: SortKey; row: TableRow }>(limit, (a, b) => compare(a.key, a.row.index, b.key, b.row.index));
  await reader.run({
    start: { index: 0 },
    whole: true,
    needs: scanNeeds(schema, args.where, args.columns ? [...columns.map((c) => c.name), ...sorts.map((s) => s.column.name)] : null),
    take: (row) => {
      if (test && !test(row)) return true;
      const key = sorts.map((s) => reader.typed(row, s.column, schema));
      if (after && compare(key, row.index, after.key, after.index) <= 0) return true;
      heap.offer({ key, row });
      return true;
    },
  });
  const sorted = heap.sorted();
  const hasNextPage = sorted.length > args.first;
  const page = sorted.slice(0, args.first);
  const withExtra = !args.columns;
  const rows = page.map(({ key, row }) =>
    shapeRow(
      reader,
      schema,
      columns,
      row,
      encodeCursor(reader.id, { kind: 'order', order: orderDigest, key: keyToJson(key), index: row.index }),
      withExtra,
    ),
  );
  return { rows, hasNextPage, endCursor: rows.at(-1)?.cursor ?? null };
}

/**
 * Keeps the `limit` smallest items under `compare`: a max-heap whose root is the
 * worst item kept, replaced when a better one arrives.
 */
export class BoundedHeap<T> {
  private readonly items: T[] = [];
  constructor(
    private readonly limit: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    const items = this.items;
    if (items.length < this.limit) {
      items.push(item);
      this.up(items.length - 1);
    } else if (this.compare(item, items[0] as T) < 0) {
      items[0] = item;
      this.down(0);
    }
  }

  sorted(): T[] {
    return [...this.items].sort(this.compare);
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i] as T, items[parent] as T) <= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let largest = i;
      if (l < n && this.compare(items[l] as T, items[largest] as T) > 0) largest = l;
      if (r < n && this.compare(items[r] as T, items[largest] as T) > 0) largest = r;
      if (largest === i) break;
      [items[i], items[largest]] = [items[largest] as T, items[i] as T];
      i = largest;
    }
  }
}
