// The errors the explorer shows: the API's codes (extensions.code) carried as they
// came, with a sentence for people who do not know what the codes mean.

/** A failed request: a GraphQL error's code and message, or a transport failure. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status, when the server answered at all. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Codes the explorer gives itself when there is no GraphQL answer to read a code from. */
export const NETWORK_ERROR = 'NETWORK_ERROR';
export const HTTP_ERROR = 'HTTP_ERROR';

const PLAIN_WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'This server needs a token, and none (or a wrong one) was given.',
  FORBIDDEN: 'The server does not allow this here.',
  NOT_FOUND: 'This does not exist (any more).',
  BAD_USER_INPUT: 'The server could not use what was asked.',
  DECODE_FAILED: 'The file could not be read in its format.',
  PAYLOAD_TOO_LARGE: 'This is too large for the server to send or take in one piece.',
  PRECONDITION_FAILED: 'The object changed meanwhile; reload and try again.',
  UPSTREAM_UNAVAILABLE: 'The storage (S3) behind the server cannot be reached right now.',
  UPSTREAM_ERROR: 'The storage (S3) behind the server answered with an error.',
  INTERNAL_SERVER_ERROR: 'Something went wrong inside the server.',
  GRAPHQL_PARSE_FAILED: 'The explorer and the server disagree about the API; reload the page.',
  GRAPHQL_VALIDATION_FAILED: 'The explorer and the server disagree about the API; reload the page.',
  [NETWORK_ERROR]: 'The server could not be reached. Is it running?',
  [HTTP_ERROR]: 'The server answered in a way the explorer did not expect.',
};

/** One sentence saying what went wrong, for any code. */
export function plainWords(code: string): string {
  return PLAIN_WORDS[code] ?? 'The request failed.';
}

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(NETWORK_ERROR, error instanceof Error ? error.message : String(error));
}

/** True for an error caused by the request being cancelled on purpose (a newer one replaced it). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
