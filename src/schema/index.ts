// The GraphQL schema: each domain module adds its types and root fields to the builder.
import { builder } from './builder.js';
import './paging.js';
import './objects.js';
import './buckets.js';
import './tables.js';
import './mutations.js';

export const schema = builder.toSchema({ sortSchema: false });
