// Declared datasets as GraphQL types: per dataset a row type with one typed field
// per column, a typed filter input, an order-by input, a relay-style connection and
// typed aggregates. Built from the datasets resolved at start (or refresh).
import type { FieldMap, InputFieldMap, InputFieldsFromShape } from '@pothos/core';
import { type DatasetColumn, openDataset, type ResolvedDataset } from '../datasets/resolve.js';
import type { ScanBudget } from '../server/scan-budget.js';
import { aggregate } from '../tables/aggregate.js';
import type { FilterOp, RowFilter } from '../tables/filter.js';
import { countRows, type RowResult, readPage } from '../tables/query.js';
import type { ColumnType } from '../tables/types.js';
import type { Builder, Types } from './builder.js';
import { forwardPageInfo } from './paging.js';
import { offersSumAndAvg } from './summable.js';
import { SortDirection } from './tables.js';

type ScalarName = 'SafeInt' | 'Float' | 'Boolean' | 'DateTime' | 'String' | 'JSON';

/** INT columns are SafeInt: GraphQL's Int is 32-bit, and data in S3 often is not. */
function scalarFor(type: ColumnType): ScalarName {
  switch (type) {
    case 'INT':
      return 'SafeInt';
    case 'FLOAT':
      return 'Float';
    case 'BOOLEAN':
      return 'Boolean';
    case 'DATETIME':
      return 'DateTime';
    case 'JSON':
      return 'JSON';
    default:
      return 'String';
  }
}

/** The column types that get a typed filter input (JSON columns have none), in the schema's order. */
const FILTER_SCALARS = ['SafeInt', 'Float', 'DateTime', 'String', 'Boolean'] as const;
type FilterScalar = (typeof FILTER_SCALARS)[number];

/** The typed filter input each column type gets, and the operators it carries. */
const FILTERS: Record<FilterScalar, { name: string; ops: Record<string, FilterOp>; lists: boolean; strings: boolean }> = {
  SafeInt: { name: 'IntFilter', ops: { eq: 'EQ', ne: 'NE', gt: 'GT', gte: 'GTE', lt: 'LT', lte: 'LTE' }, lists: true, strings: false },
  Float: { name: 'FloatFilter', ops: { eq: 'EQ', ne: 'NE', gt: 'GT', gte: 'GTE', lt: 'LT', lte: 'LTE' }, lists: true, strings: false },
  DateTime: {
    name: 'DateTimeFilter',
    ops: { eq: 'EQ', ne: 'NE', gt: 'GT', gte: 'GTE', lt: 'LT', lte: 'LTE' },
    lists: true,
    strings: false,
  },
  String: {
    name: 'StringFilter',
    ops: {
      eq: 'EQ',
      ne: 'NE',
      gt: 'GT',
      gte: 'GTE',
      lt: 'LT',
      lte: 'LTE',
      contains: 'CONTAINS',
      startsWith: 'STARTS_WITH',
      endsWith: 'ENDS_WITH',
    },
    lists: true,
    strings: true,
  },
  Boolean: { name: 'BooleanFilter', ops: { eq: 'EQ', ne: 'NE' }, lists: false, strings: false },
};

type TypedFilter = Record<string, unknown> & {
  in?: unknown[] | null;
  notIn?: unknown[] | null;
  isNull?: boolean | null;
  ignoreCase?: boolean | null;
};
/** A dataset filter as GraphQL gives it: and/or/not, and a typed filter per column field. */
type DatasetFilter = { and?: DatasetFilter[] | null; or?: DatasetFilter[] | null; not?: DatasetFilter | null } & {
  [field: string]: NonNullable<unknown> | null | undefined;
};

/** A filter value as the table layer compares it: DateTime inputs arrive as Dates. */
function plain(value: unknown): NonNullable<unknown> | null {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain) as NonNullable<unknown>;
  return value as NonNullable<unknown> | null;
}

/** Translates a typed dataset filter into the generic RowFilter (original column names). */
export function toRowFilter(filter: DatasetFilter | null | undefined, columns: readonly DatasetColumn[]): RowFilter | null {
  if (!filter) return null;
  const parts: RowFilter[] = [];
  for (const column of columns) {
    const scalar = scalarFor(column.type);
    const typed = filter[column.field] as TypedFilter | null | undefined;
    if (!typed || scalar === 'JSON') continue;
    const spec = FILTERS[scalar];
    const ignoreCase = typed.ignoreCase === true;
    for (const [name, op] of Object.entries(spec.ops)) {
      if (typed[name] != null) parts.push({ column: column.name, op, value: plain(typed[name]), ignoreCase });
    }
    if (typed.in != null) parts.push({ column: column.name, op: 'IN', value: plain(typed.in), ignoreCase });
    if (typed.notIn != null) parts.push({ column: column.name, op: 'NOT_IN', value: plain(typed.notIn), ignoreCase });
    if (typed.isNull === true) parts.push({ column: column.name, op: 'IS_NULL' });
    if (typed.isNull === false) parts.push({ column: column.name, op: 'IS_NOT_NULL' });
  }
  if (filter.and) parts.push({ and: filter.and.map((f) => toRowFilter(f, columns) ?? {}) });
  if (filter.or) parts.push({ or: filter.or.map((f) => toRowFilter(f, columns) ?? {}) });
  if (filter.not) parts.push({ not: toRowFilter(filter.not, columns) ?? {} });
  return parts.length === 1 ? (parts[0] as RowFilter) : { and: parts };
}

