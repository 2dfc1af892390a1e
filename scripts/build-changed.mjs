#!/usr/bin/env node
// Builds what changed since the last build, and nothing else: the server (tsc,
// incremental) when a source under src/ or a tsconfig/package file is newer than its
// last build, the explorer (vite) when a file under explorer/ is newer than
// explorer/dist. `npm start` runs it first; `--force` builds both. Plain Node (no
// tsx), so a start with nothing to build costs a few milliseconds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');

/** The newest modification time of these files and of every file under these folders (0 when none exist). */
function newest(paths) {
  let latest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== 'dist' && name !== 'node_modules') visit(join(path, name));
    } else latest = Math.max(latest, stat.mtimeMs);
  };
  for (const path of paths) visit(join(root, path));
  return latest;
}

function mtime(path) {
  const full = join(root, path);
  return existsSync(full) ? statSync(full).mtimeMs : 0;
}

function run(what, command, args) {
  if (!quiet) process.stderr.write(`bucketql: building ${what}\n`);
  const npxBin = join(root, 'node_modules', '.bin', command);
  const result = spawnSync(npxBin, args, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`bucketql: building ${what} failed\n`);
    process.exit(result.status ?? 1);
  }
}

/** Marks outputs as built from their inputs as they are now (a clock skew or a file dated ahead included). */
function markBuilt(outputs, inputs) {
  const at = new Date(Math.max(Date.now(), newest(inputs)));
  for (const output of outputs) utimesSync(join(root, output), at, at);
}

const lockfile = ['package.json', 'package-lock.json'];
const serverInputs = ['src', 'tsconfig.json', 'tsconfig.build.json', ...lockfile];
// dist/.tsbuildinfo is written by every tsc run; dist/src/cli.js is the entry point.
const serverBuilt = Math.min(mtime('dist/.tsbuildinfo'), mtime('dist/src/cli.js'));
if (force || serverBuilt === 0 || newest(serverInputs) > serverBuilt) {
  run('the server (tsc)', 'tsc', ['-p', 'tsconfig.build.json']);
  // tsc leaves its outputs alone when a touched file did not really change: mark the build done.
  markBuilt(['dist/.tsbuildinfo', 'dist/src/cli.js'], serverInputs);
}

const explorerInputs = ['explorer', ...lockfile];
if (force || mtime('explorer/dist/index.html') === 0 || newest(explorerInputs) > mtime('explorer/dist/index.html')) {
  run('the explorer (vite)', 'vite', ['build', '--config', 'explorer/vite.config.ts', '--logLevel', 'warn']);
  markBuilt(['explorer/dist/index.html'], explorerInputs);
}
