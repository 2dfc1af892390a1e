// The Pothos SchemaBuilder: scalars, context type and defaults, declared once.
// A schema is built by a fresh builder each time (datasets change the types).
import SchemaBuilder from '@pothos/core';
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONObjectResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';
import type { Context } from '../context.js';

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
}

export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>>;

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
  return builder;
}
