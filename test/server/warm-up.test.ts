// The start-up warm-up (BUCKETQL_WARM_UP): before the server listens it answers its
// questions in process over a made-up table in memory, and leaves no trace: no request
// or cache metric moves, no S3 call is made, the access log shows nothing, the table
// cache stays empty. A step that fails is logged at debug and the server starts
// anyway; BUCKETQL_WARM_UP=0 turns it off.
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { createServices } from '../../src/context.js';
import { type Running, startBucketql } from '../../src/main.js';
import { registry } from '../../src/metrics.js';
import { createApp } from '../../src/server/app.js';
import { accessTokens } from '../../src/server/auth.js';
import { createLogger } from '../../src/server/log.js';
import { WARM_UP_STEPS } from '../../src/server/warm-up.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { storeCredentials, testStorage } from '../support/app.js';
import { recordS3Commands } from '../support/s3-spy.js';

const TOKEN = 'warm-up-test-token-0123456789';

/** Every bucketql metric a request, an S3 call or the table cache moves (not the process's own). */
async function requestMetrics(): Promise<string> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter((line) => /^bucketql_(http|graphql|s3|cache|scans|upload)/.test(line))
    .join('\n');
}

/** The JSON log lines written to `lines`, parsed. */
function entries(lines: string[]): { level: string; msg: string; [field: string]: unknown }[] {
  return lines.map((line) => JSON.parse(line));
}

describe('the warm-up of an app', () => {
  const storage = testStorage();
  afterAll(() => storage.destroy());

  it('answers every question it asks, and leaves no metric, S3 call, log line or cache entry behind', async () => {
    const settings = parseSettings([], { BUCKETQL_PORT: '0', BUCKETQL_TOKENS: TOKEN });
    const services = createServices(settings, storage);
    const sent = recordS3Commands(storage);
    const lines: string[] = [];
    const log = createLogger('debug', (line) => lines.push(line));
    const app = createApp({ services, tokens: accessTokens(settings), logger: log });
    const before = await requestMetrics();

    const result = await app.warmUp({ authorization: `Bearer ${TOKEN}` });

    expect(result.failed).toEqual([]);
    const done = entries(lines).filter((e) => e.msg === 'warm-up step done');
    expect(done.map((e) => e.step)).toEqual(WARM_UP_STEPS.map((s) => s.name));
    expect(await requestMetrics()).toBe(before);
    expect(sent).toEqual([]);
    // Nothing above debug (yoga's own request lines are debug), and no access log line.
    expect(entries(lines).filter((e) => e.level !== 'debug')).toEqual([]);
    expect(entries(lines).filter((e) => e.msg === 'request')).toEqual([]);
    expect(services.tableCache.readLately('warm-up', 'table.csv')).toBe(false);
  });

  it('says at debug which step failed, and runs the others', async () => {
    const settings = parseSettings([], { BUCKETQL_PORT: '0' });
    const services = createServices(settings, new MemoryStorage());
    const lines: string[] = [];
    const log = createLogger('debug', (line) => lines.push(line));
    const app = createApp({ services, tokens: accessTokens(settings), logger: log });
    const broken = {
      name: 'broken',
      run: () => {
        throw new Error('injected fault');
      },
    };

    const result = await app.warmUp({ steps: [broken, ...WARM_UP_STEPS] });

    expect(result.failed).toEqual(['broken']);
    const failed = entries(lines).filter((e) => e.msg === 'warm-up step failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 'debug', step: 'broken' });
    expect(String(failed[0]?.error)).toContain('injected fault');
    expect(
      entries(lines)
        .filter((e) => e.msg === 'warm-up step done')
        .map((e) => e.step),
    ).toEqual(WARM_UP_STEPS.map((s) => s.name));
  });

  it('is refused by the token rule like any request without the token (and says so at debug)', async () => {
    const settings = parseSettings([], { BUCKETQL_PORT: '0', BUCKETQL_TOKENS: TOKEN });
    const services = createServices(settings, new MemoryStorage());
    const lines: string[] = [];
    const log = createLogger('debug', (line) => lines.push(line));
    const app = createApp({ services, tokens: accessTokens(settings), logger: log });
    const result = await app.warmUp();
    expect(result.failed).toEqual(['graphql']);
    expect(lines.join('')).toContain('HTTP 401');
  });
});

describe('the warm-up at start', () => {
  const saved = { ...process.env };
  let running: Running | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await running?.close();
    running = undefined;
    process.env = { ...saved };
  });

  /** Starts bucketql as the CLI does, on the test run's S3 server, collecting its log at debug. */
  async function start(env: Record<string, string>): Promise<{ running: Running; lines: string[] }> {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
      AWS_ACCESS_KEY_ID: storeCredentials().accessKeyId,
      AWS_SECRET_ACCESS_KEY: storeCredentials().secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const settings = parseSettings([], { BUCKETQL_PORT: '0', BUCKETQL_STORE: 's3', BUCKETQL_CONFIG: '', ...env });
    const lines: string[] = [];
    const started = await startBucketql(
      { ...settings, config: undefined },
      process.env,
      createLogger('debug', (line) => lines.push(line)),
    );
    return { running: started, lines };
  }

  it('runs before the server listens, with the server token, and is timed', async () => {
    const started = await start({ BUCKETQL_TOKENS: TOKEN });
    running = started.running;
    expect(running.warmUpMs).toBeTypeOf('number');
    const log = entries(started.lines);
    expect(log.find((e) => e.msg === 'warmed up')).toMatchObject({ failed: [] });
    const warmed = log.findIndex((e) => e.msg === 'warmed up');
    expect(warmed).toBeGreaterThan(-1);
    const response = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
  });

  it('is off with BUCKETQL_WARM_UP=0', async () => {
    const started = await start({ BUCKETQL_WARM_UP: '0' });
    running = started.running;
    expect(running.warmUpMs).toBeNull();
    expect(started.lines.join('')).not.toContain('warm-up step');
  });

  it('never stops a start: a fault inside a step is logged at debug and the server serves', async () => {
    // The made-up table cannot be stored: the GraphQL step fails before its first question.
    vi.spyOn(MemoryStorage.prototype, 'putObject').mockRejectedValue(new Error('injected fault'));
    const started = await start({});
    running = started.running;
    const failed = entries(started.lines).find((e) => e.msg === 'warm-up step failed');
    expect(failed).toMatchObject({ level: 'debug', step: 'graphql' });
    expect(String(failed?.error)).toContain('injected fault');
    expect(entries(started.lines).find((e) => e.msg === 'warmed up')).toMatchObject({ failed: ['graphql'] });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});
