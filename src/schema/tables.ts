// Tables: S3Object.table, columns, rows with filters, ordering, projection and paging.
import { tableReaderOf } from '../objects/service.js';
import { type AggregateGroup, aggregate } from '../tables/aggregate.js';
import { FILTER_OPS, type RowFilter } from '../tables/filter.js';
import { countRows, MAX_PAGE, readPage } from '../tables/query.js';
import type { TableReader } from '../tables/reader.js';
import { MAX_BINS, MAX_TOP, summarizeColumn } from '../tables/summary.js';
import { COLUMN_TYPES } from '../tables/types.js';
import { type Builder, enumValues } from './builder.js';
import { Format } from './objects.js';
import { forwardPageInfo } from './paging.js';
import { isIdentifierName } from './summable.js';

/** The SortDirection enum, by which datasets.ts uses it too. */
export const SortDirection = enumValues(['ASC', 'DESC'] as const);

export interface RowConnectionShape {
  reader: TableReader;
  where: RowFilter | null | undefined;
  page: Awaited<ReturnType<typeof readPage>>;
  after: string | null | undefined;
}

/** One statistic of a group's columns as { column: value }; sum and avg only for amounts (see summable.ts). */
function statByColumn(group: AggregateGroup, stat: 'sum' | 'avg' | 'min' | 'max'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of group.columns) {
    if ((stat === 'sum' || stat === 'avg') && (column.sum === null || isIdentifierName(column.column))) continue;
    out[column.column] = column[stat];
  }
  return out;
}

