// Hostile requests: documents too deep, too aliased, too long or too costly (a
// literal `first` or one from a variable), batches of many operations, bodies beyond
// BUCKETQL_MAX_BODY_BYTES, cross-site form posts (CSRF), introspection when it is
// off. Each is refused before it costs anything, with a contract code and a message
// that names the limit; no error of this file leaks a stack, a path or a secret.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { ANSWER_CODES, ErrorSweep } from '../support/error-sweep.js';
import { PREFLIGHT, postForm, uploadForm } from '../support/multipart.js';

const bucket = uniqueBucket('limits');
/** Every error answer of this file, for the sweep at the end. */
const sweep = new ErrorSweep();

interface Answer {
  status: number;
  json: GraphQLResponse & Record<string, unknown>;
}

/** Clients that accept application/graphql-response+json get HTTP 400 for a document that does not validate. */
const STRICT = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

async function post(on: TestApp, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Answer> {
  const response = await fetch(`${on.url}/graphql`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await response.json()) as Answer['json'];
  if (Array.isArray(json)) for (const one of json as GraphQLResponse[]) sweep.add(one);
  else sweep.add(json);
  return { status: response.status, json };
}

function codes(result: GraphQLResponse): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ BUCKETQL_MAX_DEPTH: '5', BUCKETQL_MAX_ALIASES: '3', BUCKETQL_MAX_TOKENS: '200', BUCKETQL_MAX_COST: '5000' });
  await app.storage.createBucket(bucket);
});
afterAll(() => app?.close());

