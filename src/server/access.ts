// Which buckets a request may see or touch, and whether it may write.
// BUCKETQL_BUCKETS holds names and globs (`*` any run of characters, `?` one).
import { Forbidden } from '../errors.js';

export class AccessPolicy {
  private readonly patterns: RegExp[] | null;

  constructor(
    buckets: readonly string[] | undefined,
    readonly readOnly: boolean,
  ) {
    this.patterns =
      buckets && buckets.length > 0
        ? buckets.map(
            (glob) =>
              new RegExp(
                `^${glob
                  .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                  .replace(/\*/g, '.*')
                  .replace(/\?/g, '.')}$`,
              ),
          )
        : null;
  }

  /** True when the bucket may be seen and used. */
  allows(bucket: string): boolean {
    return this.patterns === null || this.patterns.some((p) => p.test(bucket));
  }

  /** Throws FORBIDDEN when the bucket is outside BUCKETQL_BUCKETS. */
  checkBucket(bucket: string): void {
    if (!this.allows(bucket))
      throw new Forbidden(`Bucket ${JSON.stringify(bucket)} is not one bucketql is allowed to use (BUCKETQL_BUCKETS)`, { bucket });
  }

  /** Throws FORBIDDEN when the server is read-only. */
  checkWrite(): void {
    if (this.readOnly) throw new Forbidden('This bucketql server is read-only (BUCKETQL_READ_ONLY=1)');
  }
}
