// Who may call and what they may touch: bearer tokens (BUCKETQL_TOKENS and
// BUCKETQL_TOKENS_FILE), loopback by default and the refusal to listen elsewhere
// without tokens (through startBucketql and the CLI), BUCKETQL_BUCKETS on every
// query, listing and mutation, and BUCKETQL_READ_ONLY.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { startBucketql } from '../../src/main.js';
import { checkListenSafety, loadTokens, TokenCheck } from '../../src/server/auth.js';
import type { S3Storage } from '../../src/storage/s3.js';
import { type GraphQLResponse, startTestApp, storeCredentials, type TestApp, testStorage, uniqueBucket } from '../support/app.js';
import { PREFLIGHT, postForm, uploadForm } from '../support/multipart.js';
import { seedObjects } from '../support/seed.js';

const ALPHA = 'alpha-token-0123456789abcdef';
const BETA = 'beta-token-fedcba9876543210';

function codes(result: GraphQLResponse): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as GraphQLResponse<any> };
}

let direct: S3Storage;
const scratch = mkdtempSync(join(tmpdir(), 'bucketql-access-'));

beforeAll(() => {
  direct = testStorage();
});
afterAll(() => {
  direct?.destroy();
  rmSync(scratch, { recursive: true, force: true });
});

describe('bearer tokens', () => {
  it('are compared in constant time over every token: digests of equal length, no early exit', () => {
    const check = new TokenCheck([ALPHA, BETA]);
    expect(check.required).toBe(true);
    expect(check.verify(`Bearer ${ALPHA}`)).toBe(true);
    expect(check.verify(`Bearer ${BETA}`)).toBe(true);
    // The scheme is case-insensitive (RFC 6750); the token is not.
    expect(check.verify(`bearer ${ALPHA}`)).toBe(true);
    for (const wrong of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      ALPHA,
      `Basic ${ALPHA}`,
      `Bearer ${ALPHA.slice(0, -1)}`,
      `Bearer ${ALPHA}x`,
      `Bearer ${ALPHA.toUpperCase()}`,
      `Bearer ${ALPHA} ${BETA}`,
    ]) {
      expect(check.verify(wrong), String(wrong)).toBe(false);
    }
    expect(new TokenCheck([]).verify(undefined)).toBe(true);
  });

  it('are read from BUCKETQL_TOKENS_FILE (one a line, blank lines and # comments ignored) and must be long', () => {
    const file = join(scratch, 'tokens');
    writeFileSync(file, `# bucketql tokens\n\n${ALPHA}\n  ${BETA}  \r\n# old-token-that-was-revoked\n`);
    expect(loadTokens({ tokens: undefined, tokensFile: file })).toEqual([ALPHA, BETA]);
    expect(loadTokens({ tokens: ['gamma-token-00000000'], tokensFile: file })).toEqual(['gamma-token-00000000', ALPHA, BETA]);
    expect(() => loadTokens({ tokens: ['short'], tokensFile: undefined })).toThrow(/at least 16 characters/);
    expect(() => loadTokens({ tokens: undefined, tokensFile: join(scratch, 'missing') })).toThrow(
      /BUCKETQL_TOKENS_FILE: cannot read .*ENOENT/,
    );
  });

  describe('over HTTP', () => {
    let app: TestApp;
    beforeAll(async () => {
      const file = join(scratch, 'http-tokens');
      writeFileSync(file, `# one from the file\n${BETA}\n`);
      app = await startTestApp({ BUCKETQL_TOKENS: ALPHA, BUCKETQL_TOKENS_FILE: file });
    });
    afterAll(() => app?.close());

    it('answer 401 UNAUTHENTICATED without the right token, and run nothing', async () => {
      const victim = uniqueBucket('tokens');
      for (const authorization of [undefined, 'Bearer wrong-token-0000000000', `Basic ${ALPHA}`, `Bearer ${ALPHA}x`]) {
        const { status, headers, json } = await post(
          app.url,
          `mutation { createBucket(name: "${victim}") { name } }`,
          authorization ? { authorization } : {},
        );
        expect(status, String(authorization)).toBe(401);
        expect(headers.get('www-authenticate')).toBe('Bearer realm="bucketql"');
        expect(codes(json)).toEqual(['UNAUTHENTICATED']);
        expect(JSON.stringify(json)).not.toContain(ALPHA);
      }
      expect(await direct.bucketExists(victim)).toBe(false);
      // GET queries and multipart uploads too.
      expect((await fetch(`${app.url}/graphql?query=%7B__typename%7D`, { headers: { accept: 'application/json' } })).status).toBe(401);
      const form = uploadForm('mutation($f: File!) { uploadFile(bucket: "x", key: "y", file: $f) { key } }', {}, { f: new Blob(['x']) });
      expect((await postForm(app.url, form, PREFLIGHT)).status).toBe(401);
    });

    it('refuse an unauthenticated upload without reading its body, and close the connection', async () => {
      const { status, closed } = await new Promise<{ status: number; closed: boolean }>((resolve, reject) => {
        // Declares a gigabyte and sends a few bytes of it.
        const req = request(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'multipart/form-data; boundary=x', 'graphql-preflight': '1', 'content-length': String(1024 ** 3) },
        });
        req.on('error', () => undefined);
        req.on('response', (res) => {
          res.resume();
          const timer = setTimeout(() => resolve({ status: res.statusCode ?? 0, closed: false }), 5000);
          req.socket?.once('close', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, closed: true });
          });
        });
        req.write(Buffer.alloc(64 * 1024));
        setTimeout(() => reject(new Error('no answer')), 10_000).unref();
      });
      expect(status).toBe(401);
      expect(closed).toBe(true);
    });

    it('let a request with either token (variable or file) through', async () => {
      for (const token of [ALPHA, BETA]) {
        const { status, json } = await post(app.url, '{ __typename }', { authorization: `Bearer ${token}` });
        expect([status, json]).toEqual([200, { data: { __typename: 'Query' } }]);
      }
    });

    it('are not needed for /healthz (which tells nothing else), the GraphiQL page or a CORS preflight', async () => {
      const health = await fetch(`${app.url}/healthz`);
      expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
      const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).not.toContain(ALPHA);
      const preflight = await fetch(`${app.url}/graphql`, { method: 'OPTIONS' });
      expect(preflight.status).not.toBe(401);
    });
  });
});

