// The embedded S3-compatible store: s3rver in a child process on a loopback port,
// with its data in a folder of ours. Used when no S3 is configured, and by the tests.
// Only bucketql may use it: every request must carry an AWS Signature Version 4 made
// with a secret drawn at each start (./s3rver-auth.cjs verifies it in the child).
// When the child dies, it is started again on the same port, after a delay that
// doubles with each failure in a row (up to 30 s), with a log line each time.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../server/log.js';

export interface StoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface EmbeddedStore {
  endpoint: string;
  port: number;
  /** The credentials the store accepts: s3rver's account id, and a secret of this start. */
  credentials: StoreCredentials;
  /** The store's current process id (it changes when the store is restarted). */
  pid(): number | undefined;
  /** Response bytes the store has sent so far (only when started with countBytes). */
  bytesSent(): Promise<number>;
  stop(): Promise<void>;
}

export interface RestartPolicy {
  /** Delay before the first restart after a crash, doubled after each failed one. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A store that ran this long before it died starts the back-off again from the first delay. */
  healthyAfterMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { firstDelayMs: 250, maxDelayMs: 30_000, healthyAfterMs: 60_000 };

export interface EmbeddedOptions {
  directory: string;
  port?: number;
  countBytes?: boolean;
  /** Where restarts are told; nowhere when not given. */
  log?: Logger;
  restart?: RestartPolicy;
}

interface Launched {
  child: ChildProcess;
  port: number;
  startedAt: number;
}

const SCRIPT = fileURLToPath(new URL('./s3rver-child.cjs', import.meta.url));

function launch(options: EmbeddedOptions, port: number, credentials: StoreCredentials): Promise<Launched> {
  const child = fork(SCRIPT, [options.directory, String(port), options.countBytes ? '1' : '0'], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<Launched>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the embedded S3 store exited (code ${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.on('message', (message: { type: string; port?: number; message?: string }) => {
      if (message.type === 'ready' && message.port) {
        child.off('exit', onExit);
        resolve({ child, port: message.port, startedAt: Date.now() });
      } else if (message.type === 'failed') reject(new Error(`the embedded S3 store failed to start: ${message.message}`));
    });
    // The secret goes over IPC: never in argv (ps) or the environment.
    child.send({ type: 'start', credentials });
  });
}

export async function startEmbeddedStore(options: EmbeddedOptions): Promise<EmbeddedStore> {
  // s3rver's ListBuckets fails until its folder exists.
  mkdirSync(options.directory, { recursive: true });
  const credentials: StoreCredentials = { accessKeyId: 'S3RVER', secretAccessKey: randomBytes(32).toString('hex') };
  const policy = options.restart ?? DEFAULT_RESTART;
  let current = await launch(options, options.port ?? 0, credentials);
  const port = current.port;
  let stopping = false;
  let delay = policy.firstDelayMs;
  let timer: NodeJS.Timeout | undefined;

  const watch = (launched: Launched) => {
    launched.child.once('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - launched.startedAt >= policy.healthyAfterMs) delay = policy.firstDelayMs;
      options.log?.error('the embedded S3 store exited: restarting it', { code, signal, pid: launched.child.pid, inMs: delay });
      schedule();
    });
  };
  const schedule = () => {
    timer = setTimeout(async () => {
      if (stopping) return;
      try {
        const next = await launch(options, port, credentials);
        if (stopping) {
          await stopChild(next.child);
          return;
        }
        current = next;
        watch(next);
        options.log?.info('the embedded S3 store is running again', { pid: next.child.pid, port });
      } catch (error) {
        options.log?.error('the embedded S3 store failed to restart: trying again', { reason: (error as Error).message, inMs: delay });
        schedule();
      }
    }, delay);
    // A restart pending must not keep a process alive that has nothing else to do.
    timer.unref();
    delay = Math.min(delay * 2, policy.maxDelayMs);
  };
  watch(current);

  let nextId = 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    credentials,
    pid: () => current.child.pid,
    bytesSent: () => askBytesSent(current.child, nextId++),
    stop: () => {
      stopping = true;
      clearTimeout(timer);
      return stopChild(current.child);
    },
  };
}

function askBytesSent(child: ChildProcess, id: number): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; id?: number; bytes?: number }) => {
      if (message.type === 'bytesSent' && message.id === id) {
        child.off('message', onMessage);
        resolve(message.bytes ?? 0);
      }
    };
    child.on('message', onMessage);
    child.send({ type: 'bytesSent', id });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
