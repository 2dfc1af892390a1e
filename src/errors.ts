// bucketql's one error vocabulary: each class carries one of the contract's
// `extensions.code` values. They are plain Errors, so that codecs, tables and storage
// know nothing of GraphQL: the server turns them into GraphQL errors at its edge
// (server/errors.ts) and into HTTP refusals (server/refusal.ts). Anything thrown that
// is not one of these is masked there as INTERNAL_SERVER_ERROR.

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'DECODE_FAILED',
  'PAYLOAD_TOO_LARGE',
  'PRECONDITION_FAILED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_ERROR',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error whose message is safe to show to the client. */
export class BucketqlError extends Error {
  readonly code: ErrorCode;
  /**
   * What the answer's `extensions` carry: the code, and details a client can act on
   * (the line or row, the limit, S3's code; `http` sets the answer's HTTP status).
   */
  readonly extensions: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.extensions = { ...details, code };
  }
}

export class BadUserInput extends BucketqlError {
  constructor(message: string, extensions?: Record<string, unknown>) {
    super('BAD_USER_INPUT', message, extensions);
  }
}
export class NotFound extends BucketqlError {
  constructor(message: string, extensions?: Record<string, unknown>) {
    super('NOT_FOUND', message, extensions);
  }
}
export class Forbidden extends BucketqlError {
  constructor(message: string, extensions?: Record<string, unknown>) {
    super('FORBIDDEN', message, extensions);
  }
}
export class Unauthenticated extends BucketqlError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}
/** The object's bytes do not decode as its format. `where` says at which line, row or sheet. */
export class DecodeFailed extends BucketqlError {
  constructor(message: string, where: Record<string, unknown> = {}) {
    super('DECODE_FAILED', message, where);
  }
}
export class PayloadTooLarge extends BucketqlError {
  constructor(message: string, extensions?: Record<string, unknown>) {
    super('PAYLOAD_TOO_LARGE', message, extensions);
  }
}
export class PreconditionFailed extends BucketqlError {
  constructor(message: string) {
    super('PRECONDITION_FAILED', message);
  }
}
export class UpstreamUnavailable extends BucketqlError {
  constructor(message: string) {
    super('UPSTREAM_UNAVAILABLE', message);
  }
}
export class UpstreamError extends BucketqlError {
  constructor(message: string, extensions?: Record<string, unknown>) {
    super('UPSTREAM_ERROR', message, extensions);
  }
}

export function isBucketqlError(error: unknown): error is BucketqlError {
  return error instanceof BucketqlError;
}
