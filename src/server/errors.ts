// The server edge of the error vocabulary: bucketql's errors (plain Errors, ../errors.ts)
// become GraphQL errors here, with their code and details as `extensions`; every error
// leaving the server carries one of the contract's codes; anything unexpected is logged
// with its stack and masked as INTERNAL_SERVER_ERROR with no detail.
import { GraphQLError } from 'graphql';
import { type BucketqlError, ERROR_CODES, isBucketqlError } from '../errors.js';
import { s3FailureDetails } from '../storage/errors.js';
import type { Logger } from './log.js';

const KNOWN = new Set<string>([...ERROR_CODES, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/** graphql-armor's refusals: "Syntax Error: Query depth limit of 12 exceeded, found 13." */
const ARMOR_LIMIT = /^Syntax Error: ((Query )?(depth|aliases|directives|cost|token) limit of \d+ exceeded)/i;

/** graphql-armor's messages name the limit; these say which setting raises it. */
const LIMIT_SETTINGS: [RegExp, string][] = [
  [/\bDepth limit\b/i, 'BUCKETQL_MAX_DEPTH'],
  [/\bAliases limit\b/i, 'BUCKETQL_MAX_ALIASES'],
  [/\bToken limit\b/i, 'BUCKETQL_MAX_TOKENS'],
  [/\bCost limit\b/i, 'BUCKETQL_MAX_COST'],
];

/** "Query depth limit of 12 exceeded, found 13." → "... found 13 (BUCKETQL_MAX_DEPTH)." */
export function withLimitSetting(message: string): string {
  const setting = LIMIT_SETTINGS.find(([pattern]) => pattern.test(message))?.[1];
  return setting ? `${message.replace(/\.$/, '')} (${setting}).` : message;
}

/**
 * A query limit is a validation failure, whatever phase found it (the token limit
 * fires in the parser, which would make it a parse error); like graphql-js's own
 * validation errors it is HTTP 400 for graphql-response+json clients.
 */
function limitError(error: GraphQLError): GraphQLError {
  return new GraphQLError(withLimitSetting(error.message.replace(/^Syntax Error: /, '')), {
    extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400, spec: true } },
  });
}

/**
 * A bucketql error as the GraphQL error a client reads: its `extensions` are the
 * error's (code and details). `located` is graphql-js's wrapping of it, when it was
 * thrown during execution: its message (which may say which variable) and its place.
 */
export function toGraphQLError(error: BucketqlError, located?: GraphQLError): GraphQLError {
  return new GraphQLError(located?.message ?? error.message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    originalError: error,
    extensions: { ...error.extensions },
  });
}

export function createErrorMasker(log: Logger) {
  return (error: unknown, message: string): Error => {
    // Thrown outside execution (building the context, a plugin): no place to name.
    if (isBucketqlError(error)) return toGraphQLError(error);
    if (error instanceof GraphQLError) {
      const original = error.originalError;
      // The client is told that S3 failed; the operator is told how.
      // (Not when the request was aborted because its client went away: the router logs that at info.)
      const aborted = s3FailureDetails(original?.cause)?.name === 'AbortError';
      if (isBucketqlError(original) && (original.code === 'UPSTREAM_UNAVAILABLE' || original.code === 'UPSTREAM_ERROR') && !aborted) {
        log.warn('S3 failed', {
          path: error.path?.join('.'),
          code: original.code,
          message: original.message,
          s3: s3FailureDetails(original.cause),
        });
      }
      if (isBucketqlError(original)) return toGraphQLError(original, error);
      if (!original || original instanceof GraphQLError) {
        if (ARMOR_LIMIT.test(error.message)) return limitError(error);
        const code = error.extensions?.code;
        if (typeof code === 'string' && KNOWN.has(code)) return error;
        // GraphQL's own request errors (bad variables, unknown operation) are the user's.
        // A variable of the wrong type wraps its scalar's GraphQLError, outside any resolver (no path).
        if (!original || !error.path) {
          return new GraphQLError(error.message, {
            nodes: error.nodes,
            source: error.source,
            positions: error.positions,
            path: error.path,
            extensions: { ...error.extensions, code: /^Syntax Error:/.test(error.message) ? 'GRAPHQL_PARSE_FAILED' : 'BAD_USER_INPUT' },
          });
        }
      }
      log.error('unexpected error in a resolver', {
        path: error.path?.join('.'),
        error: String(original?.stack ?? original ?? error.stack ?? error),
      });
      return new GraphQLError(message, { path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
    log.error('unexpected error', { error: String((error as Error)?.stack ?? error) });
    return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}
