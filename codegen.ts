// GraphQL Code Generator: typed clients from schema/schema.graphql (printed by
// `npm run schema:print`) and the operation documents beside it.
import type { CodegenConfig } from '@graphql-codegen/cli';

const scalars = {
  DateTime: 'string',
  JSON: 'unknown',
  JSONObject: 'Record<string, unknown>',
  SafeInt: 'number',
  File: 'File',
};

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  overwrite: true,
  emitLegacyCommonJSImports: false,
  generates: {
    'examples/client/gql/': {
      documents: ['schema/operations/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { scalars, enumsAsTypes: true, useTypeImports: true, strictScalars: true },
    },
    // The explorer page: documents as plain strings (documentMode: 'string'), so the
    // browser bundle carries no GraphQL parser or printer.
    'explorer/src/gql/': {
      documents: ['explorer/src/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { scalars, enumsAsTypes: true, useTypeImports: true, strictScalars: true, documentMode: 'string' },
    },
  },
};

export default config;