describe('query limits (graphql-armor)', () => {
  it('answer like any document that does not validate: 200 for application/json clients, 400 for graphql-response+json', async () => {
    for (const query of ['{ nope }', '{ a: __typename b: __typename c: __typename d: __typename }']) {
      const plain = await post(app, { query });
      expect([plain.status, codes(plain.json)], query).toEqual([200, ['GRAPHQL_VALIDATION_FAILED']]);
      const strict = await post(app, { query }, STRICT);
      expect([strict.status, codes(strict.json)], query).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
    }
  });

  it('refuses a document deeper than BUCKETQL_MAX_DEPTH', async () => {
    const ok = await post(app, { query: `{ bucket(name: "${bucket}") { objects(first: 1) { edges { node { key } } } } }` });
    expect(ok.json).toEqual({ data: { bucket: { objects: { edges: [] } } } });
    const deep = `{ bucket(name: "${bucket}") { objects(first: 1) { edges { node { table { columns { name } } } } } } }`;
    const { status, json } = await post(app, { query: deep }, STRICT);
    expect(status).toBe(400);
    expect(json.data).toBeUndefined();
    expect(codes(json)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(json.errors?.[0]?.message).toMatch(/depth limit of 5 exceeded, found \d+ \(BUCKETQL_MAX_DEPTH\)/i);
  });

  it('refuses more aliases than BUCKETQL_MAX_ALIASES', async () => {
    expect((await post(app, { query: '{ a: __typename b: __typename c: __typename }' })).json.errors).toBeUndefined();
    const { status, json } = await post(app, { query: '{ a: __typename b: __typename c: __typename d: __typename }' }, STRICT);
    expect(status).toBe(400);
    expect(codes(json)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(json.errors?.[0]?.message).toMatch(/Aliases limit of 3 exceeded, found 4.*BUCKETQL_MAX_ALIASES/);
  });

  it('refuses a document of more lexical tokens than BUCKETQL_MAX_TOKENS', async () => {
    const { status, json } = await post(app, { query: `{ ${'__typename '.repeat(250)}}` }, STRICT);
    expect(status).toBe(400);
    expect(codes(json)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(json.errors?.[0]?.message).toMatch(/Token limit of 200 exceeded.*BUCKETQL_MAX_TOKENS/);
  });

  it('refuses a query whose estimated cost is beyond BUCKETQL_MAX_COST, `first` written in it', async () => {
    const page = (first: number) =>
      `{ bucket(name: "${bucket}") { objects(first: ${first}) { edges { cursor node { key size etag } } } } }`;
    expect((await post(app, { query: page(10) })).json.errors).toBeUndefined();
    const { status, json } = await post(app, { query: page(1000) }, STRICT);
    expect(status).toBe(400);
    expect(codes(json)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(json.errors?.[0]?.message).toMatch(/Cost limit of 5000 exceeded.*BUCKETQL_MAX_COST/);
  });

  it('counts `first` given by a variable (or its default) in the cost too, whatever was validated before', async () => {
    const query = `query($n: Int!) { bucket(name: "${bucket}") { objects(first: $n) { edges { cursor node { key size etag } } } } }`;
    // The same document, three times: the validation cache must not let the large one through.
    expect((await post(app, { query, variables: { n: 10 } })).json.errors).toBeUndefined();
    const large = await post(app, { query, variables: { n: 1000 } }, STRICT);
    expect(large.status).toBe(400);
    expect(codes(large.json)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(large.json.errors?.[0]?.message).toMatch(/Cost limit of 5000 exceeded.*variables.*BUCKETQL_MAX_COST/);
    expect(large.json.data).toBeUndefined();
    expect((await post(app, { query, variables: { n: 10 } })).json.errors).toBeUndefined();

    const byDefault = `query($n: Int = 1000) { bucket(name: "${bucket}") { objects(first: $n) { edges { cursor node { key size etag } } } } }`;
    expect(codes((await post(app, { query: byDefault })).json)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((await post(app, { query: byDefault, variables: { n: 5 } })).json.errors).toBeUndefined();
  });
});

describe('batching (several operations in one HTTP request)', () => {
  it('is refused when BUCKETQL_MAX_BATCH is 0 (the default)', async () => {
    const { status, json } = await post(app, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(status).toBe(400);
    expect(Array.isArray(json)).toBe(false);
    expect(json.errors?.[0]?.message).toMatch(/[Bb]atching/);
    for (const code of codes(json)) expect(ANSWER_CODES).toContain(code);
  });

  it('is limited to BUCKETQL_MAX_BATCH operations when on', async () => {
    const batching = await startTestApp({ BUCKETQL_MAX_BATCH: '2' });
    try {
      const two = await post(batching, [{ query: '{ __typename }' }, { query: '{ a: __typename }' }]);
      expect(two.status).toBe(200);
      expect(two.json).toEqual([{ data: { __typename: 'Query' } }, { data: { a: 'Query' } }]);
      const three = await post(batching, [{ query: '{ __typename }' }, { query: '{ __typename }' }, { query: '{ __typename }' }]);
      expect(three.status).toBe(413);
      expect(three.json.errors?.[0]?.message).toMatch(/limited to 2/);
      for (const code of codes(three.json)) expect(ANSWER_CODES).toContain(code);
    } finally {
      await batching.close();
    }
  });
});

describe('the request body limit (BUCKETQL_MAX_BODY_BYTES)', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ BUCKETQL_MAX_BODY_BYTES: '2KiB' });
  });
  afterAll(() => small?.close());

  const put = (key: string, size: number) => ({
    query: 'mutation($b: String!, $k: String!, $c: JSON!) { putObject(bucket: $b, key: $k, content: $c) { size } }',
    variables: { b: bucket, k: key, c: 'x'.repeat(size) },
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a declared length beyond it, and writes nothing', async () => {
    expect((await post(small, put('fits.txt', 1000))).json).toEqual({ data: { putObject: { size: 1000 } } });
    const { status, json } = await post(small, put('too-large.txt', 4000));
    expect(status).toBe(413);
    expect(codes(json)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(json.errors?.[0]?.message).toContain('BUCKETQL_MAX_BODY_BYTES (2048 bytes)');
    expect(await small.storage.headObject({ bucket, key: 'too-large.txt' })).toBeNull();
  });

  it('answers 413 for a chunked body (no declared length) once it grows beyond it', async () => {
    const { status, json } = await new Promise<Answer>((resolve, reject) => {
      const req = request(`${small.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Answer['json'] }));
      });
      const body = JSON.stringify(put('chunked.txt', 100_000));
      // Sent in pieces, slowly enough that the server answers before the end.
      let at = 0;
      const next = () => {
        if (req.destroyed || at >= body.length) return req.end();
        req.write(body.slice(at, at + 1024));
        at += 1024;
        setTimeout(next, 5);
      };
      next();
    });
    sweep.add(json);
    expect(status).toBe(413);
    expect(codes(json)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(await small.storage.headObject({ bucket, key: 'chunked.txt' })).toBeNull();
  });
});

describe('cross-site requests (CSRF)', () => {
  const UPLOAD = 'mutation($b: String!, $k: String!, $f: File!) { uploadFile(bucket: $b, key: $k, file: $f) { size } }';

  it('refuses a multipart upload without a preflight header, and writes nothing', async () => {
    const form = () => uploadForm(UPLOAD, { b: bucket, k: 'csrf.txt' }, { f: new Blob(['hello']) });
    const refused = await postForm(app.url, form(), {});
    sweep.add(refused.body);
    expect(refused.status).toBe(400);
    expect(codes(refused.body)).toEqual(['BAD_USER_INPUT']);
    expect(refused.body.errors?.[0]?.message).toMatch(/CSRF/);
    expect(await app.storage.headObject({ bucket, key: 'csrf.txt' })).toBeNull();

    const accepted = await postForm(app.url, form(), PREFLIGHT);
    expect(accepted.body).toEqual({ data: { uploadFile: { size: 5 } } });
  });

  it('refuses a url-encoded form post (which any web page can send) without running it', async () => {
    const victim = uniqueBucket('csrf');
    const form = new URLSearchParams({ query: `mutation { createBucket(name: "${victim}") { name } }` });
    const { status, json } = await post(app, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(status).toBe(400);
    expect(codes(json)).toEqual(['BAD_USER_INPUT']);
    expect(json.errors?.[0]?.message).toMatch(/CSRF/);
    expect(await app.storage.bucketExists(victim)).toBe(false);

    const text = await post(app, JSON.stringify({ query: `mutation { createBucket(name: "${victim}") { name } }` }), {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(400);
    expect(await app.storage.bucketExists(victim)).toBe(false);
  });

  it('refuses a mutation sent with GET (a link or an image can send one)', async () => {
    const victim = uniqueBucket('csrf-get');
    const response = await fetch(`${app.url}/graphql?query=${encodeURIComponent(`mutation { createBucket(name: "${victim}") { name } }`)}`);
    expect(response.status).toBe(405);
    sweep.add((await response.json()) as GraphQLResponse);
    expect(await app.storage.bucketExists(victim)).toBe(false);
  });
});

describe('DNS rebinding (no tokens, on loopback)', () => {
  function withHost(host: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', host } });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Answer['json'] }));
      });
      req.end(JSON.stringify({ query: '{ __typename }' }));
    });
  }

  it('answers only requests addressed to a loopback name', async () => {
    const port = new URL(app.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      expect((await withHost(host)).json, host).toEqual({ data: { __typename: 'Query' } });
    }
    const rebound = await withHost(`attacker.example:${port}`);
    sweep.add(rebound.json);
    expect(rebound.status).toBe(403);
    expect(codes(rebound.json)).toEqual(['FORBIDDEN']);
    expect(rebound.json.errors?.[0]?.message).toMatch(/BUCKETQL_TOKENS/);
  });
});

describe('introspection', () => {
  const SCHEMA = '{ __schema { queryType { name } } }';

  it('is answered by default (GraphiQL and codegen need it)', async () => {
    expect((await post(app, { query: SCHEMA })).json).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('is refused with BUCKETQL_INTROSPECTION=0, and __typename still works', async () => {
    const closed = await startTestApp({ BUCKETQL_INTROSPECTION: '0' });
    try {
      for (const query of [SCHEMA, '{ __type(name: "Query") { name } }']) {
        const { json } = await post(closed, { query });
        expect(codes(json).length, query).toBeGreaterThan(0);
        expect(new Set(codes(json)), query).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
        expect(json.data).toBeUndefined();
        expect(json.errors?.[0]?.message).toMatch(/introspection/i);
      }
      expect((await post(closed, { query: '{ __typename }' })).json).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await closed.close();
    }
  });
});

describe('field suggestions', () => {
  /** Mistakes graphql-js answers with "Did you mean …?": fields, arguments, enum values, input fields, types, in the document and in variables. */
  const MISTAKES: { query: string; variables?: Record<string, unknown> }[] = [
    { query: '{ bucketz { name } }' },
    { query: '{ buckets { namez } }' },
    { query: '{ object(bucketz: "b", key: "k") { key } }' },
    { query: '{ object(bucket: "b", key: "k") { table { rows(orderBy: { column: "a", direction: ASCC }) { totalCount } } } }' },
    { query: '{ object(bucket: "b", key: "k") { table { rows(where: { columnz: "a", op: EQ, value: "1" }) { totalCount } } } }' },
    { query: 'query($f: RowFiltr) { __typename }' },
    { query: '{ buckets { ... on Bucke { name } } }' },
    {
      query: 'query($w: RowFilter) { object(bucket: "b", key: "k") { table { rows(where: $w) { totalCount } } } }',
      variables: { w: { columnz: 'a', op: 'EQ', value: '1' } },
    },
    {
      query: 'query($w: RowFilter) { object(bucket: "b", key: "k") { table { rows(where: $w) { totalCount } } } }',
      variables: { w: { column: 'a', op: 'EQQ', value: '1' } },
    },
  ];

  it('are given when introspection is on (they help people writing queries)', async () => {
    const { json } = await post(app, MISTAKES[0]);
    expect(json.errors?.[0]?.message).toMatch(/Did you mean .*"buckets"/);
  });

  it('are never given with BUCKETQL_INTROSPECTION=0: they would reveal the schema', async () => {
    const closed = await startTestApp({ BUCKETQL_INTROSPECTION: '0' });
    try {
      for (const mistake of MISTAKES) {
        const { json } = await post(closed, mistake);
        const messages = (json.errors ?? []).map((e) => e.message);
        expect(messages.length, mistake.query).toBeGreaterThan(0);
        for (const message of messages) expect(message, mistake.query).not.toMatch(/did you mean/i);
        expect(
          codes(json).every((code) => code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_USER_INPUT'),
          mistake.query,
        ).toBe(true);
      }
    } finally {
      await closed.close();
    }
  });
});

sweep.describe({ atLeast: 15 });
