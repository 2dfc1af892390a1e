// The one place where errors that escape a read of an object's bytes (a stream cut by
// S3 or the network, gzip that does not inflate, a read aborted with its request)
// become the contract's codes. The bytes layer and the table engine both throw through it.
import { DecodeFailed, isBucketqlError, UpstreamUnavailable } from '../errors.js';
import { isNetworkErrorCode } from '../storage/errors.js';

/** Translates errors that escape a read into the contract's codes. */
export function readFailure(error: unknown, what: string): Error {
  if (isBucketqlError(error)) return error;
  const e = error as { code?: string; message?: string; name?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return new DecodeFailed(`${what}: not valid gzip data (${e.code})`, {});
  if (e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return new UpstreamUnavailable(`The read of ${what} was aborted`);
  if (isNetworkErrorCode(e?.code)) return new UpstreamUnavailable(`S3 stopped sending ${what} (${e.code})`);
  if (e?.name === 'TimeoutError') return new UpstreamUnavailable(`S3 timed out sending ${what}`);
  return error instanceof Error ? error : new Error(String(error));
}
