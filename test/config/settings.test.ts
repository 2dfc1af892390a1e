// bucketql's settings: BUCKETQL_* variables and their flags, defaults, validation
// messages that name what was wrong, and the --help text.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseStore, flagName, helpText, parseSettings, SETTINGS, SettingsError } from '../../src/config/settings.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The problems parseSettings reports, one a string; [] when it succeeds. */
function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    parseSettings(argv, env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).problems;
  }
}

describe('defaults', () => {
  it('are these, with nothing set', () => {
    expect(parseSettings([], {})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      dataDir: './.bucketql',
      store: 'auto',
      seedDemo: true,
      s3PathStyle: undefined,
      s3Concurrency: 16,
      s3TimeoutMs: 30_000,
      s3MaxAttempts: 3,
      maxObjectBytes: 64 * MiB,
      maxBodyBytes: 64 * MiB,
      maxUploadBytes: 5 * GiB,
      inferRows: 1000,
      cacheBytes: 256 * MiB,
      cacheTableBytes: 16 * MiB,
      cacheDir: undefined,
      cacheDirBytes: 4 * 1024 * MiB,
      cacheSegmentBytes: 16 * MiB,
      config: undefined,
      schemaRefresh: 0,
      tokens: undefined,
      tokensFile: undefined,
      allowAnonymous: false,
      buckets: undefined,
      readOnly: false,
      corsOrigins: undefined,
      introspection: true,
      graphiql: true,
      maxDepth: 12,
      maxAliases: 30,
      maxTokens: 2000,
      maxScansPerRequest: 8,
      maxConcurrentScans: 2,
      maxCost: 1_000_000,
      maxBatch: 0,
      metricsPublic: false,
      drainSeconds: 0,
      warmUp: true,
      logLevel: 'info',
    });
  });

  it('are used for variables that are empty or blank', () => {
    const settings = parseSettings([], { BUCKETQL_PORT: '', BUCKETQL_HOST: '  ', BUCKETQL_MAX_OBJECT_BYTES: '' });
    expect(settings.port).toBe(4000);
    expect(settings.host).toBe('127.0.0.1');
    expect(settings.maxObjectBytes).toBe(64 * MiB);
  });

  it('cover every setting, each with an environment variable and a help line', () => {
    for (const [name, spec] of Object.entries(SETTINGS)) {
      expect(spec.env, name).toMatch(/^BUCKETQL_[A-Z0-9_]+$/);
      expect(spec.help.length, name).toBeGreaterThan(10);
    }
  });
});

