#!/usr/bin/env node
// The `bucketql` command (`npx bucketql`): builds what changed (nothing, usually; the
// whole server and explorer on the first run of a fresh checkout), then runs the built
// CLI, so `npx bucketql --help` works before any `npm run build`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = spawnSync(process.execPath, [join(root, 'scripts', 'build-changed.mjs'), '--quiet'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
await import(pathToFileURL(join(root, 'dist', 'src', 'cli.js')).href);
