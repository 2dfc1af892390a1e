// Which store, and does it work: the start-up check says in words what is wrong with
// an S3 setup (a profile that does not exist, an endpoint that does not answer) in the
// log and as one word on /healthz, never a secret, and keeps checking until the store
// answers; `serverInfo.store` and the log say which store and config are in use.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { findConfigFile, type Running, startBucketql } from '../../src/main.js';
import { createLogger } from '../../src/server/log.js';
import { storeCredentials } from '../support/app.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';

const SECRET = 'wJalrXUtnFEMI-not-a-real-secret-K7MDENG';
const folder = mkdtempSync(join(tmpdir(), 'bucketql-store-'));
const saved = { ...process.env };

async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts bucketql as the CLI does, with these AWS variables (the SDK reads process.env), collecting its log. */
async function start(env: Record<string, string>, argv: string[] = []): Promise<{ running: Running; log: string[] }> {
  for (const key of Object.keys(process.env))
    if (key.startsWith('AWS_') && key !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED') delete process.env[key];
  // Shared files of our own (empty unless a test writes them), and no instance metadata:
  // nothing may leave 127.0.0.1.
  writeFileSync(join(folder, 'aws-config'), '');
  writeFileSync(join(folder, 'aws-credentials'), '');
  Object.assign(process.env, {
    AWS_CONFIG_FILE: join(folder, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(folder, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  });
  const log: string[] = [];
  const settings = parseSettings(['--port', '0', '--seed-demo', '0', ...argv], {});
  const running = await startBucketql(
    settings,
    process.env,
    createLogger('info', (line) => log.push(line)),
  );
  return { running, log };
}

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
afterAll(() => {
  process.env = saved;
  rmSync(folder, { recursive: true, force: true });
});

async function healthz(url: string) {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: await response.json() };
}

async function storeInfo(url: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ serverInfo { store { kind summary endpoint region profile credentials dataDir } } }' }),
  });
  return ((await response.json()) as { data: { serverInfo: { store: Record<string, unknown> } } }).data.serverInfo.store;
}

describe('a broken S3 setup is said in words, and not called ready', () => {
  it('names a profile that does not exist, in the log and as "credentials" on /healthz', async () => {
    const port = await closedPort();
    const started = await start({ AWS_PROFILE: 'no-such-profile', AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` });
    running = started.running;
    expect(running.storeStatus).toMatchObject({ ok: false, problem: 'credentials' });
    const log = started.log.join('');
    expect(log).toMatch(/the store does not work: AWS profile \\"no-such-profile\\" \(AWS_PROFILE\) does not exist/);
    expect(log).toContain(join(folder, 'aws-config'));
    expect(await healthz(running.url)).toEqual({ status: 503, body: { status: 'unavailable', reason: 'credentials' } });
    expect(await storeInfo(running.url)).toMatchObject({ kind: 'S3', profile: 'no-such-profile', endpoint: `http://127.0.0.1:${port}` });
  });

  it('names an endpoint that refuses connections, and never shows the secret', async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const started = await start({ AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET });
    running = started.running;
    expect(running.storeStatus).toMatchObject({ ok: false, problem: 'unreachable' });
    expect(started.log.join('')).toContain(`the store does not work: the S3 endpoint ${endpoint} is unreachable (ECONNREFUSED)`);
    const health = await healthz(running.url);
    expect(health).toEqual({ status: 503, body: { status: 'unavailable', reason: 'unreachable' } });
    const info = await storeInfo(running.url);
    expect(info).toMatchObject({ kind: 'S3', endpoint, credentials: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (environment)' });
    expect(JSON.stringify([started.log, health, info])).not.toContain(SECRET);
  });

  describe('an endpoint that comes up later', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(inject('s3Endpoint'));
    });
    afterAll(() => proxy.close());

    it('keeps checking with a growing pause, and says ready once it answers', async () => {
      await proxy.down();
      const started = await start({
        AWS_ENDPOINT_URL_S3: proxy.endpoint,
        AWS_ACCESS_KEY_ID: storeCredentials().accessKeyId,
        AWS_SECRET_ACCESS_KEY: storeCredentials().secretAccessKey,
      });
      running = started.running;
      expect(running.storeStatus.ok).toBe(false);
      expect(started.log.join('')).toContain('checking the store again in 1 s');
      expect((await healthz(running.url)).status).toBe(503);
      await proxy.up();
      await running.storeReady;
      expect(started.log.join('')).toContain(`the store answers now: S3 at ${proxy.endpoint}`);
      expect(await healthz(running.url)).toEqual({ status: 200, body: { status: 'ok' } });
    });
  });
});

describe('the embedded store', () => {
  it('is named with its folder in serverInfo.store and the log', async () => {
    const dataDir = join(folder, 'data');
    const started = await start({}, ['--store', 'embedded', '--data-dir', dataDir]);
    running = started.running;
    expect(running.storeStatus).toEqual({ ok: true });
    expect(await storeInfo(running.url)).toMatchObject({
      kind: 'EMBEDDED',
      dataDir,
      profile: null,
      summary: `the embedded store (data in ${dataDir})`,
    });
    expect(started.log.join('')).toContain(`using the embedded store (data in ${dataDir})`);
  });
});

describe('the datasets config', () => {
  const settings = (argv: string[] = []) => parseSettings(argv, {});

  it('is found in the working folder without --config: .json, then .yaml, then .yml', () => {
    const cwd = join(folder, 'project');
    mkdirSync(cwd, { recursive: true });
    expect(findConfigFile(settings(), false, cwd)).toEqual({
      file: null,
      source: expect.stringContaining('no --config, BUCKETQL_CONFIG or bucketql.config.json'),
    });
    writeFileSync(join(cwd, 'bucketql.config.yml'), 'datasets: []\n');
    expect(findConfigFile(settings(), false, cwd)).toEqual({
      file: join(cwd, 'bucketql.config.yml'),
      source: 'found in the working folder',
    });
    writeFileSync(join(cwd, 'bucketql.config.yaml'), 'datasets: []\n');
    expect(findConfigFile(settings(), false, cwd).file).toBe(join(cwd, 'bucketql.config.yaml'));
    writeFileSync(join(cwd, 'bucketql.config.json'), '{ "datasets": [] }\n');
    expect(findConfigFile(settings(), false, cwd).file).toBe(join(cwd, 'bucketql.config.json'));
    expect(findConfigFile(settings(['--config', '/elsewhere/x.json']), false, cwd)).toEqual({
      file: '/elsewhere/x.json',
      source: 'BUCKETQL_CONFIG / --config',
    });
  });

  it('is named in the log, and so is its absence', async () => {
    const cwd = process.cwd();
    const project = join(folder, 'with-config');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'bucketql.config.yaml'), 'datasets: []\n');
    try {
      process.chdir(project);
      let started = await start({}, ['--store', 'embedded', '--data-dir', join(folder, 'data')]);
      await started.running.close();
      expect(started.log.join('')).toContain(`using the datasets config ${join(project, 'bucketql.config.yaml')}`);
      expect(started.running.configFile).toBe(join(project, 'bucketql.config.yaml'));
      rmSync(join(project, 'bucketql.config.yaml'));
      started = await start({}, ['--store', 'embedded', '--data-dir', join(folder, 'data')]);
      running = started.running;
      expect(started.log.join('')).toContain('no datasets config is used');
      expect(running.configFile).toBeNull();
    } finally {
      process.chdir(cwd);
    }
  });
});
