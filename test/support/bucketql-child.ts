// bucketql in a child process, for the tests and benchmarks that need one of their
// own (its memory as the kernel counts it, a crash that must not take the test with
// it): started from the sources (tsx) with its embedded store in a given folder, its
// ready line awaited, stopped by its pid, GraphQL over HTTP. bench/support.ts starts
// the built code with the same pieces.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Memory {
  /** Resident memory now (VmRSS), in MiB. */
  rss: number;
  /** The most resident memory so far (VmHWM), in MiB. */
  peak: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/**
 * Resolves with the server's URL once a bucketql child writes its ready line on stderr
 * (then stops reading it, so a long run keeps no log in memory); rejects when the child
 * exits first, with what it wrote.
 */
export function readyLine(child: ChildProcess, name = 'bucketql'): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const ready = /bucketql is ready: open (http:\/\/\S+)\/graphql/.exec(text);
      if (ready?.[1]) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(ready[1]);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${text.slice(-2000)}`)));
  });
}

/** Starts `src/cli.ts` with the embedded store in `dataDir`; resolves with its URL once it is ready. */
export async function startBucketqlChild(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts'], {
    env: {
      ...process.env,
      BUCKETQL_STORE: 'embedded',
      BUCKETQL_DATA_DIR: dataDir,
      BUCKETQL_PORT: '0',
      BUCKETQL_SEED_DEMO: '0',
      BUCKETQL_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { child, url: await readyLine(child) };
}

/** Stops the child with `signal` and resolves once it has exited (at once when it already has). */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function gql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
