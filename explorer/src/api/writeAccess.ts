// Whether this explorer may write to a bucket: upload, create and delete controls
// are shown only then. Until the server says so itself (see the README's wish for
// `Query.serverInfo`), a write that writes nothing tells: FORBIDDEN means no.
import { useEffect, useState } from 'preact/hooks';
import { WriteAccessDocument } from '../gql/graphql.js';
import { request } from './client.js';
import { ApiError } from './errors.js';

export type WriteAccess = 'unknown' | 'allowed' | 'forbidden';

const known = new Map<string, Promise<WriteAccess>>();
const listeners = new Set<() => void>();

/** Asks once a page load per bucket; a FORBIDDEN answer to a real write updates it. */
export function writeAccess(bucket: string): Promise<WriteAccess> {
  let answer = known.get(bucket);
  if (!answer) {
    answer = request(WriteAccessDocument, { bucket }).then(
      () => 'allowed' as const,
      (error: unknown) => (error instanceof ApiError && error.code === 'FORBIDDEN' ? 'forbidden' : 'unknown'),
    );
    // An answer that did not tell (no token yet, server away) is asked again next time.
    answer.then((access) => access === 'unknown' && known.delete(bucket));
    known.set(bucket, answer);
  }
  return answer;
}

/** Records that a write was refused, so the controls go away. */
export function markForbidden(bucket: string): void {
  known.set(bucket, Promise.resolve('forbidden'));
  for (const listener of listeners) listener();
}

export function useWriteAccess(bucket: string | null): WriteAccess {
  const [access, setAccess] = useState<WriteAccess>('unknown');
  useEffect(() => {
    if (bucket === null) return;
    let current = true;
    const ask = () => writeAccess(bucket).then((answer) => current && setAccess(answer));
    setAccess('unknown');
    ask();
    listeners.add(ask);
    return () => {
      current = false;
      listeners.delete(ask);
    };
  }, [bucket]);
  return access;
}
