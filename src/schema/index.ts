// The GraphQL schema, built by a fresh builder: each domain module adds its types
// and root fields, and the declared datasets add theirs.
import type { GraphQLSchema } from 'graphql';
import type { ResolvedDataset } from '../datasets/resolve.js';
import { addBuckets } from './buckets.js';
import { createBuilder } from './builder.js';
import { addDatasets } from './datasets.js';
import { addMutations } from './mutations.js';
import { addObjects } from './objects.js';
import { addPaging } from './paging.js';
import { addServerInfo } from './server.js';
import { addTables } from './tables.js';

export function buildSchema(datasets: readonly ResolvedDataset[] = []): GraphQLSchema {
  const builder = createBuilder();
  const shared = { ...addPaging(builder), ...addObjects(builder) };
  const { Bucket } = addBuckets(builder, shared);
  const { SortDirectionEnum } = addTables(builder, shared);
  addMutations(builder, { ...shared, Bucket });
  addServerInfo(builder);
  addDatasets(builder, datasets, { pageInfo: shared.PageInfo, sortDirection: SortDirectionEnum });
  return builder.toSchema({ sortSchema: false });
}

/** The schema without datasets: what a server with no config serves. */
export const schema = buildSchema();
