// GET /healthz: is the store usable? 200 {"status":"ok"}, or 503 with
// {"status":"unavailable","reason":<one word>} — the word says what kind of problem
// (unreachable, credentials, unavailable, error) and nothing more: the details
// (which endpoint, which profile) are in the log, not on an unauthenticated page.
import { checkStore, type StoreInfo, type StoreProblem } from '../storage/check.js';
import type { Storage } from '../storage/types.js';

export type Health = { status: 'ok' } | { status: 'unavailable'; reason: StoreProblem };

export async function checkHealth(storage: Storage, store: StoreInfo): Promise<Health> {
  const status = await checkStore(storage, store);
  return status.ok ? { status: 'ok' } : { status: 'unavailable', reason: status.problem };
}
