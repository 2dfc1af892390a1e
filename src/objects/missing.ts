// A missing object, said precisely: is it the bucket that does not exist, or only the
// key in it? Queries answer `object: null` either way (the contract); errors (a
// dataset, an object that vanished mid-request, a copy's source) name which.
import type { Context } from '../context.js';
import { NotFound } from '../errors.js';
import type { ObjectRef } from '../storage/types.js';

/** NOT_FOUND for `ref`: "bucket X does not exist" or "no object K in bucket X"; `prefix` says what was being done. */
export async function missingObject(ctx: Context, ref: ObjectRef, prefix = ''): Promise<NotFound> {
  // If the check itself fails, the key is the likelier culprit: say that.
  const bucketExists = await ctx.loaders.bucketExists.load(ref.bucket).catch(() => true);
  return bucketExists
    ? new NotFound(`${prefix}no object ${JSON.stringify(ref.key)} in bucket ${ref.bucket}`, {
        bucket: ref.bucket,
        key: ref.key,
        missing: 'key',
      })
    : new NotFound(`${prefix}bucket ${ref.bucket} does not exist`, { bucket: ref.bucket, key: ref.key, missing: 'bucket' });
}
