// What a user waits for: `npm start` to the ready line, on a first start (nothing
// built: tsc and vite run) and on a second one (nothing changed: no build), each with
// a fresh data folder (the demo is seeded). Removes dist/ and explorer/dist/ first.
//   npx tsx bench/npm-start.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readyLine } from './support.js';

async function npmStart(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bucketql-npm-start-'));
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    env: { ...process.env, BUCKETQL_PORT: '0', BUCKETQL_LOG_LEVEL: 'warn', BUCKETQL_DATA_DIR: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  await readyLine(child);
  const ms = performance.now() - started;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // npm and the node it started: the whole process group we made.
    process.kill(-(child.pid as number), 'SIGTERM');
  });
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

rmSync('dist', { recursive: true, force: true });
rmSync('explorer/dist', { recursive: true, force: true });
const first = await npmStart();
console.log(`first start (builds the server and the explorer): ready in ${(first / 1000).toFixed(1)} s`);
const seconds: number[] = [];
for (let i = 0; i < 3; i++) seconds.push(await npmStart());
console.log(`second start (nothing to build): ready in ${seconds.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`);
