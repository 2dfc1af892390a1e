// Maps what the AWS SDK throws to bucketql's error vocabulary, once, by S3 error
// code and HTTP status (S3-compatible stores often send an empty message).
import {
  BadUserInput,
  type BucketqlError,
  Forbidden,
  isBucketqlError,
  NotFound,
  PreconditionFailed,
  UpstreamError,
  UpstreamUnavailable,
} from '../errors.js';

/**
 * Node's codes for a connection to S3 that failed or broke: on an SDK call, and on an
 * object's stream after the call answered (tables/reader.ts). The one list of them.
 */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  // A response stream that ended before its length (the connection closed under it).
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** True when `code` (an error's `code`) says the connection failed or broke. */
export function isNetworkErrorCode(code: unknown): code is string {
  return typeof code === 'string' && NETWORK_CODES.has(code);
}
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);
const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchUpload']);
const FORBIDDEN = new Set([
  'AccessDenied',
  'Forbidden',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccountProblem',
]);
const UNAVAILABLE = new Set(['SlowDown', 'ServiceUnavailable', 'Throttling', 'ThrottlingException', 'RequestTimeTooSkewed']);

interface SdkErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
  cause?: unknown;
}

function errorCode(error: SdkErrorLike): string | undefined {
  return error.Code ?? error.code ?? error.name;
}

function httpStatus(error: SdkErrorLike): number | undefined {
  return error.$metadata?.httpStatusCode ?? error.$response?.statusCode;
}

/** True for failures to reach S3 at all (refused, reset, timed out). */
export function isNetworkFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as SdkErrorLike;
    if (isNetworkErrorCode(e.code) || (e.name && NETWORK_NAMES.has(e.name))) return true;
    if (e.message && /socket hang up|ECONNRESET|ECONNREFUSED|timed out|timeout/i.test(e.message) && !httpStatus(e)) return true;
    current = e.cause;
  }
  return false;
}

export function isNotFound(error: unknown): boolean {
  if (error instanceof NotFound) return true;
  if (!error || typeof error !== 'object' || isBucketqlError(error)) return false;
  const e = error as SdkErrorLike;
  const code = errorCode(e);
  return (code !== undefined && NOT_FOUND.has(code)) || httpStatus(e) === 404;
}

/** An SDK error for a failed condition (If-Match, If-None-Match): 412. */
export function isPreconditionFailed(error: unknown): boolean {
  if (!error || typeof error !== 'object' || isBucketqlError(error)) return false;
  const e = error as SdkErrorLike;
  return errorCode(e) === 'PreconditionFailed' || httpStatus(e) === 412;
}

/**
 * What the log may say about an S3 failure (never shown to clients): the SDK's error
 * name and code, the HTTP status, attempts and retry delay, S3's request id.
 */
export function s3FailureDetails(error: unknown): Record<string, unknown> | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as SdkErrorLike & { $metadata?: { attempts?: number; totalRetryDelay?: number; requestId?: string } };
  return {
    name: e.name,
    code: e.Code ?? e.code,
    status: httpStatus(e),
    attempts: e.$metadata?.attempts,
    retryDelayMs: e.$metadata?.totalRetryDelay,
    requestId: e.$metadata?.requestId,
  };
}

/**
 * Turns any error from an S3 call into a BucketqlError. `what` names the thing the
 * call was about ("object demo/a.csv") and goes into the message; S3's own message is
 * never passed on, since stores put internal details there. The SDK's error stays on
 * as `cause` (not serialised) for the log.
 */
export function mapS3Error(error: unknown, what: string): BucketqlError {
  if (isBucketqlError(error)) return error;
  const mapped = classify(error, what);
  Object.defineProperty(mapped, 'cause', { value: error, enumerable: false, configurable: true });
  return mapped;
}

function classify(error: unknown, what: string): BucketqlError {
  if (error && typeof error === 'object' && (error as SdkErrorLike).name === 'AbortError') {
    return new UpstreamUnavailable(`The request for ${what} was aborted`);
  }
  if (isNetworkFailure(error)) return new UpstreamUnavailable(`S3 is unreachable or timed out (${what})`);
  const e = (error ?? {}) as SdkErrorLike;
  const code = errorCode(e);
  const status = httpStatus(e);
  if ((code && NOT_FOUND.has(code)) || status === 404) {
    return new NotFound(code === 'NoSuchBucket' ? `No such bucket (${what})` : `Not found: ${what}`);
  }
  if ((code && FORBIDDEN.has(code)) || status === 403) return new Forbidden(`S3 denied access to ${what}`);
  if (code === 'PreconditionFailed' || status === 412) {
    return new PreconditionFailed(`The condition on ${what} failed: it changed or exists`);
  }
  if (code === 'InvalidBucketName' || code === 'KeyTooLongError' || code === 'InvalidArgument') {
    return new BadUserInput(`S3 rejected the request for ${what} (${code})`);
  }
  if (code === 'EntityTooLarge') return new BadUserInput(`S3 rejected ${what}: too large (${code})`);
  if ((code && UNAVAILABLE.has(code)) || status === 503) {
    return new UpstreamUnavailable(`S3 is unavailable (${code ?? status}) for ${what}`);
  }
  const label = code && /^[A-Za-z]+$/.test(code) && code !== 'Error' && code !== 'Unknown' ? code : `HTTP ${status ?? 'error'}`;
  return new UpstreamError(`S3 failed for ${what} (${label})`, { s3Code: label });
}
