// The embedded S3-compatible store: s3rver in a child process on a loopback port,
// with its data in a folder of ours. Used when no S3 is configured, and by the tests.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** s3rver checks the access key id, not signatures; these are its defaults. */
export const EMBEDDED_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface EmbeddedStore {
  endpoint: string;
  port: number;
  /** The credentials the store accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Response bytes the store has sent so far (only when started with countBytes). */
  bytesSent(): Promise<number>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  directory: string;
  port?: number;
  countBytes?: boolean;
}

export async function startEmbeddedStore(options: EmbeddedOptions): Promise<EmbeddedStore> {
  // s3rver's ListBuckets fails until its folder exists.
  mkdirSync(options.directory, { recursive: true });
  const script = fileURLToPath(new URL('./s3rver-child.cjs', import.meta.url));
  const child = fork(script, [options.directory, String(options.port ?? 0), options.countBytes ? '1' : '0'], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the embedded S3 store exited (code ${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.on('message', (message: { type: string; port?: number; message?: string }) => {
      if (message.type === 'ready' && message.port) {
        child.off('exit', onExit);
        resolve(message.port);
      } else if (message.type === 'failed') reject(new Error(`the embedded S3 store failed to start: ${message.message}`));
    });
  });
  let nextId = 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    credentials: EMBEDDED_CREDENTIALS,
    bytesSent: () => askBytesSent(child, nextId++),
    stop: () => stopChild(child),
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
