// uploadFile over the GraphQL multipart request spec, and the request body limits:
// streamed to S3 (multipart for large files), content types, several files in one
// request, CSRF, BUCKETQL_MAX_UPLOAD_BYTES / BUCKETQL_MAX_BODY_BYTES, and a client
// that goes away mid-upload (no object, no multipart upload left behind).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Storage } from '../../src/storage/s3.js';
import { type GraphQLResponse, startTestApp, type TestApp, testStorage, uniqueBucket } from '../support/app.js';
import { generatedBytes, multipartFrame, PREFLIGHT, postForm, sendRaw, uploadForm } from '../support/multipart.js';
import { type OwnStore, startOwnStore } from '../support/own-store.js';
import { recordS3Commands, type SentCommand } from '../support/s3-spy.js';

const MiB = 1024 * 1024;

function codes(result: GraphQLResponse): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function storedBytes(storage: S3Storage, bucket: string, key: string): Promise<Buffer> {
  const { stream } = await storage.getObject({ bucket, key });
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* concat(...parts: (Buffer | AsyncIterable<Buffer>)[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if (Buffer.isBuffer(part)) yield part;
    else yield* part;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Files bucketql set aside in the temporary folder (parts read out of order) that were not there before. */
function setAsideSince(before: ReadonlySet<string>): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('bucketql-upload-') && !before.has(name));
}

function setAsideNow(): Set<string> {
  return new Set(setAsideSince(new Set()));
}

const UPLOAD =
  'mutation($b: String!, $k: String!, $f: File!, $t: String) { uploadFile(bucket: $b, key: $k, file: $f, contentType: $t) { bucket key size etag contentType } }';

describe('uploadFile', () => {
  let app: TestApp;
  let sent: SentCommand[];
  const bucket = uniqueBucket('upload');

  beforeAll(async () => {
    const storage = testStorage();
    sent = recordS3Commands(storage);
    app = await startTestApp({}, { storage });
    await app.storage.createBucket(bucket);
  });
  afterAll(() => app.close());

  it('uploads a small file and returns its fresh metadata', async () => {
    const text = 'id,name\n1,Kim\n';
    const form = uploadForm(UPLOAD, { b: bucket, k: 'small/people.csv' }, { f: new File([text], 'people.csv', { type: 'text/csv' }) });
    const { status, body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    const head = await app.storage.headObject({ bucket, key: 'small/people.csv' });
    expect(body.data?.uploadFile).toEqual({
      bucket,
      key: 'small/people.csv',
      size: text.length,
      etag: head?.etag,
      contentType: 'text/csv',
    });
    const read = await app.gql('query($b: String!) { object(bucket: $b, key: "small/people.csv") { content } }', { b: bucket });
    expect(read.data?.object.content).toEqual([{ id: 1, name: 'Kim' }]);
  });

  it('uploads an empty file', async () => {
    const form = uploadForm(UPLOAD, { b: bucket, k: 'small/empty.bin' }, { f: new File([], 'empty.bin') });
    const { body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(body.data?.uploadFile.size).toBe(0);
    expect((await app.storage.headObject({ bucket, key: 'small/empty.bin' }))?.size).toBe(0);
  });

  it('uploads a 30 MB file as a multipart upload, byte for byte (FormData + fetch)', async () => {
    const bytes = randomBytes(30 * MiB);
    const before = sent.length;
    const form = uploadForm(UPLOAD, { b: bucket, k: 'large/thirty.bin' }, { f: new File([bytes], 'thirty.bin') });
    const { body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(body.data?.uploadFile.size).toBe(bytes.length);
    const commands = sent.slice(before).map((c) => c.name);
    expect(commands).toContain('CreateMultipartUploadCommand');
    expect(commands).toContain('CompleteMultipartUploadCommand');
    expect(commands.filter((c) => c === 'UploadPartCommand').length).toBeGreaterThanOrEqual(2);
    expect(sha256(await storedBytes(app.storage, bucket, 'large/thirty.bin'))).toBe(sha256(bytes));
  }, 120_000);

  it('streams a 30 MB file sent with http.request (Content-Length, and chunked)', async () => {
    const length = 30 * MiB;
    const expected = createHash('sha256');
    for await (const chunk of generatedBytes(length)) expected.update(chunk);
    const digest = expected.digest('hex');
    for (const [key, declare] of [
      ['large/streamed-length.bin', true],
      ['large/streamed-chunked.bin', false],
    ] as const) {
      const frame = multipartFrame(UPLOAD, { b: bucket, k: key }, [
        { variable: 'f', filename: 'streamed.bin', type: 'application/octet-stream' },
      ]);
      const total = frame.head.length + frame.partHeader(0).length + length + frame.partEnd.length + frame.tail.length;
      const result = await sendRaw(
        app.url,
        { headers: { ...PREFLIGHT, 'content-type': frame.contentType }, ...(declare ? { contentLength: total } : {}) },
        concat(frame.head, frame.partHeader(0), generatedBytes(length), frame.partEnd, frame.tail),
      );
      expect(result.body.errors, key).toBeUndefined();
      expect(result.body.data?.uploadFile.size).toBe(length);
      expect(result.bodySent).toBe(true);
      expect(sha256(await storedBytes(app.storage, bucket, key))).toBe(digest);
    }
  }, 120_000);

  it('keeps Korean keys and file names', async () => {
    const key = '업로드/한글 파일 이름 (최종).txt';
    const text = '안녕하세요, 세계!\n';
    const form = uploadForm(UPLOAD, { b: bucket, k: key }, { f: new File([text], '한글 이름.txt', { type: 'text/plain; charset=utf-8' }) });
    const { body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(body.data?.uploadFile.key).toBe(key);
    const read = await app.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { name text } }', { b: bucket, k: key });
    expect(read.data?.object).toEqual({ name: '한글 파일 이름 (최종).txt', text });
  });

  describe('content type', () => {
    async function uploadedType(key: string, file: File, contentType?: string): Promise<string | null> {
      const { body } = await postForm(app.url, uploadForm(UPLOAD, { b: bucket, k: key, t: contentType }, { f: file }));
      expect(body.errors).toBeUndefined();
      const head = await app.storage.headObject({ bucket, key });
      expect(body.data?.uploadFile.contentType).toBe(head?.contentType);
      return head?.contentType ?? null;
    }

    it('from the argument first', async () => {
      expect(await uploadedType('types/arg.csv', new File(['a'], 'x.txt', { type: 'text/plain' }), 'application/x-custom')).toBe(
        'application/x-custom',
      );
    });

    it('then from the file part', async () => {
      expect(await uploadedType('types/part.dat', new File(['a'], 'x.png', { type: 'image/png' }))).toBe('image/png');
    });

    it('then from the key’s extension', async () => {
      expect(await uploadedType('types/ext.csv', new File(['a'], 'x'))).toBe('text/csv; charset=utf-8');
      expect(await uploadedType('types/ext.json', new File(['{}'], 'x'))).toBe('application/json');
      expect(await uploadedType('types/ext.csv.gz', new File(['a'], 'x'))).toBe('application/gzip');
      expect(await uploadedType('types/ext.unknownext', new File(['a'], 'x'))).toBe('application/octet-stream');
    });
  });

  it('takes two files in one request (two mutation fields)', async () => {
    const query = `mutation($b: String!, $one: File!, $two: File!) {
      a: uploadFile(bucket: $b, key: "two/one.txt", file: $one) { key size }
      b: uploadFile(bucket: $b, key: "two/two.txt", file: $two) { key size }
    }`;
    const form = uploadForm(query, { b: bucket }, { one: new File(['first'], 'one.txt'), two: new File(['second!'], 'two.txt') });
    const { body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: { key: 'two/one.txt', size: 5 }, b: { key: 'two/two.txt', size: 7 } });
    expect((await storedBytes(app.storage, bucket, 'two/one.txt')).toString()).toBe('first');
    expect((await storedBytes(app.storage, bucket, 'two/two.txt')).toString()).toBe('second!');
  });

  it('takes two large files whose parts come in the other order than the fields that read them', async () => {
    const first = randomBytes(6 * MiB);
    const second = randomBytes(6 * MiB);
    const query = `mutation($b: String!, $one: File!, $two: File!) {
      a: uploadFile(bucket: $b, key: "two/big-one.bin", file: $one) { size }
      b: uploadFile(bucket: $b, key: "two/big-two.bin", file: $two) { size }
    }`;
    // `two` is mapped (and sent) first, but field `a`, which runs first, reads `one`.
    const form = uploadForm(query, { b: bucket }, { two: new File([second], 'two.bin'), one: new File([first], 'one.bin') });
    const { body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: { size: first.length }, b: { size: second.length } });
    expect(sha256(await storedBytes(app.storage, bucket, 'two/big-one.bin'))).toBe(sha256(first));
    expect(sha256(await storedBytes(app.storage, bucket, 'two/big-two.bin'))).toBe(sha256(second));
  }, 60_000);

  it('takes a request whose first file part no field reads', async () => {
    const before = setAsideNow();
    const bytes = randomBytes(6 * MiB);
    const query = 'mutation($b: String!, $f: File!) { uploadFile(bucket: $b, key: "two/used.bin", file: $f) { size } }';
    const form = uploadForm(
      query,
      { b: bucket },
      { unused: new File([randomBytes(6 * MiB)], 'unused.bin'), f: new File([bytes], 'used.bin') },
    );
    const { body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(body.data?.uploadFile.size).toBe(bytes.length);
    expect(sha256(await storedBytes(app.storage, bucket, 'two/used.bin'))).toBe(sha256(bytes));
    // What was set aside on disk on the way is gone.
    expect(await waitFor(() => setAsideSince(before).length === 0, 5000)).toBe(true);
  }, 60_000);

  it('refuses a multipart request without a CSRF header (400 BAD_USER_INPUT)', async () => {
    const before = sent.length;
    const form = uploadForm(UPLOAD, { b: bucket, k: 'csrf/x.txt' }, { f: new File(['x'], 'x.txt') });
    const { status, body } = await postForm(app.url, form, {});
    expect(status).toBe(400);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(sent.slice(before)).toEqual([]);
    expect(await app.storage.headObject({ bucket, key: 'csrf/x.txt' })).toBeNull();
  });

  it('refuses a file part that is missing (BAD_USER_INPUT) and writes nothing', async () => {
    const frame = multipartFrame(UPLOAD, { b: bucket, k: 'missing/x.txt' }, [{ variable: 'f', filename: 'x.txt', type: 'text/plain' }]);
    const result = await sendRaw(app.url, { headers: { ...PREFLIGHT, 'content-type': frame.contentType } }, concat(frame.head, frame.tail));
    expect(codes(result.body)).toEqual(['BAD_USER_INPUT']);
    expect(await app.storage.headObject({ bucket, key: 'missing/x.txt' })).toBeNull();
  });

  it('an upload to a bucket that does not exist is NOT_FOUND, and the whole request is still read', async () => {
    const length = 20 * MiB;
    const frame = multipartFrame(UPLOAD, { b: uniqueBucket('no-such'), k: 'x.bin' }, [
      { variable: 'f', filename: 'x.bin', type: 'application/octet-stream' },
    ]);
    const total = frame.head.length + frame.partHeader(0).length + length + frame.partEnd.length + frame.tail.length;
    const result = await sendRaw(
      app.url,
      { headers: { ...PREFLIGHT, 'content-type': frame.contentType }, contentLength: total },
      concat(frame.head, frame.partHeader(0), generatedBytes(length), frame.partEnd, frame.tail),
    );
    expect(codes(result.body)).toEqual(['NOT_FOUND']);
    // The server read the rest of the body instead of leaving the client stuck writing it.
    expect(await waitFor(() => result.bodySent || false, 10_000)).toBe(true);
    const after = await app.gql('{ buckets { name } }');
    expect(after.errors).toBeUndefined();
  }, 60_000);
});

describe('request body limits', () => {
  let app: TestApp;
  let sent: SentCommand[];
  const bucket = uniqueBucket('limits');

  beforeAll(async () => {
    const storage = testStorage();
    sent = recordS3Commands(storage);
    app = await startTestApp({ BUCKETQL_MAX_UPLOAD_BYTES: '1MiB', BUCKETQL_MAX_BODY_BYTES: '64KiB' }, { storage });
    await app.storage.createBucket(bucket);
  });
  afterAll(() => app.close());

  it('a multipart request whose Content-Length is above BUCKETQL_MAX_UPLOAD_BYTES: HTTP 413 PAYLOAD_TOO_LARGE before GraphQL runs', async () => {
    const before = sent.length;
    const form = uploadForm(UPLOAD, { b: bucket, k: 'big/declared.bin' }, { f: new File([randomBytes(2 * MiB)], 'big.bin') });
    const { status, body } = await postForm(app.url, form);
    expect(status).toBe(413);
    expect(codes(body)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(body.errors?.[0]?.message).toContain(String(MiB));
    expect(sent.slice(before)).toEqual([]);
    expect(await app.storage.headObject({ bucket, key: 'big/declared.bin' })).toBeNull();
  });

  it('a chunked multipart request (no Content-Length) that grows past the limit: PAYLOAD_TOO_LARGE, and no object', async () => {
    const frame = multipartFrame(UPLOAD, { b: bucket, k: 'big/chunked.bin' }, [
      { variable: 'f', filename: 'big.bin', type: 'application/octet-stream' },
    ]);
    const result = await sendRaw(
      app.url,
      { headers: { ...PREFLIGHT, 'content-type': frame.contentType } },
      concat(frame.head, frame.partHeader(0), generatedBytes(3 * MiB, 64 * 1024), frame.partEnd, frame.tail),
    );
    expect(codes(result.body)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(await app.storage.headObject({ bucket, key: 'big/chunked.bin' })).toBeNull();
  });

  it('the limit is on the whole request: two chunked files each under it, together over it', async () => {
    const query = `mutation($b: String!, $one: File!, $two: File!) {
      a: uploadFile(bucket: $b, key: "big/one.bin", file: $one) { size }
      b: uploadFile(bucket: $b, key: "big/two.bin", file: $two) { size }
    }`;
    const frame = multipartFrame(query, { b: bucket }, [
      { variable: 'one', filename: 'one.bin', type: 'application/octet-stream' },
      { variable: 'two', filename: 'two.bin', type: 'application/octet-stream' },
    ]);
    const size = 700 * 1024;
    const result = await sendRaw(
      app.url,
      { headers: { ...PREFLIGHT, 'content-type': frame.contentType } },
      concat(
        frame.head,
        frame.partHeader(0),
        generatedBytes(size, 64 * 1024),
        frame.partEnd,
        frame.partHeader(1),
        generatedBytes(size, 64 * 1024),
        frame.partEnd,
        frame.tail,
      ),
    );
    expect(codes(result.body)).toContain('PAYLOAD_TOO_LARGE');
    expect(await app.storage.headObject({ bucket, key: 'big/two.bin' })).toBeNull();
  });

  it('a multipart request under the limit works', async () => {
    const form = uploadForm(UPLOAD, { b: bucket, k: 'big/fits.bin' }, { f: new File([randomBytes(512 * 1024)], 'fits.bin') });
    const { status, body } = await postForm(app.url, form);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data?.uploadFile.size).toBe(512 * 1024);
  });

  it('a JSON body above BUCKETQL_MAX_BODY_BYTES: HTTP 413 PAYLOAD_TOO_LARGE, and nothing written', async () => {
    const query = 'mutation($b: String!, $c: JSON!) { putObject(bucket: $b, key: "big/body.txt", content: $c) { size } }';
    const body = JSON.stringify({ query, variables: { b: bucket, c: 'x'.repeat(100 * 1024) } });
    const declared = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(declared.status).toBe(413);
    expect(codes((await declared.json()) as GraphQLResponse)).toEqual(['PAYLOAD_TOO_LARGE']);

    const chunked = await sendRaw(
      app.url,
      { headers: { 'content-type': 'application/json' } },
      generatedChunks(Buffer.from(body), 8 * 1024),
    );
    expect(chunked.status).toBe(413);
    expect(codes(chunked.body)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(await app.storage.headObject({ bucket, key: 'big/body.txt' })).toBeNull();

    const small = await app.gql(query, { b: bucket, c: 'x'.repeat(1024) });
    expect(small.errors).toBeUndefined();
  });
});

async function* generatedChunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('a client that disconnects mid-upload', () => {
  // A store of our own, so that its data folder can be looked at.
  let store: OwnStore;
  let app: TestApp;
  let sent: SentCommand[];
  const bucket = uniqueBucket('disconnect');

  beforeAll(async () => {
    store = await startOwnStore('disconnect');
    const storage = store.storage();
    sent = recordS3Commands(storage);
    app = await startTestApp({}, { storage });
    await app.storage.createBucket(bucket);
  });
  afterAll(async () => {
    await app.close();
    await store.stop();
  });

  /** Sends the head and `written` bytes of a file declared as `declared` bytes long, then cuts the connection. */
  function uploadAndDisconnect(key: string, written: number, declared: number): Promise<void> {
    const frame = multipartFrame(UPLOAD, { b: bucket, k: key }, [{ variable: 'f', filename: 'cut.bin', type: 'application/octet-stream' }]);
    const total = frame.head.length + frame.partHeader(0).length + declared + frame.partEnd.length + frame.tail.length;
    return new Promise((resolve, reject) => {
      const req = request(`${app.url}/graphql`, {
        method: 'POST',
        headers: { ...PREFLIGHT, 'content-type': frame.contentType, 'content-length': String(total) },
      });
      req.on('error', () => undefined);
      req.on('response', () => reject(new Error('the server answered an unfinished upload')));
      (async () => {
        for await (const chunk of concat(frame.head, frame.partHeader(0), generatedBytes(written))) {
          if (!req.write(chunk)) await new Promise((done) => req.once('drain', done));
        }
        // Give the server time to start the multipart upload with what it has.
        await new Promise((done) => setTimeout(done, 1500));
        req.destroy();
        resolve();
      })().catch(reject);
    });
  }

  it('leaves no object, aborts its multipart upload, and the server keeps serving', async () => {
    const key = 'cut/half.bin';
    await uploadAndDisconnect(key, 20 * MiB, 50 * MiB);
    const uploadIds = () => sent.filter((c) => c.name === 'AbortMultipartUploadCommand').map((c) => c.input.UploadId);
    // It got far enough to start a multipart upload, which bucketql must abort.
    expect(await waitFor(() => sent.some((c) => c.name === 'CreateMultipartUploadCommand'))).toBe(true);
    expect(await waitFor(() => uploadIds().length > 0)).toBe(true);
    expect(sent.filter((c) => c.name === 'CompleteMultipartUploadCommand')).toEqual([]);
    expect(await app.storage.headObject({ bucket, key })).toBeNull();

    const served = await app.gql('query($b: String!) { bucket(name: $b) { objects { edges { node { key } } } } }', { b: bucket });
    expect(served).toEqual({ data: { bucket: { objects: { edges: [] } } } });
    const form = uploadForm(UPLOAD, { b: bucket, k: 'cut/after.txt' }, { f: new File(['still here'], 'after.txt') });
    expect((await postForm(app.url, form)).body.data?.uploadFile.size).toBe(10);
  }, 60_000);

  it('leaves nothing when it disconnects before the first part was sent to S3', async () => {
    const before = sent.length;
    await uploadAndDisconnect('cut/early.bin', 2 * MiB, 50 * MiB);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sent.slice(before).map((c) => c.name)).not.toContain('PutObjectCommand');
    expect(sent.slice(before).map((c) => c.name)).not.toContain('CreateMultipartUploadCommand');
    expect(await app.storage.headObject({ bucket, key: 'cut/early.bin' })).toBeNull();
  }, 60_000);

  it('leaves no temporary file behind when a part was set aside', async () => {
    // Field `a` reads `one`, but the client sends `two` first, then goes away.
    const query = `mutation($b: String!, $one: File!, $two: File!) {
      a: uploadFile(bucket: $b, key: "cut/one.bin", file: $one) { size }
      b: uploadFile(bucket: $b, key: "cut/two.bin", file: $two) { size }
    }`;
    const frame = multipartFrame(query, { b: bucket }, [
      { variable: 'two', filename: 'two.bin', type: 'application/octet-stream' },
      { variable: 'one', filename: 'one.bin', type: 'application/octet-stream' },
    ]);
    const before = setAsideNow();
    const spilled = () => setAsideSince(before);
    await new Promise<void>((resolve) => {
      const req = request(`${app.url}/graphql`, {
        method: 'POST',
        headers: { ...PREFLIGHT, 'content-type': frame.contentType, 'content-length': String(100 * MiB) },
      });
      req.on('error', () => undefined);
      (async () => {
        for await (const chunk of concat(
          frame.head,
          frame.partHeader(0),
          generatedBytes(6 * MiB),
          frame.partEnd,
          frame.partHeader(1),
          generatedBytes(MiB),
        )) {
          if (!req.write(chunk)) await new Promise((done) => req.once('drain', done));
        }
        // The first part is on disk by now.
        await waitFor(() => spilled().length > 0, 5000);
        req.destroy();
        resolve();
      })();
    });
    expect(await waitFor(() => spilled().length === 0, 10_000)).toBe(true);
    expect(await app.storage.headObject({ bucket, key: 'cut/one.bin' })).toBeNull();
    expect(await app.storage.headObject({ bucket, key: 'cut/two.bin' })).toBeNull();
  }, 60_000);

  it('leaves no multipart upload in the store', async (context) => {
    const key = 'cut/again.bin';
    const aborts = sent.filter((c) => c.name === 'AbortMultipartUploadCommand').length;
    await uploadAndDisconnect(key, 20 * MiB, 50 * MiB);
    await waitFor(() => sent.filter((c) => c.name === 'AbortMultipartUploadCommand').length > aborts);
    let listed: string[] | null = null;
    try {
      const out = await app.storage.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      listed = (out.Uploads ?? []).map((u) => u.UploadId ?? '');
    } catch (error) {
      // s3rver 3.7.1 answers NotImplemented: look at its data folder instead.
      expect((error as { name?: string }).name).toBe('NotImplemented');
    }
    if (listed) {
      expect(listed).toEqual([]);
      return;
    }
    const uploadsDir = join(store.directory, bucket, '._S3rver_uploads');
    const left = existsSync(uploadsDir) ? readdirSync(uploadsDir) : [];
    if (left.length > 0 && !(await storeCanAbortMultipartUploads(app.storage, bucket))) {
      // bucketql sent AbortMultipartUpload for each of them (checked above and here);
      // s3rver 3.7.1 answers it MethodNotAllowed and keeps the parts.
      const aborted = new Set(sent.filter((c) => c.name === 'AbortMultipartUploadCommand').map((c) => c.input.UploadId));
      expect(left.filter((id) => !aborted.has(id))).toEqual([]);
      context.skip('s3rver 3.7.1 does not implement AbortMultipartUpload: the parts of the aborted upload stay in its data folder');
    }
    expect(left).toEqual([]);
  }, 60_000);
});

/** True when the store really removes an aborted multipart upload (s3rver 3.7.1 answers MethodNotAllowed). */
async function storeCanAbortMultipartUploads(storage: S3Storage, bucket: string): Promise<boolean> {
  const created = await storage.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'probe/abort.bin' }));
  try {
    await storage.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'probe/abort.bin', UploadId: created.UploadId }));
    return true;
  } catch {
    return false;
  }
}
