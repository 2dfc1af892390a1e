// "Show query": opens GraphiQL in a new tab with the exact query and variables
// behind a view, so that people can learn the API from what they just did.
import type { AnyOperation } from '../api/client.js';
import { graphiqlUrl } from '../api/graphiql.js';

interface Props {
  operation: AnyOperation;
  /** Which query, for screen readers when a page has several ("the table"). */
  of: string;
}

export function ShowQuery({ operation, of }: Props) {
  return (
    <a class="show-query" href={graphiqlUrl(operation)} target="_blank" rel="noopener">
      Show query<span class="visually-hidden"> for {of} in GraphiQL</span>
    </a>
  );
}
