// GET /healthz: is S3 reachable? Any answer from S3 (even "access denied") means
// yes; a refused connection, a timeout or a 5xx means no.
import { isBucketqlError } from '../errors.js';
import type { Storage } from '../storage/s3.js';

const HEALTH_TIMEOUT_MS = 3000;

export async function checkHealth(storage: Storage): Promise<boolean> {
  try {
    await Promise.race([
      storage.listBuckets(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('health check timed out')), HEALTH_TIMEOUT_MS).unref()),
    ]);
    return true;
  } catch (error) {
    if (isBucketqlError(error)) return error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND' || error.code === 'UNAUTHENTICATED';
    return false;
  }
}
