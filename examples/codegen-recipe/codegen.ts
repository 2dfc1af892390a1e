// A typed client for your own datasets, with GraphQL Code Generator's client preset.
// Copy this file (and client.ts) into your project, then:
//   npm install -D @graphql-codegen/cli @graphql-codegen/client-preset
//   npx graphql-codegen --config codegen.ts
// The schema comes from a running bucketql (introspection) or from a file printed for
// your config without a server: BUCKETQL_CONFIG=bucketql.config.json npm run -s schema:print > schema.graphql
// (run in the bucketql checkout), then BUCKETQL_SCHEMA=schema.graphql npx graphql-codegen ...
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: process.env.BUCKETQL_SCHEMA ?? 'http://127.0.0.1:4000/graphql',
  // Operations written with graphql(`...`) in these files (or in .graphql files).
  documents: ['*.ts', '!codegen.ts', '!gql/**'],
  // ESM: imports between the generated files end in .js, as NodeNext/"type": "module" need.
  emitLegacyCommonJSImports: false,
  generates: {
    'gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // bucketql's custom scalars; without these they are `any`.
        scalars: {
          DateTime: 'string',
          JSON: 'unknown',
          JSONObject: 'Record<string, unknown>',
          SafeInt: 'number',
          File: 'File',
        },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        // Documents as strings: the client needs nothing but fetch.
        documentMode: 'string',
      },
    },
  },
};

export default config;
