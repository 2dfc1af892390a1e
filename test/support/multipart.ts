// GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec)
// built by hand: as FormData for fetch, and as raw bytes for http.request when a test
// needs to control how the body is sent (streamed, chunked, cut off).
import { request } from 'node:http';
import type { GraphQLResponse } from './app.js';

/** One of the headers bucketql wants on a multipart request (CSRF prevention). */
export const PREFLIGHT: Record<string, string> = { 'graphql-preflight': '1' };

/**
 * The request as FormData: each entry of `files` is a variable holding a file; it is
 * null in `operations` and mapped to a file part, in the order given.
 */
export function uploadForm(query: string, variables: Record<string, unknown>, files: Record<string, Blob>): FormData {
  const form = new FormData();
  const vars: Record<string, unknown> = { ...variables };
  const map: Record<string, string[]> = {};
  Object.keys(files).forEach((name, i) => {
    vars[name] = null;
    map[String(i)] = [`variables.${name}`];
  });
  form.append('operations', JSON.stringify({ query, variables: vars }));
  form.append('map', JSON.stringify(map));
  Object.entries(files).forEach(([name, blob], i) => {
    form.append(String(i), blob, blob instanceof File ? blob.name : `${name}.bin`);
  });
  return form;
}

export interface HttpResult {
  status: number;
  body: GraphQLResponse<Record<string, any>>;
}

export async function postForm(url: string, form: FormData, headers: Record<string, string> = PREFLIGHT): Promise<HttpResult> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: form });
  return { status: response.status, body: (await response.json()) as HttpResult['body'] };
}

export interface RawFilePart {
  /** The variable holding the file. */
  variable: string;
  filename: string;
  type: string;
}

/**
 * The bytes of a multipart request around its files: `head` (operations, map), then for
 * each file `partHeader(i)`, its bytes and `partEnd`, then `tail`.
 */
export function multipartFrame(
  query: string,
  variables: Record<string, unknown>,
  files: RawFilePart[],
  boundary = '----bucketqlTestBoundary7MA4YWxk',
) {
  const vars: Record<string, unknown> = { ...variables };
  const map: Record<string, string[]> = {};
  files.forEach((file, i) => {
    vars[file.variable] = null;
    map[String(i)] = [`variables.${file.variable}`];
  });
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(field('operations', JSON.stringify({ query, variables: vars })) + field('map', JSON.stringify(map)));
  const partHeader = (i: number) => {
    const file = files[i] as RawFilePart;
    return Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${i}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    );
  };
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head,
    partHeader,
    partEnd: Buffer.from('\r\n'),
    tail: Buffer.from(`--${boundary}--\r\n`),
  };
}

/** `length` bytes in chunks, generated as they are read (never all in memory). */
export async function* generatedBytes(length: number, chunkSize = 1024 * 1024): AsyncGenerator<Buffer> {
  const chunk = Buffer.alloc(chunkSize);
  for (let i = 0; i < chunkSize; i++) chunk[i] = (i * 31 + 7) & 0xff;
  for (let sent = 0; sent < length; sent += chunkSize) yield chunk.subarray(0, Math.min(chunkSize, length - sent));
}

export interface RawResult extends HttpResult {
  /** True when the whole request body was written and flushed. */
  bodySent: boolean;
}

/**
 * Sends a request with http.request, streaming `body` with backpressure. Without
 * `contentLength` the body goes chunked (Transfer-Encoding: chunked).
 */
export function sendRaw(
  url: string,
  options: { headers: Record<string, string>; contentLength?: number },
  body: AsyncIterable<Buffer>,
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    let bodySent = false;
    const req = request(`${url}/graphql`, {
      method: 'POST',
      headers: { ...options.headers, ...(options.contentLength !== undefined ? { 'content-length': String(options.contentLength) } : {}) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: HttpResult['body'];
        try {
          parsed = JSON.parse(text) as HttpResult['body'];
        } catch {
          parsed = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
        }
        // Let the request side report whether it finished writing.
        setImmediate(() => resolve({ status: res.statusCode ?? 0, body: parsed, bodySent }));
      });
    });
    (async () => {
      for await (const chunk of body) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise<void>((done) => req.once('drain', done));
      }
      req.end(() => {
        bodySent = true;
      });
    })().catch(reject);
  });
}
