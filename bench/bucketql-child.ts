// For the write benchmarks: bucketql from its sources (tsx) in a child process with
// its embedded store in a given folder, GraphQL over HTTP, and the child's memory as
// the kernel counts it.
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
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const ready = /bucketql is ready: open (http:\/\/\S+)\/graphql/.exec(text);
      if (ready?.[1]) resolve(ready[1]);
    });
    child.once('exit', (code) => reject(new Error(`bucketql exited (${code}): ${text}`)));
  });
  return { child, url };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
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
