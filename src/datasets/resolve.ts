// Datasets from the config, resolved against the data: their objects listed, their
// columns inferred (the same inference as tables), the config's overrides applied,
// and GraphQL names chosen. At start and on each schema refresh; per request,
// openDataset reads the same objects afresh.
import type { Format, RawCell } from '../codecs/types.js';
import type { Context } from '../context.js';
import { BadUserInput, NotFound } from '../errors.js';
import { missingObject } from '../objects/missing.js';
import { headObject, nodeFromMeta, type ObjectNode, type TableArgs, tableReaderOf } from '../objects/service.js';
import type { ObjectSummary } from '../storage/types.js';
import { joinTypes } from '../tables/infer.js';
import { readingOf } from '../tables/reader.js';
import type { Column, ColumnType, TableSchema } from '../tables/types.js';
import type { DatasetConfig } from './config.js';
import { fieldNamesFor, typeNameFor } from './names.js';
import { partitionCell, partitionColumns, partitionsOf } from './partitions.js';
import { DatasetReader } from './reader.js';

/** Objects one prefix dataset may span. */
export const MAX_DATASET_OBJECTS = 10_000;

/** Field names the row types use themselves. */
export const RESERVED_FIELDS = new Set(['_index', '_values']);

export interface DatasetColumn extends Column {
  /** The GraphQL field name. */
  field: string;
  description: string | null;
  hidden: boolean;
}

export interface ResolvedDataset {
  config: DatasetConfig;
  /** PascalCase base of the dataset's type names ("sales" → "Sales"). */
  typeName: string;
  format: Format;
  columns: DatasetColumn[];
  /** Names of the columns that come from `key=value` folders. */
  partitions: string[];
}

export interface DatasetFailure {
  name: string;
  message: string;
}

function tableArgs(config: DatasetConfig): TableArgs {
  return {
    format: config.format,
    sheet: config.sheet,
    delimiter: config.delimiter,
    encoding: config.encoding,
    header: config.header ?? true,
  };
}

/** The objects a dataset reads now, in key order. */
async function datasetObjects(ctx: Context, config: DatasetConfig): Promise<ObjectNode[]> {
  ctx.access.checkBucket(config.bucket);
  if (config.key !== undefined) {
    const meta = await headObject(ctx, { bucket: config.bucket, key: config.key });
    if (!meta) throw await missingObject(ctx, { bucket: config.bucket, key: config.key }, `Dataset ${config.name}: `);
    return [nodeFromMeta(meta)];
  }
  const objects: ObjectSummary[] = [];
  let token: string | undefined;
  do {
    // Through the request's loader: a dataset's rows and its aggregate in one request list the prefix once.
    const page = await ctx.loaders.listPage.load({ bucket: config.bucket, prefix: config.prefix, maxKeys: 1000, continuationToken: token });
    // Folder markers ("logs/") hold no rows.
    objects.push(...page.objects.filter((o) => !o.key.endsWith('/')));
    token = page.nextToken ?? undefined;
    if (objects.length > MAX_DATASET_OBJECTS)
      throw new BadUserInput(`Dataset ${config.name}: more than ${MAX_DATASET_OBJECTS} objects under ${config.prefix}`);
  } while (token);
  if (objects.length === 0) throw new NotFound(`Dataset ${config.name}: no objects under ${config.bucket}/${config.prefix}`);
  return objects;
}

