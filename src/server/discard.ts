// The body of a request that was answered without using it (refused, or over a size
// limit), read and thrown away up to a bound. A client such as Node's fetch or a
// browser writes its whole body before it reads the answer: closing the connection
// while it is still sending gives it EPIPE ("network error") instead of the 413 or 401
// it was sent. Past the bound the connection is closed anyway (the body may be GiBs).
import type { IncomingMessage } from 'node:http';

export interface DiscardLimits {
  bytes: number;
  ms: number;
}

/**
 * Up to 16 MiB or 10 seconds. A client that sends more than that after the answer
 * still sees the connection closed under it (Node's fetch then reports the write
 * error, not the answer): the bound is what a refused request may cost the server.
 */
export const DISCARD_LIMITS: DiscardLimits = { bytes: 16 * 1024 * 1024, ms: 10_000 };

/**
 * Reads the rest of the request and drops it; resolves when it has been read whole,
 * or when the bound is reached (the caller then closes the connection).
 */
export function discardRequest(req: IncomingMessage, limits: DiscardLimits = DISCARD_LIMITS): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.destroyed) {
      resolve();
      return;
    }
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      req.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > limits.bytes) done();
    };
    const timer = setTimeout(done, limits.ms);
    req.on('data', onData);
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
    req.resume();
  });
}