describe('where bucketql listens', () => {
  it('refuses a non-loopback address without tokens, unless BUCKETQL_ALLOW_ANONYMOUS=1', () => {
    const none = new TokenCheck([]);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      expect(() => checkListenSafety({ host, allowAnonymous: false }, none), host).toThrow(
        /Refusing to listen on .* without tokens.*BUCKETQL_TOKENS/,
      );
      expect(() => checkListenSafety({ host, allowAnonymous: true }, none), host).not.toThrow();
      expect(() => checkListenSafety({ host, allowAnonymous: false }, new TokenCheck([ALPHA])), host).not.toThrow();
    }
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
      expect(() => checkListenSafety({ host, allowAnonymous: false }, none), host).not.toThrow();
    }
    expect(parseSettings([], {}).host).toBe('127.0.0.1');
  });

  it('startBucketql refuses before it starts anything (no embedded store, no data folder)', async () => {
    const dataDir = join(scratch, 'never-created');
    const settings = parseSettings(['--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {});
    await expect(startBucketql(settings, {})).rejects.toThrow(/Refusing to listen on 0\.0\.0\.0 without tokens/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('startBucketql listens on 0.0.0.0 with BUCKETQL_ALLOW_ANONYMOUS=1', async () => {
    const settings = parseSettings(['--host', '0.0.0.0', '--port', '0', '--allow-anonymous', '--store', 's3', '--log-level', 'silent'], {});
    const running = await startBucketql(settings, {});
    try {
      expect((await post(`http://127.0.0.1:${running.port}`, '{ __typename }')).json).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await running.close();
    }
  });

  describe('the CLI', () => {
    const cliEnv = (extra: Record<string, string>) => {
      const env: NodeJS.ProcessEnv = { ...process.env, BUCKETQL_LOG_LEVEL: 'warn', ...extra };
      for (const name of ['BUCKETQL_TOKENS', 'BUCKETQL_TOKENS_FILE', 'BUCKETQL_ALLOW_ANONYMOUS', 'BUCKETQL_HOST'])
        if (!(name in extra)) delete env[name];
      return env;
    };
    const cli = (args: string[], env: NodeJS.ProcessEnv): ChildProcess =>
      spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });

    it('exits with a clear message for --host 0.0.0.0 without tokens', async () => {
      const child = cli(['--host', '0.0.0.0', '--port', '0'], cliEnv({}));
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(/could not start: Refusing to listen on 0\.0\.0\.0 without tokens/);
      expect(stderr).toMatch(/BUCKETQL_TOKENS.*BUCKETQL_ALLOW_ANONYMOUS=1/);
    }, 60_000);

    it('starts on 0.0.0.0 with tokens; answers on 127.0.0.1 only with a token; stops on SIGTERM', async () => {
      const bucket = uniqueBucket('cli');
      await direct.createBucket(bucket);
      const child = cli(
        ['--host', '0.0.0.0', '--port', '0'],
        cliEnv({
          BUCKETQL_TOKENS: ALPHA,
          AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
          AWS_ACCESS_KEY_ID: storeCredentials().accessKeyId,
          AWS_SECRET_ACCESS_KEY: storeCredentials().secretAccessKey,
          AWS_REGION: 'us-east-1',
        }),
      );
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let stderr = '';
          child.stderr?.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            const ready = /bucketql is ready: open http:\/\/0\.0\.0\.0:(\d+)\/graphql/.exec(stderr);
            if (ready) resolve(Number(ready[1]));
          });
          child.once('exit', (code) => reject(new Error(`bucketql exited (${code}): ${stderr}`)));
        });
        // Traffic goes to loopback only, whatever the bound address.
        const url = `http://127.0.0.1:${port}`;
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        expect((await post(url, '{ buckets { name } }')).status).toBe(401);
        const allowed = await post(url, '{ buckets { name } }', { authorization: `Bearer ${ALPHA}` });
        expect(allowed.json.data?.buckets.map((b: { name: string }) => b.name)).toContain(bucket);
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }, 60_000);
  });
});

