// The GraphQL schema, built by a fresh builder: each domain module adds its types,
// root fields and mutations (they refer to each other's types by name, see
// builder.ts), and the declared datasets add theirs. The order below is only the
// order of the printed schema.
import type { GraphQLSchema } from 'graphql';
import type { ResolvedDataset } from '../datasets/resolve.js';
import { addBuckets } from './buckets.js';
import { createBuilder } from './builder.js';
import { addDatasets } from './datasets.js';
import { addObjects, addObjectWrites } from './objects.js';
import { addPaging } from './paging.js';
import { addServerInfo } from './server.js';
import { addTables } from './tables.js';

export function buildSchema(datasets: readonly ResolvedDataset[] = []): GraphQLSchema {
  const builder = createBuilder();
  addPaging(builder);
  addObjects(builder);
  addBuckets(builder);
  addTables(builder);
  addObjectWrites(builder);
  addServerInfo(builder);
  addDatasets(builder, datasets);
  return builder.toSchema({ sortSchema: false });
}

/** The schema without datasets: what a server with no config serves. */
export const schema = buildSchema();
