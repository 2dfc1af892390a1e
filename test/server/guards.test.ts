// The guards the router runs before GraphQL, each on its own: what it lets through and
// which of bucketql's errors it refuses with; and how a refusal is answered.
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BadUserInput, BucketqlError, Forbidden, PayloadTooLarge, Unauthenticated } from '../../src/errors.js';
import { accessTokens, TokenCheck } from '../../src/server/auth.js';
import { readRequestBody } from '../../src/server/body.js';
import { CorsPolicy } from '../../src/server/cors.js';
import { CSRF_HEADERS, checkCsrf } from '../../src/server/csrf.js';
import { hostGuard, loopbackHostHeader } from '../../src/server/host-guard.js';
import { toFetchRequest } from '../../src/server/node-bridge.js';
import { refusalOf } from '../../src/server/refusal.js';
import { checkToken, UNAUTHENTICATED_MESSAGE } from '../../src/server/token-guard.js';

const TOKEN = 'guard-token-0123456789abcdef';

/** A request as the guards see it: method, headers and (for bodies) a stream of `chunks`. */
function request(method: string, headers: Record<string, string>, chunks: (string | Buffer)[] = []): IncomingMessage {
  const stream = new PassThrough();
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return Object.assign(stream, { method, headers, url: '/graphql' }) as unknown as IncomingMessage;
}

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function rejection(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the Host header guard', () => {
  const guard = hostGuard({ host: '127.0.0.1' }, new TokenCheck([]));

  it.each(['localhost', 'localhost:4000', '127.0.0.1:4000', '127.9.9.9', '[::1]:4000', 'app.localhost:4000', undefined])(
    'lets %s through on a loopback server without tokens',
    (host) => {
      expect(loopbackHostHeader(host)).toBe(true);
      expect(() => guard(request('GET', host === undefined ? {} : { host }))).not.toThrow();
    },
  );

  it.each(['evil.example', 'evil.example:4000', '192.168.1.4', 'localhost.evil.example'])('refuses %s with FORBIDDEN', (host) => {
    const error = thrown(() => guard(request('GET', { host })));
    expect(error).toBeInstanceOf(Forbidden);
    expect((error as Error).message).toMatch(/DNS rebinding/);
  });

  it('lets every name through with tokens, or on a non-loopback address', () => {
    expect(() => hostGuard({ host: '127.0.0.1' }, new TokenCheck([TOKEN]))(request('GET', { host: 'evil.example' }))).not.toThrow();
    expect(() => hostGuard({ host: '0.0.0.0' }, new TokenCheck([]))(request('GET', { host: 'evil.example' }))).not.toThrow();
  });
});

