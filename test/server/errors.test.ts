// The error edge: bucketql's errors are plain Errors (codecs, tables and storage know
// nothing of GraphQL); the server's masker turns them into GraphQL errors with their
// code and details as `extensions`, and masks everything else. One list of network
// error codes serves the S3 calls and the object streams.
import { buildSchema, GraphQLError, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BadUserInput, BucketqlError, DecodeFailed, PayloadTooLarge, UpstreamUnavailable } from '../../src/errors.js';
import { readFailure } from '../../src/objects/read-failure.js';
import { createErrorMasker, toGraphQLError } from '../../src/server/errors.js';
import { createLogger } from '../../src/server/log.js';
import { isNetworkFailure, mapS3Error } from '../../src/storage/errors.js';

function masker() {
  const lines: Record<string, unknown>[] = [];
  const mask = createErrorMasker(createLogger('debug', (line) => lines.push(JSON.parse(line))));
  return { mask: (error: unknown) => mask(error, 'Unexpected error.'), lines };
}

/** Runs `{ a }` whose resolver throws `error`; the result's one error, as graphql-js located it. */
async function thrownInResolver(error: unknown): Promise<GraphQLError> {
  const result = await graphql({
    schema: buildSchema('type Query { a: String }'),
    source: '{ a }',
    rootValue: {
      a: () => {
        throw error;
      },
    },
  });
  return result.errors?.[0] as GraphQLError;
}

describe('bucketql errors', () => {
  it('are plain Errors carrying the contract code and their details', () => {
    const error = new DecodeFailed('Row 3 is not valid JSON', { row: 3 });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(BucketqlError);
    expect(error).not.toBeInstanceOf(GraphQLError);
    expect(error.name).toBe('DecodeFailed');
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.extensions).toEqual({ row: 3, code: 'DECODE_FAILED' });
  });

  it('keep the code when a detail is called code', () => {
    expect(new BadUserInput('no', { code: 'SOMETHING_ELSE' }).extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('the masker', () => {
  it('turns an error thrown in a resolver into a GraphQL error with its message, place and extensions', async () => {
    const { mask, lines } = masker();
    const masked = mask(await thrownInResolver(new DecodeFailed('Line 7 is not valid CSV', { line: 7 })));
    expect(masked).toBeInstanceOf(GraphQLError);
    expect((masked as GraphQLError).toJSON()).toEqual({
      message: 'Line 7 is not valid CSV',
      locations: [{ line: 1, column: 3 }],
      path: ['a'],
      extensions: { line: 7, code: 'DECODE_FAILED' },
    });
    expect(lines).toEqual([]);
  });

  it('keeps `http` in the extensions, where yoga takes the answer status from', async () => {
    const { mask } = masker();
    const masked = mask(await thrownInResolver(new PayloadTooLarge('too large', { limit: 10, http: { status: 413 } })));
    expect((masked as GraphQLError).extensions).toEqual({ limit: 10, http: { status: 413 }, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('turns an error thrown outside execution (a plugin, the context) into a GraphQL error', () => {
    const { mask, lines } = masker();
    const masked = mask(new BadUserInput('Bad request'));
    expect(masked).toBeInstanceOf(GraphQLError);
    expect((masked as GraphQLError).toJSON()).toEqual({ message: 'Bad request', extensions: { code: 'BAD_USER_INPUT' } });
    expect(lines).toEqual([]);
  });

  it('logs an S3 failure for the operator and tells the client only that S3 failed', async () => {
    const { mask, lines } = masker();
    const masked = mask(await thrownInResolver(mapS3Error({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } }, 'bucket b')));
    expect((masked as GraphQLError).extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(lines).toMatchObject([{ level: 'warn', msg: 'S3 failed', path: 'a', code: 'UPSTREAM_UNAVAILABLE', s3: { name: 'SlowDown' } }]);
  });

  it('masks anything else as INTERNAL_SERVER_ERROR and logs its stack', async () => {
    const { mask, lines } = masker();
    const masked = mask(await thrownInResolver(new TypeError('secret detail')));
    expect((masked as GraphQLError).toJSON()).toEqual({
      message: 'Unexpected error.',
      path: ['a'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(lines).toMatchObject([{ level: 'error', msg: 'unexpected error in a resolver' }]);
    expect(String(lines[0]?.error)).toContain('secret detail');
  });

  it('toGraphQLError keeps graphql-js’s message for a located error (it may name the variable)', () => {
    const original = new BadUserInput('not a bucket name');
    const located = new GraphQLError('Variable "$b" got invalid value; not a bucket name', { originalError: original });
    expect(toGraphQLError(original, located).message).toBe('Variable "$b" got invalid value; not a bucket name');
  });
});

describe('network failures (one list for S3 calls and object streams)', () => {
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EPIPE',
    'ECONNABORTED',
    'UND_ERR_SOCKET',
    'ERR_STREAM_PREMATURE_CLOSE',
  ];

  it.each(codes)('%s on a call is UPSTREAM_UNAVAILABLE', (code) => {
    const error = Object.assign(new Error('connection failed'), { code });
    expect(isNetworkFailure(error)).toBe(true);
    expect(mapS3Error(error, 'bucket b')).toBeInstanceOf(UpstreamUnavailable);
  });

  it.each(codes)('%s on an object stream is UPSTREAM_UNAVAILABLE', (code) => {
    const failure = readFailure(Object.assign(new Error('stream failed'), { code }), 'object b/k');
    expect(failure).toBeInstanceOf(UpstreamUnavailable);
    expect(failure.message).toBe(`S3 stopped sending object b/k (${code})`);
  });

  it('another code is not a network failure', () => {
    const error = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    expect(isNetworkFailure(error)).toBe(false);
    expect(readFailure(error, 'object b/k')).toBe(error);
  });
});
