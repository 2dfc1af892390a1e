// Aggregates in one streaming pass: count, and sum/avg/min/max per column, grouped
// by any columns. Memory grows with the number of groups, never with the rows.
import { BadUserInput } from '../errors.js';
import { takeSpanRows } from './columnar.js';
import { compareValues } from './compare.js';
import { compileFilter, findColumn, type RowFilter } from './filter.js';
import { fitsType } from './infer.js';
import { compileRangeTest, filterColumns } from './prune.js';
import { jsonValue } from './query.js';
import type { RowSource } from './source.js';
import type { Column, ColumnType, TableRow, TableSchema, TypedValue } from './types.js';

export const MAX_GROUPS = 10_000;

export interface AggregateArgs {
  where?: RowFilter | null | undefined;
  groupBy?: readonly string[] | null | undefined;
  /** Columns to aggregate; every INT, FLOAT and DATETIME column when omitted. */
  columns?: readonly string[] | null | undefined;
}

export interface ColumnAggregate {
  column: string;
  /** Values of the column's type (nulls and misfits are not counted). */
  count: number;
  sum: number | null;
  avg: number | null;
  min: unknown;
  max: unknown;
}

export interface AggregateGroup {
  /** The group's values of the groupBy columns ({} without groupBy). */
  key: Record<string, unknown>;
  count: number;
  columns: ColumnAggregate[];
}

const SUMMABLE: ReadonlySet<ColumnType> = new Set(['INT', 'FLOAT']);
const ORDERED: ReadonlySet<ColumnType> = new Set(['INT', 'FLOAT', 'DATETIME', 'STRING', 'BOOLEAN']);

/** Running statistics of one column in one group. Neumaier summation keeps float sums exact-ish. */
class Accumulator {
  count = 0;
  sum = 0;
  compensation = 0;
  min: TypedValue = null;
  max: TypedValue = null;

  add(value: TypedValue, column: Column): void {
    if (value === null || !fitsType(value, column.type)) return;
    this.count++;
    if (typeof value === 'number') {
      const t = this.sum + value;
      this.compensation += Math.abs(this.sum) >= Math.abs(value) ? this.sum - t + value : value - t + this.sum;
      this.sum = t;
    }
    if (this.min === null || compareValues(value, this.min) < 0) this.min = value;
    if (this.max === null || compareValues(value, this.max) > 0) this.max = value;
  }

  result(column: Column): ColumnAggregate {
    const summable = SUMMABLE.has(column.type);
    const sum = summable && this.count > 0 ? this.sum + this.compensation : null;
    return {
      column: column.name,
      count: this.count,
      sum,
      avg: sum !== null ? sum / this.count : null,
      min: jsonValue(this.min),
      max: jsonValue(this.max),
    };
  }
}

interface Group {
  key: TypedValue[];
  count: number;
  accumulators: Accumulator[];
}

function chooseColumns(schema: TableSchema, names: readonly string[] | null | undefined): Column[] {
  if (!names) return schema.columns.filter((c) => c.type === 'INT' || c.type === 'FLOAT' || c.type === 'DATETIME');
  return names.map((name) => {
    const column = findColumn(schema.columns, name, 'aggregate columns');
    if (!ORDERED.has(column.type))
      throw new BadUserInput(
        `Column ${JSON.stringify(name)} is ${column.type}: aggregates take INT, FLOAT, DATETIME, STRING or BOOLEAN columns`,
      );
    return column;
  });
}

/** Groups sorted by their key (nulls last), the way orderBy sorts. */
function compareKeys(a: TypedValue[], b: TypedValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

export async function aggregate(reader: RowSource, args: AggregateArgs): Promise<AggregateGroup[]> {
  const schema = await reader.schema();
  const groupBy = (args.groupBy ?? []).map((name) => findColumn(schema.columns, name, 'groupBy'));
  const columns = chooseColumns(schema, args.columns);
  const predicate = compileFilter(args.where, schema.columns);
  const groups = new Map<string, Group>();
  // Grouped by one column, groups are found by the value itself (a Date by its ISO text,
  // as JSON keys it): no key string made a row.
  const single = groupBy.length === 1 ? (groupBy[0] as Column) : null;
  const byValue = new Map<string | number | boolean | null, Group>();
  // A failure stops this consumer only: others may share the pass.
  let failure: Error | null = null;
  // One cell reader for the whole scan, pointed at each row in turn: no closure a row.
  let current: TableRow;
  const cell = (column: Column) => reader.typed(current, column, schema);
  const newGroup = (key: TypedValue[]): Group | null => {
    if (groups.size + byValue.size >= MAX_GROUPS) {
      failure = new BadUserInput(`More than ${MAX_GROUPS} groups: group by fewer or coarser columns, or filter first`);
      return null;
    }
    return { key, count: 0, accumulators: columns.map(() => new Accumulator()) };
  };
  const take = (row: TableRow): boolean => {
    current = row;
    if (predicate && !predicate(cell)) return true;
    let group: Group | undefined | null;
    const value = single ? cell(single) : undefined;
    const primitive = value instanceof Date ? value.toISOString() : value;
    if (single && (primitive === null || typeof primitive !== 'object')) {
      const at = primitive as string | number | boolean | null;
      group = byValue.get(at);
      if (!group) {
        group = newGroup([value as TypedValue]);
        if (!group) return false;
        byValue.set(at, group);
      }
    } else {
      const key = groupBy.map(cell);
      const id = JSON.stringify(key.map(jsonValue));
      group = groups.get(id);
      if (!group) {
        group = newGroup(key);
        if (!group) return false;
        groups.set(id, group);
      }
    }
    group.count++;
    for (let i = 0; i < columns.length; i++) (group.accumulators[i] as Accumulator).add(cell(columns[i] as Column), columns[i] as Column);
    return true;
  };
  await reader.run({
    start: { index: 0 },
    whole: true,
    // Only the columns it groups, sums and filters by, in the spans its filter may want; indexes unused.
    needs: {
      columns: filterColumns(args.where, new Set([...groupBy, ...columns].map((c) => c.name))),
      mayMatch: compileRangeTest(args.where, schema.columns),
      indexes: false,
    },
    take,
    // Rows of a columnar table: one row object pointed at each in turn.
    takeColumns: takeSpanRows(take),
  });
  if (failure) throw failure;
  if (groups.size === 0 && groupBy.length === 0) {
    groups.set('[]', { key: [], count: 0, accumulators: columns.map(() => new Accumulator()) });
  }
  return [...groups.values(), ...byValue.values()]
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((group) => ({
      key: Object.fromEntries(groupBy.map((column, i) => [column.name, jsonValue(group.key[i] ?? null)])),
      count: group.count,
      columns: columns.map((column, i) => (group.accumulators[i] as Accumulator).result(column)),
    }));
}
