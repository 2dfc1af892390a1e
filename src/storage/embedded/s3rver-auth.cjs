// Only bucketql (and the presigned URLs it hands out) may use the embedded store.
// s3rver checks the access key id of a SigV4 request but never its signature, and
// lets anonymous requests through: any local process, or a web page that finds the
// port, could read and write every bucket. This Koa middleware, run before s3rver's
// own, verifies every request's AWS Signature Version 4 against the per-start secret
// (header form and presigned query form, expiry and clock skew), by signing the
// request again with @smithy/signature-v4, the signer the AWS SDK itself uses, so
// both sides canonicalise alike. Everything else is refused with AccessDenied.
'use strict';
const { createHash, createHmac, timingSafeEqual } = require('node:crypto');
const { SignatureV4 } = require('@smithy/signature-v4');
const S3Error = require('s3rver/lib/models/error');

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
const HEADER =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/s3\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request$/;

/** The SHA-256 (or HMAC-SHA-256 with a secret) the signer asks for, from node:crypto. */
class Sha256 {
  constructor(secret) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data) {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

function denied(message) {
  return new S3Error('AccessDenied', message);
}

/** 20240115T093000Z → Date, or null. */
function amzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

/** The query string as sent, decoded once (not as a form: `+` is a plus). */
function parseQuery(raw) {
  const query = {};
  if (!raw) return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    const prior = query[name];
    query[name] = prior === undefined ? value : [].concat(prior, value);
  }
  return query;
}

function sameSignature(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Koa middleware: verifies SigV4 with `credentials`, refuses anything unsigned. */
module.exports = function requireSignature(credentials) {
  const signers = new Map();
  const signerFor = (region) => {
    let signer = signers.get(region);
    if (!signer) {
      signer = new SignatureV4({ service: 's3', region, credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
      signers.set(region, signer);
    }
    return signer;
  };

  return async function verifySignature(ctx, next) {
    // A CORS preflight carries no credentials, by the Fetch standard, and reaches no data.
    if (ctx.method === 'OPTIONS') return next();
    const url = ctx.req.url ?? '/';
    const at = url.indexOf('?');
    const path = at < 0 ? url : url.slice(0, at);
    let query;
    try {
      query = parseQuery(at < 0 ? '' : url.slice(at + 1));
    } catch {
      throw denied('Malformed query string');
    }
    const authorization = ctx.get('authorization');
    const presigned = query['X-Amz-Signature'] !== undefined;
    if (!authorization && !presigned) throw denied('This store accepts only requests signed by bucketql (AWS Signature Version 4)');
    if (authorization && presigned) throw denied('Only one authentication mechanism is allowed');
    const headerOf = (name) => {
      const value = ctx.req.headers[name];
      return Array.isArray(value) ? value.join(',') : value;
    };
    const now = Date.now();
    let accessKeyId;
    let region;
    let signedHeaders;
    let provided;
    let date;
    if (authorization) {
      const m = HEADER.exec(authorization);
      if (!m) throw denied('Only AWS Signature Version 4 is accepted');
      [, accessKeyId, , region, signedHeaders, provided] = m;
      date = amzDate(headerOf('x-amz-date'));
      if (!date || Math.abs(now - date.getTime()) > MAX_SKEW_MS)
        throw new S3Error('RequestTimeTooSkewed', 'The request time is too far from the server time');
    } else {
      const m = CREDENTIAL.exec(String(query['X-Amz-Credential'] ?? ''));
      if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256' || !m) throw denied('Only AWS Signature Version 4 is accepted');
      [, accessKeyId, , region] = m;
      signedHeaders = String(query['X-Amz-SignedHeaders'] ?? '');
      provided = query['X-Amz-Signature'];
      date = amzDate(String(query['X-Amz-Date'] ?? ''));
      const expires = Number(query['X-Amz-Expires']);
      if (!date || !Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) throw denied('Malformed presigned URL');
      if (now > date.getTime() + expires * 1000) throw denied('Request has expired');
      if (date.getTime() > now + MAX_SKEW_MS) throw denied('Request is not valid yet');
    }
    if (accessKeyId !== credentials.accessKeyId)
      throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    const names = signedHeaders.split(';');
    if (!names.includes('host')) throw denied('The host header must be signed');
    const headers = {};
    for (const name of names) {
      const value = headerOf(name);
      if (value === undefined) throw denied(`Signed header ${name} is missing`);
      headers[name] = value;
    }
    const request = { method: ctx.method, protocol: 'http:', hostname: '127.0.0.1', path, query, headers };
    let expected;
    if (authorization) {
      const signed = await signerFor(region).sign(request, { signingDate: date, signableHeaders: new Set(names) });
      expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)?.[1];
    } else {
      // Signed again as the presigner did: the payload hash travels as a header that is
      // hoisted into the query, the signature itself is left out.
      const { 'X-Amz-Signature': _signature, 'X-Amz-Content-Sha256': payload, ...rest } = query;
      const presignedRequest = { ...request, query: rest, headers: payload ? { ...headers, 'X-Amz-Content-Sha256': payload } : headers };
      const signed = await signerFor(region).presign(presignedRequest, {
        signingDate: date,
        expiresIn: Number(query['X-Amz-Expires']),
        signableHeaders: new Set(names),
      });
      expected = signed.query['X-Amz-SignedHeaders'] === signedHeaders ? signed.query['X-Amz-Signature'] : undefined;
    }
    if (!expected || !sameSignature(expected, provided)) {
      throw new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    return next();
  };
};