describe('BUCKETQL_BUCKETS', () => {
  const exact = uniqueBucket('secexact');
  const globbed = uniqueBucket('secglob');
  const outside = uniqueBucket('secno');
  let app: TestApp;

  beforeAll(async () => {
    for (const name of [exact, globbed, outside]) {
      await direct.createBucket(name);
      await seedObjects(direct, name, { 'a.csv': 'x,y\n1,2\n', 'keep.txt': 'keep me' });
    }
    app = await startTestApp({ BUCKETQL_BUCKETS: `${exact}, secglob-*` });
  });
  afterAll(() => app?.close());

  const q = (query: string) => post(app.url, query).then((r) => r.json);

  it('lists only the allowed buckets', async () => {
    const names: string[] = (await q('{ buckets { name } }')).data.buckets.map((b: { name: string }) => b.name);
    expect(names).toContain(exact);
    expect(names).toContain(globbed);
    expect(names).not.toContain(outside);
    for (const name of names) expect(name === exact || name.startsWith('secglob-'), name).toBe(true);
  });

  it('refuses a bucket, its listing and its objects outside the list (FORBIDDEN, even when it does not exist)', async () => {
    for (const query of [
      `{ bucket(name: "${outside}") { name } }`,
      `{ bucket(name: "${outside}") { objects { edges { node { key } } } } }`,
      `{ bucket(name: "no-such-${outside}") { name } }`,
      `{ object(bucket: "${outside}", key: "a.csv") { key text } }`,
      `{ object(bucket: "${outside}", key: "a.csv") { table { rowCount } } }`,
    ]) {
      const result = await q(query);
      expect(codes(result), query).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(result.data ?? null), query).not.toContain('keep');
    }
    const ok = await q(
      `{ bucket(name: "${globbed}") { objects { edges { node { key } } } } object(bucket: "${exact}", key: "keep.txt") { text } }`,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data.bucket.objects.edges.map((e: { node: { key: string } }) => e.node.key)).toEqual(['a.csv', 'keep.txt']);
    expect(ok.data.object.text).toBe('keep me');
  });

  it('fails objects(refs) as a whole when one ref is outside', async () => {
    const result = await q(
      `{ objects(refs: [{ bucket: "${exact}", key: "keep.txt" }, { bucket: "${outside}", key: "keep.txt" }]) { key text } }`,
    );
    expect(codes(result)).toEqual(['FORBIDDEN']);
    expect(result.errors?.[0]?.path).toEqual(['objects']);
    expect(result.data).toBeNull();
    const allowed = await q(`{ objects(refs: [{ bucket: "${exact}", key: "keep.txt" }, { bucket: "${globbed}", key: "nope" }]) { key } }`);
    expect(allowed).toEqual({ data: { objects: [{ key: 'keep.txt' }, null] } });
  });

  it('refuses every mutation that touches a bucket outside, copyObject at either end, and writes nothing', async () => {
    const refused: [string, string][] = [
      ['putObject', `mutation { putObject(bucket: "${outside}", key: "new.txt", content: "x") { key } }`],
      ['createBucket', `mutation { createBucket(name: "no-${outside}") { name } }`],
      [
        'copyObject from outside',
        `mutation { copyObject(from: { bucket: "${outside}", key: "keep.txt" }, to: { bucket: "${exact}", key: "copied-in.txt" }) { key } }`,
      ],
      [
        'copyObject to outside',
        `mutation { copyObject(from: { bucket: "${exact}", key: "keep.txt" }, to: { bucket: "${outside}", key: "copied-out.txt" }) { key } }`,
      ],
      ['deleteObject', `mutation { deleteObject(bucket: "${outside}", key: "keep.txt") }`],
      ['deleteObjects', `mutation { deleteObjects(bucket: "${outside}", keys: ["keep.txt", "a.csv"]) }`],
      ['createUploadUrl', `mutation { createUploadUrl(bucket: "${outside}", key: "new.txt") { url } }`],
    ];
    for (const [name, mutation] of refused) {
      const result = await q(mutation);
      expect(codes(result), name).toEqual(['FORBIDDEN']);
      expect(result.errors?.[0]?.message, name).toMatch(/BUCKETQL_BUCKETS/);
    }
    const form = uploadForm(
      'mutation($b: String!, $f: File!) { uploadFile(bucket: $b, key: "up.txt", file: $f) { key } }',
      { b: outside },
      { f: new Blob(['uploaded']) },
    );
    expect(codes((await postForm(app.url, form, PREFLIGHT)).body)).toEqual(['FORBIDDEN']);

    expect(await direct.headObject({ bucket: outside, key: 'new.txt' })).toBeNull();
    expect(await direct.headObject({ bucket: outside, key: 'up.txt' })).toBeNull();
    expect(await direct.headObject({ bucket: outside, key: 'copied-out.txt' })).toBeNull();
    expect(await direct.headObject({ bucket: exact, key: 'copied-in.txt' })).toBeNull();
    expect(await direct.headObject({ bucket: outside, key: 'keep.txt' })).not.toBeNull();
    expect(await direct.headObject({ bucket: outside, key: 'a.csv' })).not.toBeNull();
    expect(await direct.bucketExists(`no-${outside}`)).toBe(false);

    // Between allowed buckets, the same mutations work.
    const copy = await q(
      `mutation { copyObject(from: { bucket: "${exact}", key: "keep.txt" }, to: { bucket: "${globbed}", key: "copy.txt" }) { key size } }`,
    );
    expect(copy).toEqual({ data: { copyObject: { key: 'copy.txt', size: 7 } } });
  });
});

