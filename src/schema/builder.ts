// The Pothos SchemaBuilder: scalars, context type, and the name and shape of every
// object and input type, declared once. Domain modules refer to each other's types by
// these names ('S3Object', 'PageInfo', 'RowFilter'), typed by the shapes below, so they
// hand no references along and can be added in any order. A schema is built by a fresh
// builder each time (datasets change the types; their names are data, not listed here).
import SchemaBuilder from '@pothos/core';
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONObjectResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';
import type { Context } from '../context.js';
import type { ObjectEdgeShape } from '../objects/listing.js';
import type { ObjectNode } from '../objects/service.js';
import type { StoreInfo } from '../storage/check.js';
import type { AggregateGroup, ColumnAggregate } from '../tables/aggregate.js';
import type { RowFilter } from '../tables/filter.js';
import type { RowOrder, RowResult } from '../tables/query.js';
import type { TableReader } from '../tables/reader.js';
import type { ColumnSummary, HistogramBin, TopValue } from '../tables/summary.js';
import type { Column } from '../tables/types.js';
import type { BucketShape, ObjectConnectionPage } from './buckets.js';
import type { PresignedRequestShape } from './objects.js';
import type { PageInfoShape } from './paging.js';
import type { RowConnectionShape } from './tables.js';

export interface SchemaTypes {
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: NonNullable<unknown> | null; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    SafeInt: { Input: number; Output: number };
    File: { Input: File; Output: never };
  };
  Objects: {
    // paging.ts
    PageInfo: PageInfoShape;
    // objects.ts
    S3Object: ObjectNode;
    PresignedRequest: PresignedRequestShape;
    // buckets.ts
    ObjectEdge: ObjectEdgeShape;
    ObjectConnection: ObjectConnectionPage;
    Bucket: BucketShape;
    // tables.ts
    Column: Column;
    Row: RowResult;
    RowEdge: RowResult;
    RowConnection: RowConnectionShape;
    ColumnAggregate: ColumnAggregate;
    AggregateGroup: AggregateGroup;
    HistogramBin: HistogramBin;
    ValueCount: TopValue;
    ColumnSummary: ColumnSummary;
    Table: TableReader;
    // server.ts
    Store: StoreInfo;
    ServerInfo: Record<string, never>;
  };
  Inputs: {
    // objects.ts
    ObjectRef: { bucket: string; key: string };
    // tables.ts
    RowFilter: RowFilter;
    RowOrder: RowOrder;
  };
}

export type Types = PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>;
export type Builder = PothosSchemaTypes.SchemaBuilder<Types>;

export function createBuilder(): Builder {
  const builder = new SchemaBuilder<SchemaTypes>({ defaultFieldNullability: false });
  builder.addScalarType('DateTime', DateTimeResolver);
  builder.addScalarType('JSON', JSONResolver);
  builder.addScalarType('JSONObject', JSONObjectResolver);
  builder.addScalarType('SafeInt', SafeIntResolver);
  builder.addScalarType(
    'File',
    new GraphQLScalarType({
      name: 'File',
      description: 'A file sent with the GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec).',
    }),
  );
  builder.queryType({});
  builder.mutationType({});
  return builder;
}

/**
 * An enum's values as an object ({ CSV: 'CSV', ... }): Pothos takes such an object as
 * the enum's reference in every builder, so a domain can use another's enum by it.
 */
export function enumValues<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { readonly [K in T[number]]: K };
}