/** Infers the dataset's columns from its objects and applies the config's overrides. */
export async function resolveDataset(ctx: Context, config: DatasetConfig): Promise<ResolvedDataset> {
  const nodes = await datasetObjects(ctx, config);
  const merged = new Map<string, { type: ColumnType; nullable: boolean; parts: number }>();
  let format: Format | null = null;
  for (const node of nodes) {
    const reader = await tableReaderOf(ctx, node, tableArgs(config));
    const schema = await reader.schema();
    format ??= schema.format;
    for (const column of schema.columns) {
      const seen = merged.get(column.name);
      if (seen) {
        seen.type = joinTypes(seen.type, column.type);
        seen.nullable ||= column.nullable;
        seen.parts++;
      } else merged.set(column.name, { type: column.type, nullable: column.nullable, parts: 1 });
    }
  }
  // A column missing from some objects is null in their rows.
  for (const info of merged.values()) if (info.parts < nodes.length) info.nullable = true;
  // Hive-style folders become columns, unless the files hold a column of that name.
  const partitions: string[] = [];
  if (config.prefix !== undefined && config.partitions !== false) {
    for (const column of partitionColumns(
      nodes.map((n) => n.key),
      config.prefix,
    )) {
      if (merged.has(column.name) || column.name === config.sourceKeyColumn) continue;
      merged.set(column.name, { type: column.type, nullable: column.nullable, parts: nodes.length });
      partitions.push(column.name);
    }
  }

  const overrides = config.columns ?? {};
  const unknown = Object.keys(overrides).filter((name) => !merged.has(name) && name !== config.sourceKeyColumn);
  if (unknown.length > 0) {
    throw new BadUserInput(
      `Dataset ${config.name}: no column ${unknown.map((n) => JSON.stringify(n)).join(', ')} to override; the columns are ${[...merged.keys()].map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  const names = [...merged.keys()];
  if (config.sourceKeyColumn !== undefined) {
    if (merged.has(config.sourceKeyColumn))
      throw new BadUserInput(`Dataset ${config.name}: sourceKeyColumn ${JSON.stringify(config.sourceKeyColumn)} is already a column`);
    names.push(config.sourceKeyColumn);
    merged.set(config.sourceKeyColumn, { type: 'STRING', nullable: false, parts: nodes.length });
  }
  const fieldOverrides = new Map(Object.entries(overrides).flatMap(([name, o]) => (o.field ? [[name, o.field] as const] : [])));
  const fields = fieldNamesFor(names, fieldOverrides, RESERVED_FIELDS);
  const duplicate = fields.find((f, i) => fields.indexOf(f) !== i);
  if (duplicate) throw new BadUserInput(`Dataset ${config.name}: the field name ${duplicate} is given to two columns`);
  const columns: DatasetColumn[] = names.map((name, index) => {
    const info = merged.get(name) as { type: ColumnType; nullable: boolean };
    // Own entries only: a column named `constructor` has no override unless one is given.
    const override = (Object.hasOwn(overrides, name) ? overrides[name] : undefined) ?? {};
    const type = (override.type as ColumnType | undefined) ?? (info.type === 'NULL' ? 'STRING' : info.type);
    return {
      name,
      index,
      type,
      nullable: info.nullable || info.type === 'NULL' || override.type !== undefined,
      field: fields[index] as string,
      description: override.description ?? null,
      hidden: override.hidden ?? false,
    };
  });
  if (columns.every((c) => c.hidden)) throw new BadUserInput(`Dataset ${config.name}: every column is hidden`);
  return { config, typeName: typeNameFor(config.name), format: format ?? 'CSV', columns, partitions };
}

/** The dataset's rows for this request: its objects as they are now. */
export async function openDataset(ctx: Context, dataset: ResolvedDataset): Promise<DatasetReader> {
  const nodes = await datasetObjects(ctx, dataset.config);
  const partitionTypes = new Map(
    dataset.partitions.map((name) => [name, (dataset.columns.find((c) => c.name === name) as DatasetColumn).type] as const),
  );
  const parts = await Promise.all(
    nodes.map(async (node) => ({
      key: node.key,
      reader: await tableReaderOf(ctx, node, tableArgs(dataset.config)),
      partition: partitionValues(node.key, dataset.config.prefix ?? '', partitionTypes),
    })),
  );
  const reading = readingOf(dataset.format);
  const schema: TableSchema = {
    format: dataset.format,
    sheet: dataset.config.sheet ?? null,
    sheets: [],
    columns: dataset.columns.map(({ name, index, type, nullable }) => ({ name, index, type, nullable })),
    keys: null,
    reading,
  };
  const sourceKey =
    dataset.config.sourceKeyColumn === undefined ? -1 : dataset.columns.findIndex((c) => c.name === dataset.config.sourceKeyColumn);
  return new DatasetReader(schema, parts, sourceKey, ctx.tableCache);
}

/** The object's partition values, typed as their columns (every partition column: null when it has no folder). */
function partitionValues(key: string, prefix: string, types: ReadonlyMap<string, ColumnType>): Map<string, RawCell> {
  const values = new Map<string, RawCell>();
  if (types.size === 0) return values;
  for (const name of types.keys()) values.set(name, null);
  for (const [name, value] of partitionsOf(key, prefix)) {
    const type = types.get(name);
    if (type) values.set(name, partitionCell(value, type));
  }
  return values;
}