describe('BUCKETQL_READ_ONLY=1', () => {
  const bucket = uniqueBucket('readonly');
  let app: TestApp;

  beforeAll(async () => {
    await direct.createBucket(bucket);
    await seedObjects(direct, bucket, { 'keep.txt': 'keep me' });
    app = await startTestApp({ BUCKETQL_READ_ONLY: '1' });
  });
  afterAll(() => app?.close());

  it('refuses every mutation with FORBIDDEN and writes nothing; queries work', async () => {
    const mutations = [
      `mutation { createBucket(name: "new-${bucket}") { name } }`,
      `mutation { putObject(bucket: "${bucket}", key: "new.txt", content: "x") { key } }`,
      `mutation { copyObject(from: { bucket: "${bucket}", key: "keep.txt" }, to: { bucket: "${bucket}", key: "copy.txt" }) { key } }`,
      `mutation { deleteObject(bucket: "${bucket}", key: "keep.txt") }`,
      `mutation { deleteObjects(bucket: "${bucket}", keys: ["keep.txt"]) }`,
      `mutation { createUploadUrl(bucket: "${bucket}", key: "new.txt") { url } }`,
    ];
    for (const mutation of mutations) {
      const result = (await post(app.url, mutation)).json;
      expect(codes(result), mutation).toEqual(['FORBIDDEN']);
      expect(result.errors?.[0]?.message).toMatch(/read-only.*BUCKETQL_READ_ONLY/);
    }
    const form = uploadForm(
      'mutation($b: String!, $f: File!) { uploadFile(bucket: $b, key: "up.txt", file: $f) { key } }',
      { b: bucket },
      { f: new Blob(['uploaded']) },
    );
    expect(codes((await postForm(app.url, form, PREFLIGHT)).body)).toEqual(['FORBIDDEN']);

    for (const key of ['new.txt', 'copy.txt', 'up.txt']) expect(await direct.headObject({ bucket, key }), key).toBeNull();
    expect(await direct.headObject({ bucket, key: 'keep.txt' })).not.toBeNull();
    expect(await direct.bucketExists(`new-${bucket}`)).toBe(false);
    expect((await post(app.url, `{ object(bucket: "${bucket}", key: "keep.txt") { text } }`)).json).toEqual({
      data: { object: { text: 'keep me' } },
    });
  });
});