/** Tables: S3Object.table and everything under it. */
export function addTables(builder: Builder): void {
  const ColumnTypeEnum = builder.enumType('ColumnType', {
    description: 'A column’s type, inferred from its leading rows. JSON: nested arrays/objects (JSON, NDJSON, pickle).',
    values: COLUMN_TYPES,
  });
  const FilterOpEnum = builder.enumType('FilterOp', { values: FILTER_OPS });
  builder.enumType(SortDirection, { name: 'SortDirection' });

  builder.inputType('RowFilter', {
    description: 'A condition on rows: `column` + `op` (+ `value`), and/or `and`, `or`, `not`. Several parts in one filter must all hold.',
    fields: (t) => ({
      and: t.field({ type: ['RowFilter'] }),
      or: t.field({ type: ['RowFilter'] }),
      not: t.field({ type: 'RowFilter' }),
      column: t.string(),
      op: t.field({ type: FilterOpEnum }),
      value: t.field({
        type: 'JSON',
        description: 'A value of the column’s type; a list for IN / NOT_IN; none for IS_NULL / IS_NOT_NULL.',
      }),
      ignoreCase: t.boolean({
        defaultValue: false,
        description: 'String comparisons (EQ, NE, IN, NOT_IN, CONTAINS, STARTS_WITH, ENDS_WITH) ignore letter case.',
      }),
    }),
  });

  builder.inputType('RowOrder', {
    fields: (t) => ({
      column: t.string({ required: true }),
      direction: t.field({ type: SortDirection, defaultValue: 'ASC' }),
    }),
  });

  builder.objectType('Column', {
    fields: (t) => ({
      name: t.exposeString('name'),
      index: t.exposeInt('index'),
      type: t.field({ type: ColumnTypeEnum, resolve: (c) => c.type }),
      nullable: t.exposeBoolean('nullable'),
    }),
  });

  builder.objectType('Row', {
    fields: (t) => ({
      index: t.exposeInt('index', { description: '0-based position of the row in the table.' }),
      values: t.field({ type: 'JSONObject', description: '{ column name: typed value }', resolve: (r) => r.values }),
      cells: t.field({
        type: ['JSON'],
        nullable: { list: false, items: true },
        description: 'Typed values in column order.',
        resolve: (r) => r.cells,
      }),
    }),
  });

  builder.objectType('RowEdge', {
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: 'Row', resolve: (r) => r }),
    }),
  });

  builder.objectType('RowConnection', {
    fields: (t) => ({
      edges: t.field({ type: ['RowEdge'], resolve: (c) => c.page.rows }),
      pageInfo: t.field({ type: 'PageInfo', resolve: (c) => forwardPageInfo({ ...c.page, edges: c.page.rows }, c.after) }),
      totalCount: t.int({
        description: 'Rows matching `where` in the whole table (a full scan, unless cached).',
        resolve: (c, _, ctx) => ctx.scans.run('totalCount', () => countRows(c.reader, c.where)),
      }),
    }),
  });

  builder.objectType('ColumnAggregate', {
    description: 'One column of a group: values of its type counted (nulls and misfits are not), sum and avg for numbers, min and max.',
    fields: (t) => ({
      column: t.exposeString('column'),
      count: t.exposeInt('count'),
      sum: t.float({ nullable: true, resolve: (a) => a.sum }),
      avg: t.float({ nullable: true, resolve: (a) => a.avg }),
      min: t.field({ type: 'JSON', nullable: true, resolve: (a) => a.min }),
      max: t.field({ type: 'JSON', nullable: true, resolve: (a) => a.max }),
    }),
  });

  builder.objectType('AggregateGroup', {
    fields: (t) => ({
      key: t.field({
        type: 'JSONObject',
        description: 'The group’s values of the groupBy columns ({} without groupBy).',
        resolve: (g) => g.key,
      }),
      count: t.int({ description: 'Rows in the group.', resolve: (g) => g.count }),
      columns: t.field({ type: ['ColumnAggregate'], resolve: (g) => g.columns }),
      sum: t.field({
        type: 'JSONObject',
        description:
          '{ column: sum } for the aggregated INT and FLOAT columns not named like identifiers (as typed dataset aggregates have it).',
        resolve: (g) => statByColumn(g, 'sum'),
      }),
      avg: t.field({
        type: 'JSONObject',
        description: '{ column: average } for the same columns as `sum`.',
        resolve: (g) => statByColumn(g, 'avg'),
      }),
      min: t.field({
        type: 'JSONObject',
        description: '{ column: smallest value } for every aggregated column.',
        resolve: (g) => statByColumn(g, 'min'),
      }),
      max: t.field({
        type: 'JSONObject',
        description: '{ column: largest value } for every aggregated column.',
        resolve: (g) => statByColumn(g, 'max'),
      }),
    }),
  });

  builder.objectType('HistogramBin', {
    description: 'Values from `from` (inclusive) to `to` (exclusive; inclusive for the last bin). Dates as ISO strings.',
    fields: (t) => ({
      from: t.field({ type: 'JSON', resolve: (b) => b.from }),
      to: t.field({ type: 'JSON', resolve: (b) => b.to }),
      count: t.exposeInt('count'),
    }),
  });

  builder.objectType('ValueCount', {
    fields: (t) => ({
      value: t.field({ type: 'JSON', nullable: true, resolve: (v) => v.value }),
      count: t.exposeInt('count'),
    }),
  });

  builder.objectType('ColumnSummary', {
    fields: (t) => ({
      column: t.exposeString('column'),
      count: t.int({ description: 'Rows (matching `where`).', resolve: (s) => s.count }),
      nulls: t.exposeInt('nulls'),
      misfits: t.int({ description: 'Values that do not fit the column’s type (returned as written).', resolve: (s) => s.misfits }),
      distinct: t.int({
        nullable: true,
        description: 'Distinct values; null when there are too many to count exactly.',
        resolve: (s) => s.distinct,
      }),
      min: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.min }),
      max: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.max }),
      histogram: t.field({
        type: ['HistogramBin'],
        description: 'Equal-width bins over [min, max]; [] for columns that are not numbers or dates.',
        resolve: (s) => s.histogram,
      }),
      histogramApproximate: t.boolean({
        description: 'True beyond 100,000 values: counts are then placed to within 1/4096 of the range.',
        resolve: (s) => s.histogramApproximate,
      }),
      topValues: t.field({
        type: ['ValueCount'],
        description: 'The most frequent values, most frequent first.',
        resolve: (s) => s.topValues,
      }),
      topValuesApproximate: t.boolean({
        description: 'True when there were too many distinct values to count exactly: counts are then lower bounds.',
        resolve: (s) => s.topValuesApproximate,
      }),
    }),
  });

  builder.objectType('Table', {
    fields: (t) => ({
      format: t.field({ type: Format, resolve: (r) => r.options.format }),
      sheet: t.string({ nullable: true, description: 'XLSX: the sheet read.', resolve: async (r) => (await r.schema()).sheet }),
      sheets: t.stringList({
        description: 'XLSX: every worksheet in workbook order; [] otherwise.',
        resolve: async (r) => (await r.schema()).sheets,
      }),
      columns: t.field({ type: ['Column'], resolve: async (r) => (await r.schema()).columns }),
      rowCount: t.int({
        description: 'Data rows (header excluded).',
        resolve: (r, _, ctx) => ctx.scans.run('rowCount', () => countRows(r, null)),
      }),
      count: t.int({
        description: 'Rows matching `where` (all rows when omitted).',
        args: { where: t.arg({ type: 'RowFilter' }) },
        resolve: (r, args, ctx) => ctx.scans.run('count', () => countRows(r, args.where)),
      }),
      rows: t.field({
        type: 'RowConnection',
        description: `A page of rows: \`first\` is 1 to ${MAX_PAGE}; \`columns\` picks (and orders) the columns returned.`,
        args: {
          first: t.arg.int({ defaultValue: 100 }),
          after: t.arg.string(),
          where: t.arg({ type: 'RowFilter' }),
          orderBy: t.arg({ type: ['RowOrder'] }),
          columns: t.arg.stringList(),
        },
        resolve: async (reader, args, ctx) => {
          const read = () => readPage(reader, { ...args, first: args.first ?? 100 });
          // Only a filtered or ordered page may read the whole table; a plain one reads its leading rows.
          const scans = Boolean(args.where) || (args.orderBy?.length ?? 0) > 0;
          return { reader, where: args.where, after: args.after, page: await (scans ? ctx.scans.run('rows', read) : read()) };
        },
      }),
      encoding: t.string({
        nullable: true,
        description: 'CSV/TSV: the text encoding the rows were read in (detected or given); null otherwise.',
        resolve: async (r) => (await r.schema()).encoding ?? null,
      }),
      aggregate: t.field({
        type: ['AggregateGroup'],
        description:
          'Row counts and, per column, count/sum/avg/min/max, in groups of `groupBy` (one group without it), in one streaming pass. `columns` defaults to every INT, FLOAT and DATETIME column. At most 10,000 groups.',
        args: { where: t.arg({ type: 'RowFilter' }), groupBy: t.arg.stringList(), columns: t.arg.stringList() },
        resolve: (r, args, ctx) => ctx.scans.run('aggregate', () => aggregate(r, args)),
      }),
      summary: t.field({
        type: 'ColumnSummary',
        description: `One column over the whole table (or the rows matching \`where\`), in one streaming pass: counts, min, max, a histogram (numbers and dates; \`bins\` even, 2 to ${MAX_BINS}) and the most frequent values (\`top\`, 0 to ${MAX_TOP}).`,
        args: {
          column: t.arg.string({ required: true }),
          where: t.arg({ type: 'RowFilter' }),
          bins: t.arg.int({ defaultValue: 20 }),
          top: t.arg.int({ defaultValue: 10 }),
        },
        resolve: (r, args, ctx) => ctx.scans.run('summary', () => summarizeColumn(r, args)),
      }),
    }),
  });

  builder.objectField('S3Object', 'table', (t) =>
    t.field({
      type: 'Table',
      nullable: true,
      description: 'The object read as a typed table (CSV, TSV, XLSX, JSON arrays of objects, NDJSON, pickled tables).',
      args: {
        sheet: t.arg.string({ description: 'XLSX: the worksheet by name (the first visible one when omitted).' }),
        header: t.arg.boolean({ defaultValue: true, description: 'The first row holds the column names.' }),
        delimiter: t.arg.string({ description: 'CSV/TSV field delimiter (CSV: detected when omitted).' }),
        encoding: t.arg.string({ description: 'Text encoding label (detected when omitted).' }),
        format: t.arg({ type: Format, description: 'Read as this format instead of the one the extension names.' }),
      },
      resolve: (o, args, ctx) => tableReaderOf(ctx, o, args),
    }),
  );
}
