// The server edge of the error vocabulary: every error leaving the server carries
// one of the contract's codes; anything unexpected is logged with its stack and
// masked as INTERNAL_SERVER_ERROR with no detail.
import { GraphQLError } from 'graphql';
import { ERROR_CODES, isBucketqlError } from '../errors.js';
import type { Logger } from './log.js';

const KNOWN = new Set<string>([...ERROR_CODES, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

export function createErrorMasker(log: Logger) {
  return (error: unknown, message: string): Error => {
    if (error instanceof GraphQLError) {
      const original = error.originalError;
      if (!original || isBucketqlError(original) || original instanceof GraphQLError) {
        const code = error.extensions?.code;
        if (typeof code === 'string' && KNOWN.has(code)) return error;
        // GraphQL's own request errors (bad variables, unknown operation) are the user's;
        // graphql-armor's limits say "Syntax Error: ... limit" and are validation failures.
        // A variable of the wrong type wraps its scalar's GraphQLError, outside any resolver (no path).
        if (!original || (!error.path && !isBucketqlError(original))) {
          const limit = /^Syntax Error: .*limit/i.test(error.message);
          const code = limit
            ? 'GRAPHQL_VALIDATION_FAILED'
            : /^Syntax Error:/.test(error.message)
              ? 'GRAPHQL_PARSE_FAILED'
              : 'BAD_USER_INPUT';
          return new GraphQLError(limit ? error.message.replace(/^Syntax Error: /, '') : error.message, {
            nodes: error.nodes,
            source: error.source,
            positions: error.positions,
            path: error.path,
            extensions: { ...error.extensions, code },
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
