// CSRF prevention: POSTs of the kinds a page on any site can send without a CORS
// preflight (a form, text) must carry one of these headers, which such a page cannot
// set: multipart uploads, and url-encoded forms, which yoga would otherwise run as GraphQL.
import type { IncomingMessage } from 'node:http';
import { BadUserInput } from '../errors.js';

export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'graphql-preflight'];
const SIMPLE_CONTENT_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded', 'text/plain'];

/** Throws BadUserInput for a simple POST (form, multipart, text) without a preflight header. */
export function checkCsrf(req: Pick<IncomingMessage, 'method' | 'headers'>): void {
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (req.method !== 'POST' || !SIMPLE_CONTENT_TYPES.some((t) => contentType.startsWith(t))) return;
  if (CSRF_HEADERS.some((h) => h in req.headers)) return;
  throw new BadUserInput(`${contentType.split(';')[0]} requests need one of the headers ${CSRF_HEADERS.join(', ')} (CSRF prevention)`);
}
