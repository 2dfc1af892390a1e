// The thin bridge between Node's http server and a fetch handler (yoga): a Node request
// and its body become a fetch Request; the Response is written back to Node, streamed,
// with backpressure, and cancelled when the client goes away.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request as a fetch Request; `body` already read (the router enforces its limit). */
export function toFetchRequest(
  req: IncomingMessage,
  body: string | undefined,
  options: { signal: AbortSignal; Request: typeof Request; jsonInstead?: boolean },
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  // A multipart request's parameters reach yoga parsed (server context): it sees JSON.
  if (options.jsonInstead) {
    headers.set('content-type', 'application/json');
    headers.delete('content-length');
  }
  return new options.Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
    method: req.method ?? 'GET',
    headers,
    ...(body ? { body } : {}),
    signal: options.signal,
  });
}

/** Resolves on the response's next 'drain', or when its connection is gone (no drain ever comes then). */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes a web ReadableStream to a Node response, respecting backpressure. When the
 * client goes away it cancels the body, so that nothing keeps producing it.
 */
async function writeBody(body: ReadableStream<Uint8Array>, res: ServerResponse, end: boolean): Promise<void> {
  const reader = body.getReader();
  try {
    while (!res.destroyed) {
      const { done, value } = await reader.read();
      if (done) {
        if (end) res.end();
        return;
      }
      if (!res.write(value)) await drainOrClose(res);
    }
    await reader.cancel().catch(() => undefined);
  } finally {
    reader.releaseLock();
  }
}

/**
 * Writes `response` to `res` with `headers` (already decided: the response's and the
 * server's own). With `leaveOpen`, the response is not ended: the caller ends it.
 */
export async function sendFetchResponse(
  response: Response,
  res: ServerResponse,
  headers: Record<string, string | string[]>,
  leaveOpen = false,
): Promise<void> {
  res.writeHead(response.status, headers);
  if (response.body) await writeBody(response.body, res, !leaveOpen);
  else if (!leaveOpen) res.end();
}

/** The response's headers, as Node writes them. */
export function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}
