// A fresh checkout: `npx bucketql --help` works before anything was built (it builds
// first), and the next run builds nothing. Runs in a copy of the sources (sharing
// node_modules), so the checkout's own dist/ is left alone.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'bucketql-first-run-'));
for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin', 'scripts', 'examples'])
  cpSync(join(root, path), join(copy, path), { recursive: true });
cpSync(join(root, 'explorer'), join(copy, 'explorer'), { recursive: true, filter: (source) => !source.includes(join('explorer', 'dist')) });
symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));

afterAll(() => rmSync(copy, { recursive: true, force: true }));

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: copy, encoding: 'utf8', env: { ...process.env, npm_config_yes: 'false' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('a fresh checkout', () => {
  it('answers `npx bucketql --help` before any build', { timeout: 600_000 }, () => {
    const help = run('npx', ['--no-install', 'bucketql', '--help']);
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: bucketql \[options\]/);
    expect(help.stdout).toContain('--config <value>');
  });

  it('then builds nothing on the next start, and only the server when a server source changes', { timeout: 600_000 }, () => {
    expect(run('node', ['scripts/build-changed.mjs'])).toEqual({ status: 0, stdout: '', stderr: '' });
    const later = new Date(Date.now() + 2000);
    utimesSync(join(copy, 'src', 'cli.ts'), later, later);
    const rebuilt = run('node', ['scripts/build-changed.mjs']);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stderr).toBe('bucketql: building the server (tsc)\n');
    expect(run('node', ['scripts/build-changed.mjs'])).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