describe('variables and flags', () => {
  it('reads every kind of value from the environment', () => {
    const settings = parseSettings([], {
      BUCKETQL_PORT: '8080',
      BUCKETQL_HOST: '0.0.0.0',
      BUCKETQL_DATA_DIR: '/srv/bucketql',
      BUCKETQL_STORE: 'embedded',
      BUCKETQL_S3_PATH_STYLE: '0',
      BUCKETQL_MAX_OBJECT_BYTES: '1KiB',
      BUCKETQL_TOKENS: ' one-token-of-16-chars , two-token-of-16-chars ,',
      BUCKETQL_BUCKETS: 'demo,logs-*',
      BUCKETQL_READ_ONLY: 'yes',
      BUCKETQL_LOG_LEVEL: 'debug',
    });
    expect(settings).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/bucketql',
      store: 'embedded',
      s3PathStyle: false,
      maxObjectBytes: 1024,
      tokens: ['one-token-of-16-chars', 'two-token-of-16-chars'],
      buckets: ['demo', 'logs-*'],
      readOnly: true,
      logLevel: 'debug',
    });
  });

  it('derives each flag from its variable', () => {
    expect(flagName('BUCKETQL_PORT')).toBe('--port');
    expect(flagName('BUCKETQL_DATA_DIR')).toBe('--data-dir');
    expect(flagName('BUCKETQL_S3_PATH_STYLE')).toBe('--s3-path-style');
    expect(flagName('BUCKETQL_MAX_OBJECT_BYTES')).toBe('--max-object-bytes');
  });

  it('lets flags win over the environment, as `--flag value` and `--flag=value`', () => {
    const env = { BUCKETQL_PORT: '6000', BUCKETQL_HOST: '10.0.0.1', BUCKETQL_DATA_DIR: '/from/env' };
    const settings = parseSettings(['--port', '5000', '--host=127.0.0.2', '--data-dir', '/from/flag'], env);
    expect(settings).toMatchObject({ port: 5000, host: '127.0.0.2', dataDir: '/from/flag' });
    expect(parseSettings([], env)).toMatchObject({ port: 6000, host: '10.0.0.1', dataDir: '/from/env' });
  });

  it('takes switches without a value, and with one', () => {
    expect(parseSettings(['--read-only'], {}).readOnly).toBe(true);
    expect(parseSettings(['--read-only=0'], { BUCKETQL_READ_ONLY: '1' }).readOnly).toBe(false);
    expect(parseSettings(['--allow-anonymous', '--port', '1'], {})).toMatchObject({ allowAnonymous: true, port: 1 });
  });

  it('lets the last of a repeated flag win', () => {
    expect(parseSettings(['--port', '1', '--port=2'], {}).port).toBe(2);
  });

  it.each([
    ['1', true],
    ['0', false],
    ['true', true],
    ['TRUE', true],
    ['False', false],
    ['yes', true],
    ['No', false],
    ['on', true],
    ['OFF', false],
    [' 1 ', true],
  ])('reads the boolean %j as %s', (raw, expected) => {
    expect(parseSettings([], { BUCKETQL_READ_ONLY: raw }).readOnly).toBe(expected);
  });

  it.each([
    ['0', 0],
    ['1000', 1000],
    ['1k', 1024],
    ['1KiB', 1024],
    ['1.5k', 1536],
    ['64MiB', 64 * MiB],
    ['64mb', 64 * MiB],
    ['64 MiB', 64 * MiB],
    ['5GiB', 5 * GiB],
    ['2g', 2 * GiB],
    ['100b', 100],
  ])('reads the byte size %j as %i', (raw, expected) => {
    expect(parseSettings([], { BUCKETQL_MAX_OBJECT_BYTES: raw }).maxObjectBytes).toBe(expected);
    expect(parseSettings(['--max-upload-bytes', raw], {}).maxUploadBytes).toBe(expected);
  });
});

