// Request bodies, read before GraphQL runs and within their limits: a JSON (or other
// non-multipart) body whole, up to BUCKETQL_MAX_BODY_BYTES; a multipart upload parsed
// as it streams (./multipart.ts), up to BUCKETQL_MAX_UPLOAD_BYTES. A body over its limit
// throws PayloadTooLarge, a malformed one BadUserInput (the router refuses the request).
import type { IncomingMessage } from 'node:http';
import type { Settings } from '../config/settings.js';
import { BadUserInput, isBucketqlError, PayloadTooLarge } from '../errors.js';
import { type ParsedMultipart, parseMultipart } from './multipart.js';

export type RequestBody =
  /** GET and HEAD: no body. */
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  /** Parsed up to its files, which stream while the resolvers read them. */
  | { kind: 'multipart'; multipart: ParsedMultipart }
  /** The client went away before its request was whole: nobody to answer. */
  | { kind: 'gone' };

type Limits = Pick<Settings, 'maxBodyBytes' | 'maxUploadBytes'>;

function declaredLength(req: IncomingMessage): number {
  return Number(req.headers['content-length'] ?? Number.NaN);
}

export async function readRequestBody(req: IncomingMessage, limits: Limits): Promise<RequestBody> {
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('multipart/form-data')) return { kind: 'multipart', multipart: await readMultipart(req, limits) };
  if (req.method === 'GET' || req.method === 'HEAD') return { kind: 'none' };
  const limit = limits.maxBodyBytes;
  const tooLarge = () => new PayloadTooLarge(`The request body is larger than BUCKETQL_MAX_BODY_BYTES (${limit} bytes)`);
  if (declaredLength(req) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    // The request stays readable when the loop is left (the refusal drains it).
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > limit) break;
      chunks.push(chunk);
    }
  } catch {
    return { kind: 'gone' };
  }
  if (length > limit) throw tooLarge();
  return { kind: 'text', text: Buffer.concat(chunks, length).toString('utf8') };
}

async function readMultipart(req: IncomingMessage, limits: Limits): Promise<ParsedMultipart> {
  const limit = limits.maxUploadBytes;
  if (declaredLength(req) > limit) throw new PayloadTooLarge(`The upload is larger than BUCKETQL_MAX_UPLOAD_BYTES (${limit} bytes)`);
  try {
    return await parseMultipart(req, { maxUploadBytes: limit, maxFieldBytes: limits.maxBodyBytes });
  } catch (error) {
    throw isBucketqlError(error) ? error : new BadUserInput('Malformed multipart request');
  }
}
