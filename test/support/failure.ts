// The error a call fails with, for unit tests that then look at its code and message:
// the test fails when the call succeeds or throws something other than a BucketqlError.
import { expect } from 'vitest';
import { BucketqlError } from '../../src/errors.js';

function asBucketqlError(error: unknown): BucketqlError {
  expect(error).toBeInstanceOf(BucketqlError);
  return error as BucketqlError;
}

/** The BucketqlError a promise, or a function (sync or async), fails with. */
export async function failure(work: Promise<unknown> | (() => unknown)): Promise<BucketqlError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    return asBucketqlError(error);
  }
  throw new Error('expected a failure');
}

/** The BucketqlError a synchronous call throws. */
export function thrown(work: () => unknown): BucketqlError {
  try {
    work();
  } catch (error) {
    return asBucketqlError(error);
  }
  throw new Error('expected a failure');
}
