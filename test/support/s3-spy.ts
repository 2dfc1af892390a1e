// Records the S3 commands a Storage sends (name and input), so that a test can say
// "S3 was not called" or "every multipart upload started was aborted".
import type { S3Storage } from '../../src/storage/s3.js';

export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

/** Starts recording every command `storage` sends; the returned array fills as they go. */
export function recordS3Commands(storage: S3Storage): SentCommand[] {
  const sent: SentCommand[] = [];
  storage.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ name: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'bucketqlTestRecorder' },
  );
  return sent;
}