describe('bad values', () => {
  it.each([
    ['BUCKETQL_PORT', 'abc', /whole number/],
    ['BUCKETQL_PORT', '65536', /65535/],
    ['BUCKETQL_PORT', '-1', /whole number/],
    ['BUCKETQL_PORT', '80.5', /whole number/],
    ['BUCKETQL_MAX_OBJECT_BYTES', '64XB', /byte size/],
    ['BUCKETQL_MAX_OBJECT_BYTES', '-5', /byte size/],
    ['BUCKETQL_MAX_OBJECT_BYTES', 'lots', /byte size/],
    ['BUCKETQL_MAX_BODY_BYTES', '1e6', /byte size/],
    ['BUCKETQL_READ_ONLY', 'maybe', /true\/false/],
    ['BUCKETQL_SEED_DEMO', '2', /true\/false/],
    ['BUCKETQL_S3_TIMEOUT_MS', '10', /100/],
    ['BUCKETQL_S3_MAX_ATTEMPTS', '0', /1/],
    ['BUCKETQL_STORE', 'minio', /auto, s3 or embedded/],
    ['BUCKETQL_LOG_LEVEL', 'verbose', /debug, info, warn, error or silent/],
  ])('%s=%s is refused with a message naming the variable', (name, raw, reason) => {
    const found = problems([], { [name]: raw });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`${name}=${JSON.stringify(raw)}`);
    expect(found[0]).toMatch(reason);
  });

  it.each([
    ['--port', 'abc'],
    ['--port', '99999'],
    ['--max-object-bytes', '64XB'],
    ['--read-only', 'maybe'],
    ['--s3-concurrency', '0'],
  ])('%s=%s is refused with a message naming the flag', (flag, raw) => {
    const found = problems([`${flag}=${raw}`], {});
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`${flag}=${JSON.stringify(raw)}`);
  });

  it('names the flag, not the variable, when the flag gave the bad value', () => {
    const found = problems(['--port', 'abc'], { BUCKETQL_PORT: '4000' });
    expect(found).toEqual([expect.stringContaining('--port="abc"')]);
    expect(found[0]).not.toContain('BUCKETQL_PORT');
  });

  it('lists every problem at once, in the error message too', () => {
    let error: unknown;
    try {
      parseSettings(['--nope', '--port', 'x'], { BUCKETQL_MAX_OBJECT_BYTES: 'big', BUCKETQL_READ_ONLY: 'perhaps' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const { problems: found, message } = error as SettingsError;
    expect(found).toHaveLength(4);
    expect(found[0]).toBe('unknown option --nope (see --help)');
    for (const part of ['--nope', '--port="x"', 'BUCKETQL_MAX_OBJECT_BYTES="big"', 'BUCKETQL_READ_ONLY="perhaps"'])
      expect(message).toContain(part);
  });

  it('refuses unknown flags and stray arguments', () => {
    expect(problems(['--prot', '4000'])).toEqual(['unknown option --prot (see --help)', 'unknown option 4000 (see --help)']);
    expect(problems(['serve'])).toEqual(['unknown option serve (see --help)']);
  });

  it('refuses a flag that needs a value at the end of the line', () => {
    expect(problems(['--port'])).toEqual(['--port needs a value']);
  });
});

describe('--help', () => {
  it('lists every BUCKETQL_ variable with its flag and default', () => {
    const text = helpText();
    for (const spec of Object.values(SETTINGS)) {
      const line = text.split('\n').find((l) => l.trimStart().startsWith(`${flagName(spec.env)} `));
      expect(line, spec.env).toBeDefined();
      expect(line).toContain(` ${spec.env}`);
      if (spec.default !== undefined) expect(line).toContain(`(default: ${spec.default})`);
    }
    const listed = new Set(text.match(/BUCKETQL_[A-Z0-9_]+/g));
    const known = new Set(Object.values(SETTINGS).map((s) => s.env));
    expect([...listed].filter((name) => !known.has(name))).toEqual([]);
    expect(text).toContain('--help');
    expect(text).toContain('AWS_ENDPOINT_URL_S3');
  });

  it('`bucketql` exits with status 2 and names the problem when a setting is bad', async () => {
    const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(tsx, [cli, '--port', 'abc'], { env: { ...process.env, BUCKETQL_PORT: '' }, timeout: 60_000 }, (error, _, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
      });
    });
    expect(code).toBe(2);
    expect(stderr).toContain('--port="abc"');
    // One process that loads all of bucketql through tsx: seconds on a busy machine.
  }, 90_000);
});

describe('the store', () => {
  const defaults = parseSettings([], {});

  it('is S3 when an AWS endpoint or credentials are configured', () => {
    expect(chooseStore(defaults, { AWS_ENDPOINT_URL_S3: 'http://minio:9000' })).toEqual({
      kind: 's3',
      reason: 'AWS_ENDPOINT_URL_S3 is set',
    });
    expect(chooseStore(defaults, { AWS_ACCESS_KEY_ID: 'AKIA' }).kind).toBe('s3');
    expect(chooseStore(defaults, { AWS_PROFILE: 'work' }).kind).toBe('s3');
  });

  it('is what BUCKETQL_STORE forces', () => {
    expect(chooseStore(parseSettings([], { BUCKETQL_STORE: 'embedded' }), { AWS_ACCESS_KEY_ID: 'AKIA' }).kind).toBe('embedded');
    expect(chooseStore(parseSettings(['--store', 's3'], {}), {}).kind).toBe('s3');
  });
});
