// The typed GraphQL client: documents generated from operations.graphql carry their
// result and variable types, so every call is typed end to end. Only POST /graphql.
import type { TypedDocumentString } from '../gql/graphql.js';
import { authHeaders, reportUnauthenticated } from './auth.js';
import { ApiError, HTTP_ERROR, NETWORK_ERROR } from './errors.js';

export const ENDPOINT = '/graphql';

/** A document and the variables it is sent with: what a view shows under "Show query". */
export interface Operation<TResult = unknown, TVariables = unknown> {
  document: TypedDocumentString<TResult, TVariables>;
  variables: TVariables;
}

/** Any operation, whatever its types: all that "Show query" needs. */
export interface AnyOperation {
  document: { toString(): string };
  variables: unknown;
}

/** The query text as sent (and as shown in GraphiQL): the generated text without its indentation. */
export function queryText(document: { toString(): string }): string {
  return document.toString().trim();
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Reads a GraphQL answer: its data, or its first error as an ApiError. Shared with uploads. */
export function readAnswer<T>(status: number, text: string): T {
  let body: GraphQLBody<T>;
  try {
    body = JSON.parse(text) as GraphQLBody<T>;
  } catch {
    throw new ApiError(status === 401 ? 'UNAUTHENTICATED' : HTTP_ERROR, `HTTP ${status}: ${text.slice(0, 200)}`, status);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? (status === 401 ? 'UNAUTHENTICATED' : HTTP_ERROR);
    if (code === 'UNAUTHENTICATED') reportUnauthenticated();
    throw new ApiError(code, first.message, status);
  }
  if (status === 401) {
    reportUnauthenticated();
    throw new ApiError('UNAUTHENTICATED', 'The server needs a token.', status);
  }
  if (!body.data) throw new ApiError(HTTP_ERROR, `HTTP ${status} without data`, status);
  return body.data;
}

/**
 * Names the object an operation reads (its `bucket` and `key` variables), so that a
 * load balancer can send every request for one object to the same bucketql instance,
 * whose table cache holds it (docs/operations.md). Nothing when there is no object.
 */
export function objectRoutingHeader(variables: unknown): Record<string, string> {
  const v = variables as { bucket?: unknown; key?: unknown } | null | undefined;
  if (typeof v?.bucket !== 'string' || typeof v.key !== 'string') return {};
  return { 'x-bucketql-object': encodeURIComponent(`${v.bucket}/${v.key}`) };
}

export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch(ENDPOINT, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...objectRoutingHeader(variables),
        ...authHeaders(),
      },
      body: JSON.stringify({ query: queryText(document), variables }),
      signal: signal ?? null,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(NETWORK_ERROR, error instanceof Error ? error.message : String(error));
  }
  return readAnswer<TResult>(response.status, await response.text());
}
