// GET /healthz: is the store usable? 200 {"status":"ok"}, or 503 with
// {"status":"unavailable","reason":<one word>} — the word says what kind of problem
// (unreachable, credentials, unavailable, error) and nothing more: the details
// (which endpoint, which profile) are in the log, not on an unauthenticated page.
// GET /readyz: should a load balancer send requests here? Not while draining, nor
// while the store does not answer.
import type { ServerResponse } from 'node:http';
import { checkStore, type StoreInfo, type StoreProblem } from '../storage/check.js';
import type { Storage } from '../storage/types.js';
import { sendJson } from './refusal.js';

type Health = { status: 'ok' } | { status: 'unavailable'; reason: StoreProblem };

async function checkHealth(storage: Storage, store: StoreInfo): Promise<Health> {
  const status = await checkStore(storage, store);
  return status.ok ? { status: 'ok' } : { status: 'unavailable', reason: status.problem };
}

const NO_STORE = { 'cache-control': 'no-store' };

export async function answerHealth(res: ServerResponse, storage: Storage, store: StoreInfo): Promise<void> {
  const health = await checkHealth(storage, store);
  sendJson(res, health.status === 'ok' ? 200 : 503, health, NO_STORE);
}

export async function answerReadiness(res: ServerResponse, storage: Storage, store: StoreInfo, draining: boolean): Promise<void> {
  const status = draining ? 'draining' : (await checkHealth(storage, store)).status === 'ok' ? 'ok' : 'unavailable';
  sendJson(res, status === 'ok' ? 200 : 503, { status }, NO_STORE);
}