/** Adds the typed filter inputs (IntFilter, ...) once, when there is a dataset. */
function addTypedFilters(builder: Builder) {
  return new Map(
    FILTER_SCALARS.map((scalar) => {
      const spec = FILTERS[scalar];
      const ref = builder.inputType(spec.name, {
        description: `Conditions on ${withArticle(scalar === 'SafeInt' ? 'Int' : scalar)} column; several conditions must all hold. A null cell matches only isNull: true.`,
        fields: (t) => {
          const fields: InputFieldMap = {};
          for (const name of Object.keys(spec.ops)) fields[name] = t.field({ type: scalar });
          if (spec.lists) {
            fields.in = t.field({ type: [scalar] });
            fields.notIn = t.field({ type: [scalar] });
          }
          fields.isNull = t.boolean({ description: 'true: the cell is empty; false: it is not.' });
          if (spec.strings) fields.ignoreCase = t.boolean({ description: 'Compare after Unicode lower-casing.' });
          return fields;
        },
      });
      return [scalar, ref] as const;
    }),
  );
}

/** "an Int", "a Float": the English article for a type name. */
function withArticle(name: string): string {
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** Per dataset: its row, filter, order, connection and aggregate types, and its two query fields. */
export function addDatasets(builder: Builder, datasets: readonly ResolvedDataset[]): void {
  if (datasets.length === 0) return;
  const typedFilters = addTypedFilters(builder);

  for (const dataset of datasets) {
    const T = dataset.typeName;
    const visible = dataset.columns.filter((c) => !c.hidden);
    const what = dataset.config.key
      ? `${dataset.config.bucket}/${dataset.config.key}`
      : `${dataset.config.bucket}/${dataset.config.prefix}*`;

    const Row = builder.objectRef<RowResult>(`${T}Row`).implement({
      description: `A row of the dataset ${dataset.config.name} (${what}).`,
      fields: (t) => {
        const fields: FieldMap = {
          _index: t.int({ description: '0-based position of the row in the dataset.', resolve: (r) => r.index }),
          _values: t.field({
            type: 'JSONObject',
            description: 'Every value, by original column name, as the generic table API returns it.',
            resolve: (r) => r.values,
          }),
        };
        for (const column of visible) {
          fields[column.field] = t.field({
            type: scalarFor(column.type),
            nullable: column.nullable,
            description: [column.description, `Column ${JSON.stringify(column.name)} (${column.type}).`].filter(Boolean).join(' '),
            resolve: (r) => r.values[column.name],
          });
        }
        return fields;
      },
    });

    const ColumnEnum = builder.enumType(`${T}Column`, {
      description: `The columns of ${dataset.config.name}, for ordering and grouping.`,
      values: Object.fromEntries(visible.map((c) => [c.field, { value: c.name, description: `Column ${JSON.stringify(c.name)}` }])),
    });

    const Filter = builder.inputRef<DatasetFilter>(`${T}Filter`).implement({
      description: `Conditions on rows of ${dataset.config.name}: every field given must hold; and/or/not combine filters.`,
      fields: (t) => {
        const fields: InputFieldsFromShape<Types, DatasetFilter, 'InputObject'> = {
          and: t.field({ type: [Filter] }),
          or: t.field({ type: [Filter] }),
          not: t.field({ type: Filter }),
        };
        for (const column of visible) {
          const scalar = scalarFor(column.type);
          const typed = scalar === 'JSON' ? undefined : typedFilters.get(scalar);
          if (typed) fields[column.field] = t.field({ type: typed });
        }
        return fields;
      },
    });

    const OrderBy = builder.inputType(`${T}OrderBy`, {
      fields: (t) => ({
        column: t.field({ type: ColumnEnum, required: true }),
        direction: t.field({ type: SortDirection, defaultValue: 'ASC' }),
      }),
    });

    const Edge = builder.objectRef<RowResult>(`${T}Edge`).implement({
      fields: (t) => ({ cursor: t.exposeString('cursor'), node: t.field({ type: Row, resolve: (r) => r }) }),
    });

    interface ConnectionShape {
      page: Awaited<ReturnType<typeof readPage>>;
      after: string | null | undefined;
      count: (scans: ScanBudget) => Promise<number>;
    }
    const Connection = builder.objectRef<ConnectionShape>(`${T}Connection`).implement({
      fields: (t) => ({
        edges: t.field({ type: [Edge], resolve: (c) => c.page.rows }),
        pageInfo: t.field({ type: 'PageInfo', resolve: (c) => forwardPageInfo({ ...c.page, edges: c.page.rows }, c.after) }),
        totalCount: t.int({
          description: 'Rows matching `where` in the whole dataset.',
          resolve: (c, _, ctx) => c.count(ctx.scans),
        }),
      }),
    });

    // Aggregates: typed per column; sum/avg for amounts (numbers not named like identifiers), min/max for numbers and dates.
    const numeric = visible.filter((c) => offersSumAndAvg(c.name, c.type));
    const ordered = visible.filter((c) => c.type === 'INT' || c.type === 'FLOAT' || c.type === 'DATETIME');
    type Group = Awaited<ReturnType<typeof aggregate>>[number];
    const byColumn = (group: Group, name: string) => group.columns.find((c) => c.column === name);
    const stat = (
      name: string,
      columns: DatasetColumn[],
      pick: (g: Group, c: DatasetColumn) => unknown,
      typeOf: (c: DatasetColumn) => ScalarName,
    ) =>
      columns.length === 0
        ? null
        : builder.objectRef<Group>(`${T}${name}`).implement({
            fields: (t) =>
              Object.fromEntries(
                columns.map((column) => [column.field, t.field({ type: typeOf(column), nullable: true, resolve: (g) => pick(g, column) })]),
              ),
          });
    const Sums = stat(
      'Sums',
      numeric,
      (g, c) => byColumn(g, c.name)?.sum ?? null,
      () => 'Float',
    );
    const Avgs = stat(
      'Averages',
      numeric,
      (g, c) => byColumn(g, c.name)?.avg ?? null,
      () => 'Float',
    );
    const Mins = stat(
      'Minimums',
      ordered,
      (g, c) => byColumn(g, c.name)?.min ?? null,
      (c) => scalarFor(c.type),
    );
    const Maxs = stat(
      'Maximums',
      ordered,
      (g, c) => byColumn(g, c.name)?.max ?? null,
      (c) => scalarFor(c.type),
    );
    const Key = builder.objectRef<Group>(`${T}GroupKey`).implement({
      description: 'The values of the groupBy columns (null for columns not grouped by).',
      fields: (t) =>
        Object.fromEntries(
          visible.map((column) => [
            column.field,
            t.field({ type: scalarFor(column.type), nullable: true, resolve: (g) => g.key[column.name] ?? null }),
          ]),
        ),
    });
    const GroupType = builder.objectRef<Group>(`${T}Group`).implement({
      fields: (t) => {
        const fields: FieldMap = {
          key: t.field({ type: Key, resolve: (g) => g }),
          count: t.int({ description: 'Rows in the group.', resolve: (g) => g.count }),
        };
        if (Sums) fields.sum = t.field({ type: Sums, resolve: (g) => g });
        if (Avgs) fields.avg = t.field({ type: Avgs, resolve: (g) => g });
        if (Mins) fields.min = t.field({ type: Mins, resolve: (g) => g });
        if (Maxs) fields.max = t.field({ type: Maxs, resolve: (g) => g });
        return fields;
      },
    });

    const description = dataset.config.description ?? `The dataset ${dataset.config.name}: ${what}.`;
    builder.queryFields((t) => ({
      [dataset.config.name]: t.field({
        type: Connection,
        description,
        args: {
          first: t.arg.int({ defaultValue: 100 }),
          after: t.arg.string(),
          where: t.arg({ type: Filter }),
          orderBy: t.arg({ type: [OrderBy] }),
        },
        resolve: async (_, args, ctx) => {
          const source = await openDataset(ctx, dataset);
          const where = toRowFilter(args.where, dataset.columns);
          const orderBy = (args.orderBy ?? []).map((o) => ({
            column: o.column,
            direction: o.direction ?? 'ASC',
          }));
          const read = () => readPage(source, { first: args.first ?? 100, after: args.after, where, orderBy });
          const page = await (where || orderBy.length > 0 ? ctx.scans.run(dataset.config.name, read) : read());
          return {
            page,
            after: args.after,
            count: (scans: ScanBudget) => scans.run(`${dataset.config.name}.totalCount`, () => countRows(source, where)),
          };
        },
      }),
      [`${dataset.config.name}Aggregate`]: t.field({
        type: [GroupType],
        description: `Counts and, per numeric or date column, sum/avg/min/max of ${dataset.config.name}, in groups (one group without groupBy).`,
        args: { where: t.arg({ type: Filter }), groupBy: t.arg({ type: [ColumnEnum] }) },
        resolve: async (_, args, ctx) => {
          const source = await openDataset(ctx, dataset);
          return ctx.scans.run(`${dataset.config.name}Aggregate`, () =>
            aggregate(source, {
              where: toRowFilter(args.where, dataset.columns),
              groupBy: args.groupBy ?? [],
              columns: ordered.map((c) => c.name),
            }),
          );
        },
      }),
    }));
  }
}
