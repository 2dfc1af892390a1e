// A fault-injecting HTTP proxy to put between bucketql and the test S3 server:
// it forwards every request as it comes, counts attempts and bytes, and on demand
// adds latency, answers S3 errors itself, resets the connection in the middle of a
// request or response body, stalls a response after its headers, or stops
// listening altogether (S3 down). Also: an address where connections never
// complete (for connect timeouts).
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { startTestApp, type TestApp } from './app.js';

export type Fault =
  /** Waits this long before forwarding the request. */
  | { kind: 'latency'; ms: number }
  /** Answers with an S3 error document (the request is not forwarded). */
  | { kind: 'status'; status: number; code: string; retryAfter?: string }
  /** Forwards, then resets the connection (TCP RST) after this many response body bytes. */
  | { kind: 'reset-response'; afterBytes: number }
  /** Forwards the response headers and this many body bytes, then sends nothing more. */
  | { kind: 'stall-response'; afterBytes: number }
  /** Resets the connection (TCP RST) before any answer. */
  | { kind: 'reset' }
  /** Forwards this many request body bytes, then resets both connections (a write cut off). */
  | { kind: 'reset-request'; afterBytes: number };

export interface FaultRule {
  fault: Fault;
  /** Which requests get it (all when omitted). */
  match?: (attempt: { method: string; path: string; query: string }) => boolean;
  /** How many matching requests get it; every one when omitted. */
  times?: number;
}

export interface Attempt {
  method: string;
  path: string;
  query: string;
  /** ms since the proxy started. */
  at: number;
  fault: Fault['kind'] | null;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  /** Every request that reached the proxy, in order. */
  attempts: Attempt[];
  /** Response body bytes received from S3 (and forwarded, or not) so far. */
  bytesFromUpstream(): number;
  /** Exchanges whose response has not finished and whose client connection is still open. */
  inFlight(): number;
  /** Client connections currently open. */
  connections(): number;
  setFaults(...rules: FaultRule[]): void;
  clearFaults(): void;
  /** Stops listening and drops every connection: S3 is down. */
  down(): Promise<void>;
  /** Listens again on the same port (nothing when it listens). */
  up(): Promise<void>;
  close(): Promise<void>;
}

function s3ErrorBody(code: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the fault proxy</Message><RequestId>fault</RequestId></Error>`;
}

/** Starts a proxy in front of `upstream` (an http://host:port endpoint) on a free loopback port. */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const started = Date.now();
  const attempts: Attempt[] = [];
  let rules: (FaultRule & { used: number })[] = [];
  let upstreamBytes = 0;
  const sockets = new Set<Socket>();
  const open = new Set<ServerResponse>();

  const pick = (attempt: Omit<Attempt, 'at' | 'fault'>): Fault | null => {
    for (const rule of rules) {
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.match && !rule.match(attempt)) continue;
      rule.used++;
      return rule.fault;
    }
    return null;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | null) => {
    const headers = { ...req.headers };
    // The proxy answered `Expect: 100-continue` itself; the body follows at once.
    delete headers.expect;
    const out = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent: false,
    });
    const cut = () => {
      out.destroy();
      req.socket.resetAndDestroy();
    };
    out.on('error', () => res.destroy());
    res.on('close', () => out.destroy());
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      if (fault?.kind === 'reset-request' && sent + chunk.length > fault.afterBytes) {
        out.write(chunk.subarray(0, Math.max(0, fault.afterBytes - sent)));
        sent = fault.afterBytes;
        // Let the bytes reach S3 before both connections go.
        setTimeout(cut, 20);
        req.pause();
        return;
      }
      sent += chunk.length;
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (fault?.kind !== 'reset-request' || sent < fault.afterBytes) out.end();
    });
    out.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      // Headers go out now, even when no body byte ever follows (a stall).
      res.flushHeaders();
      let body = 0;
      upstreamRes.on('data', (chunk: Buffer) => {
        upstreamBytes += chunk.length;
        if (fault?.kind === 'reset-response' || fault?.kind === 'stall-response') {
          const room = fault.afterBytes - body;
          if (room > 0) res.write(chunk.subarray(0, room));
          body += chunk.length;
          if (body >= fault.afterBytes) {
            upstreamRes.destroy();
            out.destroy();
            if (fault.kind === 'reset-response') setTimeout(() => res.socket?.resetAndDestroy(), 20);
            // stall-response: the client connection stays open, silent, until someone closes it.
          }
          return;
        }
        body += chunk.length;
        if (!res.write(chunk)) {
          upstreamRes.pause();
          res.once('drain', () => upstreamRes.resume());
        }
      });
      upstreamRes.on('end', () => {
        if (fault?.kind !== 'reset-response' && fault?.kind !== 'stall-response') res.end();
      });
      upstreamRes.on('error', () => res.destroy());
    });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const base = { method: req.method ?? 'GET', path: url.pathname, query: url.search };
    const fault = pick(base);
    attempts.push({ ...base, at: Date.now() - started, fault: fault?.kind ?? null });
    open.add(res);
    res.on('close', () => open.delete(res));
    res.on('finish', () => open.delete(res));
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/xml', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
      res.end(req.method === 'HEAD' ? undefined : s3ErrorBody(fault.code));
      return;
    }
    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'latency') {
      setTimeout(() => {
        if (!res.destroyed) forward(req, res, fault);
      }, fault.ms);
      return;
    }
    forward(req, res, fault);
  });
  // Idle keep-alive connections are closed soon, so that what stays open is what someone holds.
  server.keepAliveTimeout = 500;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  const port = await listen(0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    attempts,
    bytesFromUpstream: () => upstreamBytes,
    inFlight: () => [...open].filter((res) => !res.socket?.destroyed).length,
    connections: () => sockets.size,
    setFaults: (...next) => {
      rules = next.map((rule) => ({ ...rule, used: 0 }));
    },
    clearFaults: () => {
      rules = [];
    },
    down: stop,
    up: async () => {
      if (!server.listening) await listen(port);
    },
    close: stop,
  };
}

/**
 * A bucketql whose S3 is behind the proxy, for the tests of the describe that calls
 * this: started before them; after them closed, and the proxy forwards everything
 * again (no faults, listening). `proxy` is read when the tests start.
 */
export function appBehindProxy(proxy: () => FaultProxy, env: Record<string, string> = {}): { readonly app: TestApp } {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp(env, { endpoint: proxy().endpoint });
  });
  afterAll(async () => {
    proxy().clearFaults();
    await proxy().up();
    await app?.close();
  });
  return {
    get app() {
      if (!app) throw new Error('the app behind the proxy starts in beforeAll: use it inside a test');
      return app;
    },
  };
}

/**
 * An address where TCP connections are never accepted: a child process listens with
 * a backlog of one and then blocks, so once the queue is full new SYNs go unanswered
 * and a connect hangs until the client gives up.
 */
export async function startBlackhole(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const script = `
    const net = require('node:net');
    const server = net.createServer().listen({ port: 0, host: '127.0.0.1', backlog: 0 }, () => {
      process.stdout.write(server.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
    });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`blackhole exited (${code})`)));
  });
  // Fill the accept queue; what comes after waits for ever.
  const fillers: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Open file descriptors of this process (sockets, files, pipes). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * TCP connections of this process to `port` on 127.0.0.1 (the client side only):
 * /proc/net/tcp matched with this process's socket descriptors.
 */
export function socketsTo(port: number): number {
  const mine = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode) mine.add(inode);
    } catch {
      // closed while we looked
    }
  }
  const wanted = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let count = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
    if (fields[2] === wanted && mine.has(fields[9] as string)) count++;
  }
  return count;
}
