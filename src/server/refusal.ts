// Answers written by the server itself, before GraphQL runs: a guard's refusal (one of
// bucketql's errors, as the contract's `{ errors: [{ message, extensions: { code } }] }`
// with the HTTP status its code stands for), and small JSON answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BucketqlError, ErrorCode } from '../errors.js';
import { discardRequest } from './discard.js';

/** The HTTP status of a refusal with this code. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
};

/** What a refusal answers: its status, headers (a 401 names the scheme) and body. */
export function refusalOf(error: BucketqlError): { status: number; headers: Record<string, string>; body: string } {
  const status = STATUS[error.code] ?? 500;
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(status === 401 ? { 'www-authenticate': 'Bearer realm="bucketql"' } : {}),
    },
    body: JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }),
  };
}

/**
 * Refuses a request: answers `error`, then reads and drops what is left of its body
 * up to a bound (it may be gigabytes), so that a client still sending it reads the
 * answer; then the connection closes.
 */
export function refuse(req: IncomingMessage, res: ServerResponse, error: BucketqlError, headers: Record<string, string> = {}): void {
  req.unpipe();
  const refusal = refusalOf(error);
  res.writeHead(refusal.status, {
    ...refusal.headers,
    'content-length': String(Buffer.byteLength(refusal.body)),
    connection: 'close',
    ...headers,
  });
  res.write(refusal.body);
  void discardRequest(req).then(() => res.end());
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