describe('the token guard', () => {
  it('refuses a missing or wrong token with Unauthenticated, and lets the right one through', () => {
    const tokens = new TokenCheck([TOKEN]);
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', TOKEN, `Basic ${TOKEN}`]) {
      const error = thrown(() => checkToken(tokens, authorization));
      expect(error, authorization).toBeInstanceOf(Unauthenticated);
      expect((error as Error).message).toBe(UNAUTHENTICATED_MESSAGE);
    }
    expect(() => checkToken(tokens, `Bearer ${TOKEN}`)).not.toThrow();
    expect(() => checkToken(new TokenCheck([]), undefined)).not.toThrow();
  });

  it('is answered 401 with the scheme in WWW-Authenticate', () => {
    const refusal = refusalOf(new Unauthenticated('needs a token'));
    expect(refusal.status).toBe(401);
    expect(refusal.headers['www-authenticate']).toBe('Bearer realm="bucketql"');
    expect(JSON.parse(refusal.body)).toEqual({ errors: [{ message: 'needs a token', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('accessTokens loads the tokens once and refuses a non-loopback address without them', () => {
    const base = { tokens: undefined, tokensFile: undefined, allowAnonymous: false };
    expect(() => accessTokens({ ...base, host: '0.0.0.0' })).toThrow(/Refusing to listen on 0.0.0.0 without tokens/);
    expect(accessTokens({ ...base, host: '0.0.0.0', allowAnonymous: true }).required).toBe(false);
    expect(accessTokens({ ...base, host: '0.0.0.0', tokens: [TOKEN] }).verify(`Bearer ${TOKEN}`)).toBe(true);
    expect(() => accessTokens({ ...base, host: '127.0.0.1', tokens: ['short'] })).toThrow(/at least 16 characters/);
  });
});

describe('the CSRF guard', () => {
  it.each(['multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'text/plain;charset=utf-8'])(
    'refuses a POST of %s without a preflight header',
    (type) => {
      const error = thrown(() => checkCsrf(request('POST', { 'content-type': type })));
      expect(error).toBeInstanceOf(BadUserInput);
      expect((error as Error).message).toContain('(CSRF prevention)');
      for (const header of CSRF_HEADERS) expect(() => checkCsrf(request('POST', { 'content-type': type, [header]: '1' }))).not.toThrow();
    },
  );

  it('lets JSON POSTs and GETs through', () => {
    expect(() => checkCsrf(request('POST', { 'content-type': 'application/json' }))).not.toThrow();
    expect(() => checkCsrf(request('GET', { 'content-type': 'text/plain' }))).not.toThrow();
  });
});

describe('the body limits', () => {
  const limits = { maxBodyBytes: 10, maxUploadBytes: 20 };

  it('reads a body within its limit, and none for GET', async () => {
    expect(await readRequestBody(request('POST', { 'content-type': 'application/json' }, ['{"a":', '1}']), limits)).toEqual({
      kind: 'text',
      text: '{"a":1}',
    });
    expect(await readRequestBody(request('GET', {}), limits)).toEqual({ kind: 'none' });
  });

  it('refuses a body over BUCKETQL_MAX_BODY_BYTES, declared or sent', async () => {
    for (const req of [
      request('POST', { 'content-length': '11' }, ['{}']),
      request('POST', {}, ['123456', '789012']),
      request('PUT', {}, [Buffer.alloc(11)]),
    ]) {
      const error = await rejection(() => readRequestBody(req, limits));
      expect(error).toBeInstanceOf(PayloadTooLarge);
      expect((error as Error).message).toBe('The request body is larger than BUCKETQL_MAX_BODY_BYTES (10 bytes)');
    }
  });

  it('refuses an upload declared over BUCKETQL_MAX_UPLOAD_BYTES, and a malformed one', async () => {
    const tooLarge = await rejection(() =>
      readRequestBody(request('POST', { 'content-type': 'multipart/form-data; boundary=b', 'content-length': '21' }), limits),
    );
    expect(tooLarge).toBeInstanceOf(PayloadTooLarge);
    expect((tooLarge as Error).message).toBe('The upload is larger than BUCKETQL_MAX_UPLOAD_BYTES (20 bytes)');
    const malformed = await rejection(() => readRequestBody(request('POST', { 'content-type': 'multipart/form-data' }), limits));
    expect(malformed).toBeInstanceOf(BadUserInput);
  });
});

describe('refusals', () => {
  it.each([
    [new BadUserInput('x'), 400],
    [new Unauthenticated('x'), 401],
    [new Forbidden('x'), 403],
    [new PayloadTooLarge('x', { limit: 3 }), 413],
    [new BucketqlError('INTERNAL_SERVER_ERROR', 'x'), 500],
  ])('%s is answered %i with only its code', (error, status) => {
    const refusal = refusalOf(error);
    expect(refusal.status).toBe(status);
    expect(JSON.parse(refusal.body).errors[0].extensions).toEqual({ code: error.code });
  });
});

describe('the bridge and CORS on yoga’s answers', () => {
  it('makes a fetch Request with every header value; a parsed multipart request becomes JSON', async () => {
    const req = request('POST', { host: 'localhost:4000', 'content-type': 'multipart/form-data; boundary=b', 'content-length': '99' });
    (req.headers as Record<string, unknown>)['x-many'] = ['a', 'b'];
    const plain = toFetchRequest(req, '{"query":"{a}"}', { signal: new AbortController().signal, Request });
    expect(plain.url).toBe('http://localhost:4000/graphql');
    expect(plain.headers.get('x-many')).toBe('a, b');
    expect(await plain.text()).toBe('{"query":"{a}"}');
    const parsed = toFetchRequest(req, undefined, { signal: new AbortController().signal, Request, jsonInstead: true });
    expect(parsed.headers.get('content-type')).toBe('application/json');
    expect(parsed.headers.get('content-length')).toBeNull();
  });

  it('replaces yoga’s access-control headers with the policy’s and merges Vary', () => {
    const cors = new CorsPolicy(['https://app.example.com']);
    const yogas = { 'content-type': 'application/json', 'access-control-allow-origin': 'null', vary: 'Accept' };
    expect(cors.replaceIn(yogas, 'https://app.example.com')).toEqual({
      'content-type': 'application/json',
      'access-control-allow-origin': 'https://app.example.com',
      vary: 'Accept, Origin',
    });
    expect(cors.replaceIn(yogas, 'https://other.example.com')).toEqual({ 'content-type': 'application/json', vary: 'Accept' });
  });
});
