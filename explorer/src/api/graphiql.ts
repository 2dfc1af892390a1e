// "Show query": the address that opens GraphiQL (served by bucketql at /graphql)
// with the exact query text and variables behind a view.
import { type AnyOperation, ENDPOINT, queryText } from './client.js';

/**
 * `/graphql?query=...&variables=...`: the variables as indented JSON (GraphiQL shows
 * them as given), left out when there are none.
 */
export function graphiqlUrl(operation: AnyOperation): string {
  const params = new URLSearchParams({ query: queryText(operation.document) });
  const variables = JSON.stringify(operation.variables ?? {}, null, 2);
  if (variables !== '{}') params.set('variables', variables);
  return `${ENDPOINT}?${params.toString()}`;
}
