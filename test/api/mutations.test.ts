// The write path through GraphQL over HTTP, as the contract states it ("Writing"):
// buckets, putObject by extension, conditional writes, fresh metadata, copies,
// deletes, presigned uploads, and the read-only and allow-list settings.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../src/loaders/index.js';
import { type GraphQLResponse, startTestApp, type TestApp, testStorage, uniqueBucket } from '../support/app.js';
import { postForm, uploadForm } from '../support/multipart.js';
import { recordS3Commands, type SentCommand } from '../support/s3-spy.js';

function codes(result: GraphQLResponse): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

function md5(text: string | Buffer): string {
  return createHash('md5').update(text).digest('hex');
}

async function storedBytes(app: TestApp, bucket: string, key: string): Promise<Buffer> {
  const { stream } = await app.storage.getObject({ bucket, key });
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const PUT = `mutation($b: String!, $k: String!, $c: JSON!, $t: String, $m: String, $n: String) {
  putObject(bucket: $b, key: $k, content: $c, contentType: $t, ifMatch: $m, ifNoneMatch: $n) {
    bucket key size etag contentType format compression
  }
}`;

interface PutOptions {
  contentType?: string;
  ifMatch?: string;
  ifNoneMatch?: string;
}

function putObject(app: TestApp, bucket: string, key: string, content: unknown, options: PutOptions = {}) {
  return app.gql(PUT, { b: bucket, k: key, c: content, t: options.contentType, m: options.ifMatch, n: options.ifNoneMatch });
}

/** `fields` of the object, read back through bucketql. */
async function readBack(app: TestApp, bucket: string, key: string, fields: string) {
  const result = await app.gql(`query($b: String!, $k: String!) { object(bucket: $b, key: $k) { ${fields} } }`, { b: bucket, k: key });
  expect(result.errors).toBeUndefined();
  return result.data?.object;
}

const TABLE = 'table { columns { name type } rowCount rows(first: 100) { edges { node { values } } } }';

function tableValues(object: { table: { rows: { edges: { node: { values: unknown } }[] } } }): unknown[] {
  return object.table.rows.edges.map((e) => e.node.values);
}

describe('createBucket', () => {
  let app: TestApp;
  let sent: SentCommand[];

  beforeAll(async () => {
    const storage = testStorage();
    sent = recordS3Commands(storage);
    app = await startTestApp({}, { storage });
  });
  afterAll(() => app.close());

  const CREATE = 'mutation($n: String!) { createBucket(name: $n) { name createdAt objects { edges { node { key } } } } }';

  it('creates a bucket and returns it', async () => {
    const name = uniqueBucket('create');
    const result = await app.gql(CREATE, { n: name });
    expect(result.errors).toBeUndefined();
    expect(result.data?.createBucket).toMatchObject({ name, objects: { edges: [] } });
    expect(await app.storage.bucketExists(name)).toBe(true);
    const listed = await app.gql('{ buckets { name } }');
    expect(listed.data?.buckets.map((b: { name: string }) => b.name)).toContain(name);
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(64)],
    ['upper case', 'My-Bucket'],
    ['two dots', 'my..bucket'],
    ['a dot next to a hyphen', 'my.-bucket'],
    ['like an IP address', '192.168.5.4'],
    ['the xn-- prefix', 'xn--bucket'],
    ['a leading hyphen', '-bucket'],
    ['an underscore', 'my_bucket'],
  ])('refuses a name %s (BAD_USER_INPUT) before calling S3', async (_, name) => {
    const before = sent.length;
    const result = await app.gql(CREATE, { n: name });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toContain(JSON.stringify(name));
    expect(sent.slice(before)).toEqual([]);
  });

  it('accepts names at the length limits', async () => {
    for (const name of [`b${uniqueBucket('').slice(1, 3)}`, `${uniqueBucket('long')}${'x'.repeat(63 - 13)}`]) {
      expect(name.length === 3 || name.length === 63).toBe(true);
      const result = await app.gql(CREATE, { n: name });
      expect(result.errors).toBeUndefined();
    }
  });

  it('refuses an existing bucket (BAD_USER_INPUT)', async () => {
    const name = uniqueBucket('exists');
    await app.storage.createBucket(name);
    const result = await app.gql(CREATE, { n: name });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toMatch(/already exists/);
  });
});

describe('putObject', () => {
  let app: TestApp;
  const bucket = uniqueBucket('put');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
  });
  afterAll(() => app.close());

  describe('encodes by the key’s extension', () => {
    it('.json: any JSON value', async () => {
      // Not null: `content: JSON!` cannot carry a JSON null (GraphQL refuses it as a missing argument).
      const values = [
        { a: 1, nested: { list: [1, 'two', null, true] }, 한글: '값' },
        [1, 2, 3],
        [],
        {},
        'a string',
        '',
        42,
        -1.5e-7,
        true,
        false,
      ];
      for (const [i, value] of values.entries()) {
        const key = `values/v${i}.json`;
        const result = await putObject(app, bucket, key, value);
        expect(result.errors).toBeUndefined();
        expect(result.data?.putObject).toMatchObject({ key, format: 'JSON', compression: 'NONE', contentType: 'application/json' });
        const object = await readBack(app, bucket, key, 'json content');
        expect(object).toEqual({ json: value, content: value });
        expect(JSON.parse((await storedBytes(app, bucket, key)).toString('utf8'))).toEqual(value);
      }
    });

    it('.ndjson and .jsonl: an array, one value a line', async () => {
      const rows = [{ id: 1, name: 'Kim' }, { id: 2, name: '이', extra: [1] }, 'not an object', 3, null];
      for (const key of ['lines.ndjson', 'lines.jsonl']) {
        const result = await putObject(app, bucket, key, rows);
        expect(result.errors).toBeUndefined();
        expect(result.data?.putObject.format).toBe('NDJSON');
        const text = (await storedBytes(app, bucket, key)).toString('utf8');
        expect(
          text
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line)),
        ).toEqual(rows);
        expect(text.trimEnd().split('\n')).toHaveLength(rows.length);
        expect((await readBack(app, bucket, key, 'json')).json).toEqual(rows);
      }
      const table = await putObject(app, bucket, 'table.ndjson', [
        { id: 1, name: 'Kim' },
        { id: 2, city: '서울' },
      ]);
      expect(table.errors).toBeUndefined();
      const object = await readBack(app, bucket, 'table.ndjson', TABLE);
      expect(object.table.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'name', 'city']);
      expect(tableValues(object)).toEqual([
        { id: 1, name: 'Kim', city: null },
        { id: 2, name: null, city: '서울' },
      ]);
    });

    it.each([
      ['an object', { a: 1 }],
      ['a string', 'a line'],
      ['a number', 7],
    ])('.ndjson: %s is BAD_USER_INPUT', async (_, content) => {
      const result = await putObject(app, bucket, 'not-array.ndjson', content);
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(await app.storage.headObject({ bucket, key: 'not-array.ndjson' })).toBeNull();
    });

    it('.csv from an array of row objects: the header is the union of keys in first-seen order', async () => {
      const rows = [
        { b: 'x', a: 1 },
        { a: 2, c: true },
        { d: 1.5, b: 'y' },
      ];
      const result = await putObject(app, bucket, 'rows.csv', rows);
      expect(result.errors).toBeUndefined();
      expect(result.data?.putObject).toMatchObject({ format: 'CSV', contentType: 'text/csv; charset=utf-8' });
      const text = (await storedBytes(app, bucket, 'rows.csv')).toString('utf8');
      expect(text.split(/\r?\n/)[0]).toBe('b,a,c,d');
      const object = await readBack(app, bucket, 'rows.csv', `content ${TABLE}`);
      expect(object.table.columns).toEqual([
        { name: 'b', type: 'STRING' },
        { name: 'a', type: 'INT' },
        { name: 'c', type: 'BOOLEAN' },
        { name: 'd', type: 'FLOAT' },
      ]);
      const expected = [
        { b: 'x', a: 1, c: null, d: null },
        { b: null, a: 2, c: true, d: null },
        { b: 'y', a: null, c: null, d: 1.5 },
      ];
      expect(tableValues(object)).toEqual(expected);
      expect(object.content).toEqual(expected);
    });

    it('.csv from row objects whose keys are named like Object.prototype members', async () => {
      const rows = JSON.parse('[{"constructor": "c", "id": 1}, {"id": 2, "toString": "t"}, {"__proto__": "p", "valueOf": 5}]');
      const result = await putObject(app, bucket, 'prototype-names.csv', rows);
      expect(result.errors).toBeUndefined();
      const text = (await storedBytes(app, bucket, 'prototype-names.csv')).toString('utf8');
      expect(text.split(/\r?\n/)).toEqual(['constructor,id,toString,__proto__,valueOf', 'c,1,,,', ',2,t,,', ',,,p,5', '']);
      const object = await readBack(app, bucket, 'prototype-names.csv', 'table { rows { edges { node { cells } } } }');
      expect(object.table.rows.edges.map((e: { node: { cells: unknown[] } }) => e.node.cells)).toEqual([
        ['c', 1, null, null, null],
        [null, 2, 't', null, null],
        [null, null, null, 'p', 5],
      ]);
    });

    it('.csv from { columns, rows }', async () => {
      const content = {
        columns: ['id', 'name', 'joined'],
        rows: [
          [1, 'Kim', '2024-01-15'],
          [2, '이영희', '2024-02-01T09:30:00+09:00'],
          [3, null],
        ],
      };
      const result = await putObject(app, bucket, 'columns.csv', content);
      expect(result.errors).toBeUndefined();
      const object = await readBack(app, bucket, 'columns.csv', TABLE);
      expect(object.table.columns.map((c: { type: string }) => c.type)).toEqual(['INT', 'STRING', 'DATETIME']);
      expect(tableValues(object)).toEqual([
        { id: 1, name: 'Kim', joined: '2024-01-15T00:00:00.000Z' },
        { id: 2, name: '이영희', joined: '2024-02-01T00:30:00.000Z' },
        { id: 3, name: null, joined: null },
      ]);
    });

    it('.csv quotes commas, quotes and line breaks (RFC 4180) and reads them back', async () => {
      const tricky = ['a,b', 'say "hi"', 'line 1\nline 2', 'crlf\r\ninside', ' padded ', '"', ',', '쉼표, 따옴표 "와" 줄\n바꿈'];
      const rows = tricky.map((value, i) => ({ i, value }));
      const result = await putObject(app, bucket, 'quoted.csv', rows);
      expect(result.errors).toBeUndefined();
      const text = (await storedBytes(app, bucket, 'quoted.csv')).toString('utf8');
      expect(text).toContain('"a,b"');
      expect(text).toContain('"say ""hi"""');
      expect(text).toContain('"line 1\nline 2"');
      const object = await readBack(app, bucket, 'quoted.csv', `content ${TABLE}`);
      expect(object.table.rowCount).toBe(tricky.length);
      expect(tableValues(object)).toEqual(rows);
      expect(object.content).toEqual(rows);
    });

    it.each(['lone.csv', 'lone.tsv', 'lone.xlsx', 'lone.csv.gz'])(
      '%s: a cell UTF-8 cannot hold (an unpaired surrogate) is BAD_USER_INPUT',
      async (key) => {
        for (const content of [[{ a: 'x\uD800y' }], { columns: ['\uDC00'], rows: [['ok']] }]) {
          const result = await putObject(app, bucket, key, content);
          expect(codes(result)).toEqual(['BAD_USER_INPUT']);
        }
        expect(await app.storage.headObject({ bucket, key })).toBeNull();
      },
    );

    it('.tsv from rows and from { columns, rows }', async () => {
      const rows = [
        { name: 'tab\tinside', n: 1 },
        { name: 'plain', n: 2 },
      ];
      expect((await putObject(app, bucket, 'rows.tsv', rows)).errors).toBeUndefined();
      const text = (await storedBytes(app, bucket, 'rows.tsv')).toString('utf8');
      expect(text.split(/\r?\n/)[0]).toBe('name\tn');
      expect(text).toContain('"tab\tinside"\t1');
      const object = await readBack(app, bucket, 'rows.tsv', `format ${TABLE}`);
      expect(object.format).toBe('TSV');
      expect(tableValues(object)).toEqual(rows);

      expect((await putObject(app, bucket, 'columns.tsv', { columns: ['x', 'y'], rows: [[1, 'a,b']] })).errors).toBeUndefined();
      expect(tableValues(await readBack(app, bucket, 'columns.tsv', TABLE))).toEqual([{ x: 1, y: 'a,b' }]);
    });

    it.each([
      ['a string', 'a,b\n1,2'],
      ['an array of non-objects', [[1, 2]]],
      ['an object without columns/rows', { a: 1 }],
      ['a row longer than the columns', { columns: ['a'], rows: [[1, 2]] }],
      ['a row that is not an array', { columns: ['a'], rows: [{ a: 1 }] }],
      ['a column name that is not a string', { columns: [1], rows: [] }],
      ['an unexpected field', { columns: ['a'], rows: [], sheet: 'x' }],
    ])('.csv: %s is BAD_USER_INPUT', async (_, content) => {
      const result = await putObject(app, bucket, 'bad.csv', content);
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(await app.storage.headObject({ bucket, key: 'bad.csv' })).toBeNull();
    });

    it('.xlsx from row objects and from { columns, rows }', async () => {
      const rows = [
        { id: 1, name: 'Kim, Min-su', score: 91.5, active: true },
        { id: 2, name: '이영희', score: null, active: false, joined: '2024-01-15' },
      ];
      const result = await putObject(app, bucket, 'rows.xlsx', rows);
      expect(result.errors).toBeUndefined();
      expect(result.data?.putObject).toMatchObject({
        format: 'XLSX',
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      });
      expect((await storedBytes(app, bucket, 'rows.xlsx')).subarray(0, 2).toString('latin1')).toBe('PK');
      const object = await readBack(app, bucket, 'rows.xlsx', `table { sheets columns { name type } rows { edges { node { values } } } }`);
      expect(object.table.sheets).toHaveLength(1);
      expect(object.table.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'name', 'score', 'active', 'joined']);
      expect(object.table.rows.edges.map((e: { node: { values: unknown } }) => e.node.values)).toEqual([
        { id: 1, name: 'Kim, Min-su', score: 91.5, active: true, joined: null },
        { id: 2, name: '이영희', score: null, active: false, joined: '2024-01-15T00:00:00.000Z' },
      ]);

      const columns = await putObject(app, bucket, 'columns.xlsx', {
        columns: ['x', '한글'],
        rows: [
          [1, 'a'],
          [2.5, null],
        ],
      });
      expect(columns.errors).toBeUndefined();
      expect((await readBack(app, bucket, 'columns.xlsx', 'content')).content).toEqual([
        { x: 1, 한글: 'a' },
        { x: 2.5, 한글: null },
      ]);
    });

    it.each([
      ['a string', 'a,b'],
      ['an array of non-objects', [1, 2]],
      ['an object without columns/rows', { a: 1 }],
    ])('.xlsx: %s is BAD_USER_INPUT', async (_, content) => {
      const result = await putObject(app, bucket, 'bad.xlsx', content);
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(await app.storage.headObject({ bucket, key: 'bad.xlsx' })).toBeNull();
    });

    it('.pkl and .pickle: any JSON value, read back as written', async () => {
      const values = [{ a: 1, nested: { list: [1, 'two', null, true] }, 한글: '값' }, [1, 2.5, 'x'], 'a string', 42, -1.5, true];
      for (const [i, value] of values.entries()) {
        for (const key of [`values/p${i}.pkl`, `values/p${i}.pickle`]) {
          const result = await putObject(app, bucket, key, value);
          expect(result.errors).toBeUndefined();
          expect(result.data?.putObject.format).toBe('PICKLE');
          expect(await readBack(app, bucket, key, 'json content')).toEqual({ json: value, content: value });
        }
      }
      const rows = [
        { id: 1, name: 'Kim' },
        { id: 2, name: '이영희' },
      ];
      expect((await putObject(app, bucket, 'rows.pkl', rows)).errors).toBeUndefined();
      expect(tableValues(await readBack(app, bucket, 'rows.pkl', TABLE))).toEqual(rows);
    });

    it('other extensions: a string, stored as UTF-8 text', async () => {
      for (const key of ['notes.txt', 'README.md', 'data.unknownext', 'no-extension', 'dir/page.html']) {
        const text = `# 제목\nline two — ${key}\n`;
        const result = await putObject(app, bucket, key, text);
        expect(result.errors).toBeUndefined();
        expect((await storedBytes(app, bucket, key)).equals(Buffer.from(text, 'utf8'))).toBe(true);
        expect(await readBack(app, bucket, key, 'format text content')).toEqual({ format: 'TEXT', text, content: text });
      }
    });

    it.each([
      ['a number', 5],
      ['an object', { text: 'x' }],
      ['an array', ['x']],
      ['null', null],
    ])('text: %s is BAD_USER_INPUT', async (_, content) => {
      const result = await putObject(app, bucket, 'bad.txt', content);
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(await app.storage.headObject({ bucket, key: 'bad.txt' })).toBeNull();
    });

    it('.gz compresses around each, and reads back decompressed', async () => {
      const rows = [
        { id: 1, name: 'Kim, Min-su' },
        { id: 2, name: '이 "영희"' },
      ];
      const cases: [string, unknown, string, unknown][] = [
        ['v.json.gz', { a: [1, 2], b: '한글' }, 'json content', { json: { a: [1, 2], b: '한글' }, content: { a: [1, 2], b: '한글' } }],
        ['v.ndjson.gz', rows, 'json content', { json: rows, content: rows }],
        ['v.jsonl.gz', rows, 'json', { json: rows }],
        ['v.csv.gz', rows, 'content', { content: rows }],
        ['v.tsv.gz', rows, 'content', { content: rows }],
        ['v.txt.gz', '압축된 text\n', 'text content', { text: '압축된 text\n', content: '압축된 text\n' }],
        ['v.xlsx.gz', rows, 'content', { content: rows }],
        ['v.pkl.gz', { a: [1, 2], b: '한글' }, 'json', { json: { a: [1, 2], b: '한글' } }],
      ];
      for (const [key, content, fields, expected] of cases) {
        const result = await putObject(app, bucket, key, content);
        expect(result.errors, key).toBeUndefined();
        expect(result.data?.putObject.compression).toBe('GZIP');
        const stored = await storedBytes(app, bucket, key);
        expect([stored[0], stored[1]]).toEqual([0x1f, 0x8b]);
        expect(gunzipSync(stored).length).toBeGreaterThan(0);
        expect(await readBack(app, bucket, key, fields), key).toEqual(expected);
      }
      const table = await readBack(app, bucket, 'v.csv.gz', `format compression ${TABLE}`);
      expect(table.format).toBe('CSV');
      expect(table.compression).toBe('GZIP');
      expect(tableValues(table)).toEqual(rows);
      expect(tableValues(await readBack(app, bucket, 'v.ndjson.gz', TABLE))).toEqual(rows);
      expect(codes(await putObject(app, bucket, 'bad.ndjson.gz', { a: 1 }))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await putObject(app, bucket, 'bad.txt.gz', 1))).toEqual(['BAD_USER_INPUT']);
      expect(await app.storage.headObject({ bucket, key: 'bad.ndjson.gz' })).toBeNull();
      expect(await app.storage.headObject({ bucket, key: 'bad.txt.gz' })).toBeNull();
    });

    it('content that does not fit leaves an existing object unchanged', async () => {
      const key = 'kept.csv';
      const first = await putObject(app, bucket, key, [{ a: 1 }]);
      expect(first.errors).toBeUndefined();
      const result = await putObject(app, bucket, key, 'not rows');
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect((await app.storage.headObject({ bucket, key }))?.etag).toBe(first.data?.putObject.etag);
    });
  });

  it('stores the given contentType', async () => {
    const result = await putObject(app, bucket, 'typed.json', { a: 1 }, { contentType: 'application/vnd.example+json' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.putObject.contentType).toBe('application/vnd.example+json');
    expect((await app.storage.headObject({ bucket, key: 'typed.json' }))?.contentType).toBe('application/vnd.example+json');
    expect((await readBack(app, bucket, 'typed.json', 'json')).json).toEqual({ a: 1 });
  });

  describe('conditional writes', () => {
    it('ifNoneMatch "*" writes a new key', async () => {
      const result = await putObject(app, bucket, 'cond/new.txt', 'first', { ifNoneMatch: '*' });
      expect(result.errors).toBeUndefined();
      expect((await readBack(app, bucket, 'cond/new.txt', 'text')).text).toBe('first');
    });

    it('ifNoneMatch "*" on an existing key is PRECONDITION_FAILED and leaves it unchanged', async () => {
      const key = 'cond/exists.txt';
      const first = await putObject(app, bucket, key, 'original');
      const result = await putObject(app, bucket, key, 'overwritten', { ifNoneMatch: '*' });
      expect(codes(result)).toEqual(['PRECONDITION_FAILED']);
      const object = await readBack(app, bucket, key, 'etag text');
      expect(object).toEqual({ etag: first.data?.putObject.etag, text: 'original' });
    });

    it('ifMatch with the current ETag (with or without quotes) writes', async () => {
      const key = 'cond/match.txt';
      const first = await putObject(app, bucket, key, 'v1');
      const etag = first.data?.putObject.etag as string;
      expect(etag).not.toMatch(/"/);
      const second = await putObject(app, bucket, key, 'v2', { ifMatch: etag });
      expect(second.errors).toBeUndefined();
      expect(second.data?.putObject.etag).toBe(md5('v2'));
      const third = await putObject(app, bucket, key, 'v3', { ifMatch: `"${second.data?.putObject.etag}"` });
      expect(third.errors).toBeUndefined();
      expect((await readBack(app, bucket, key, 'text')).text).toBe('v3');
    });

    it('ifMatch with a stale ETag is PRECONDITION_FAILED and leaves the object unchanged', async () => {
      const key = 'cond/stale.txt';
      const first = await putObject(app, bucket, key, 'v1');
      const second = await putObject(app, bucket, key, 'v2');
      const result = await putObject(app, bucket, key, 'v3', { ifMatch: first.data?.putObject.etag });
      expect(codes(result)).toEqual(['PRECONDITION_FAILED']);
      expect(await readBack(app, bucket, key, 'etag text')).toEqual({ etag: second.data?.putObject.etag, text: 'v2' });
    });

    it('ifMatch on a missing key is PRECONDITION_FAILED and writes nothing', async () => {
      const result = await putObject(app, bucket, 'cond/missing.txt', 'v1', { ifMatch: md5('v1') });
      expect(codes(result)).toEqual(['PRECONDITION_FAILED']);
      expect(await app.storage.headObject({ bucket, key: 'cond/missing.txt' })).toBeNull();
    });

    it('ifNoneMatch other than "*" is BAD_USER_INPUT and writes nothing', async () => {
      for (const ifNoneMatch of ['abc', '"abc"', '']) {
        const result = await putObject(app, bucket, 'cond/none.txt', 'v1', { ifNoneMatch });
        expect(codes(result), JSON.stringify(ifNoneMatch)).toEqual(['BAD_USER_INPUT']);
      }
      expect(await app.storage.headObject({ bucket, key: 'cond/none.txt' })).toBeNull();
    });
  });

  describe('every mutation returns fresh metadata', () => {
    it('two writes to one key in one request: each field sees its own write', async () => {
      const result = await app.gql(
        `mutation($b: String!) {
          a: putObject(bucket: $b, key: "fresh/one.txt", content: "one") { etag size text }
          b: putObject(bucket: $b, key: "fresh/one.txt", content: "three!") { etag size text lastModified }
        }`,
        { b: bucket },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.a).toEqual({ etag: md5('one'), size: 3, text: 'one' });
      expect(result.data?.b).toMatchObject({ etag: md5('three!'), size: 6, text: 'three!' });
    });

    it('a write after the same request read the old object (content, table) sees the new one', async () => {
      const first = [{ n: 1 }];
      const second = [{ n: 1 }, { n: 2 }, { n: 3 }];
      const result = await app.gql(
        `mutation($b: String!, $first: JSON!, $second: JSON!) {
          a: putObject(bucket: $b, key: "fresh/t.csv", content: $first) { etag size content table { rowCount } }
          b: putObject(bucket: $b, key: "fresh/t.csv", content: $second) { etag size content table { rowCount rows { totalCount } } }
        }`,
        { b: bucket, first, second },
      );
      expect(result.errors).toBeUndefined();
      const head = await app.storage.headObject({ bucket, key: 'fresh/t.csv' });
      expect(result.data?.b).toEqual({
        etag: head?.etag,
        size: head?.size,
        content: second,
        table: { rowCount: 3, rows: { totalCount: 3 } },
      });
      expect(result.data?.a).toMatchObject({ content: first, table: { rowCount: 1 } });
      expect(result.data?.a.etag).not.toBe(result.data?.b.etag);
    });

    it('copies, deletes and rewrites in one request each see the state left by the previous field', async () => {
      const result = await app.gql(
        `mutation($b: String!) {
          a: putObject(bucket: $b, key: "fresh/src.txt", content: "v1") { etag }
          b: copyObject(from: { bucket: $b, key: "fresh/src.txt" }, to: { bucket: $b, key: "fresh/dst.txt" }) { etag size text }
          c: putObject(bucket: $b, key: "fresh/src.txt", content: "version 2") { etag size }
          d: copyObject(from: { bucket: $b, key: "fresh/src.txt" }, to: { bucket: $b, key: "fresh/dst.txt" }) { etag size text }
          e: deleteObject(bucket: $b, key: "fresh/dst.txt")
          f: deleteObject(bucket: $b, key: "fresh/dst.txt")
          g: putObject(bucket: $b, key: "fresh/dst.txt", content: "again") { etag size text }
        }`,
        { b: bucket },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        a: { etag: md5('v1') },
        b: { etag: md5('v1'), size: 2, text: 'v1' },
        c: { etag: md5('version 2'), size: 9 },
        d: { etag: md5('version 2'), size: 9, text: 'version 2' },
        e: true,
        f: false,
        g: { etag: md5('again'), size: 5, text: 'again' },
      });
    });

    it('a write seen by the next request (nothing cached across requests goes stale)', async () => {
      await putObject(app, bucket, 'fresh/next.csv', [{ a: 1 }]);
      expect((await readBack(app, bucket, 'fresh/next.csv', 'content')).content).toEqual([{ a: 1 }]);
      await putObject(app, bucket, 'fresh/next.csv', [{ a: 'x' }, { a: 'y' }]);
      expect((await readBack(app, bucket, 'fresh/next.csv', `content ${TABLE}`)).content).toEqual([{ a: 'x' }, { a: 'y' }]);
    });
  });
});

describe('copyObject', () => {
  let app: TestApp;
  const bucket = uniqueBucket('copy');
  const other = uniqueBucket('copy-to');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
    await app.storage.createBucket(other);
  });
  afterAll(() => app.close());

  const COPY = `mutation($from: ObjectRef!, $to: ObjectRef!) { copyObject(from: $from, to: $to) { bucket key name size etag contentType text } }`;

  it.each([
    ['spaces', 'dir with space/a file.txt', 'copies/a file copy.txt'],
    ['plus signs', 'plus/a+b.txt', 'copies/1+1.txt'],
    ['Korean', '한글 폴더/보고서 2024.txt', '복사본/보고서 사본.txt'],
    ['spaces, plus signs, Korean and percent signs', 'mix/요약 a+b (final) %20 100%.txt', 'mix/복사 a+b (final) %20 100%.txt'],
    ['the other characters URI syntax reserves', "reserved/a=b&c;d,e:f@g$h?i#j!k'l*(m)~.txt", 'copies/x=y&z#?.txt'],
  ])('copies keys with %s', async (_, from, to) => {
    const text = `content of ${from}`;
    await app.storage.putObject({ bucket, key: from }, Buffer.from(text), { contentType: 'text/plain; charset=utf-8' });
    const result = await app.gql(COPY, { from: { bucket, key: from }, to: { bucket: other, key: to } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.copyObject).toEqual({
      bucket: other,
      key: to,
      name: to.slice(to.lastIndexOf('/') + 1),
      size: Buffer.byteLength(text),
      etag: md5(text),
      contentType: 'text/plain; charset=utf-8',
      text,
    });
    expect((await app.storage.headObject({ bucket: other, key: to }))?.etag).toBe(md5(text));
    expect(await app.storage.headObject({ bucket, key: from })).not.toBeNull();
  });

  it('a missing source is NOT_FOUND and writes nothing', async () => {
    const result = await app.gql(COPY, { from: { bucket, key: 'nope.txt' }, to: { bucket, key: 'never.txt' } });
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(await app.storage.headObject({ bucket, key: 'never.txt' })).toBeNull();
  });

  it('a missing source bucket is NOT_FOUND', async () => {
    const result = await app.gql(COPY, { from: { bucket: uniqueBucket('missing'), key: 'a.txt' }, to: { bucket, key: 'never.txt' } });
    expect(codes(result)).toEqual(['NOT_FOUND']);
  });
});

describe('deleteObject and deleteObjects', () => {
  let app: TestApp;
  const bucket = uniqueBucket('delete');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
  });
  afterAll(() => app.close());

  it('deleteObject: true when something was deleted, false otherwise', async () => {
    await app.storage.putObject({ bucket, key: 'one 한.txt' }, Buffer.from('x'));
    const DELETE = 'mutation($b: String!, $k: String!) { deleteObject(bucket: $b, key: $k) }';
    expect(await app.gql(DELETE, { b: bucket, k: 'one 한.txt' })).toEqual({ data: { deleteObject: true } });
    expect(await app.storage.headObject({ bucket, key: 'one 한.txt' })).toBeNull();
    expect(await app.gql(DELETE, { b: bucket, k: 'one 한.txt' })).toEqual({ data: { deleteObject: false } });
  });

  it('deleteObjects over 1,000 keys: deletes them in one mutation and returns exactly the keys that existed', async () => {
    const existing = Array.from({ length: 2300 }, (_, i) => `bulk/${String(i).padStart(4, '0')} 파일+${i % 7}.txt`);
    const seeded = await mapWithConcurrency(existing, 16, (key) => app.storage.putObject({ bucket, key }, Buffer.from(key)));
    expect(seeded.filter((r) => r instanceof Error)).toEqual([]);
    await app.storage.putObject({ bucket, key: 'bulk-keep/kept.txt' }, Buffer.from('kept'));
    const missing = Array.from({ length: 150 }, (_, i) => `bulk/missing-${i}.txt`);
    // Missing keys interleaved, and some keys twice.
    const keys = [...existing.slice(0, 1200), ...missing, ...existing.slice(1200), existing[0] as string, existing[2299] as string];
    const result = await app.gql('mutation($b: String!, $keys: [String!]!) { deleteObjects(bucket: $b, keys: $keys) }', {
      b: bucket,
      keys,
    });
    expect(result.errors).toBeUndefined();
    const deleted = result.data?.deleteObjects as string[];
    expect(deleted).toHaveLength(existing.length);
    expect([...deleted].sort()).toEqual([...existing].sort());
    const left = await app.storage.listObjects({ bucket, prefix: 'bulk', maxKeys: 1000 });
    expect(left.objects.map((o) => o.key)).toEqual(['bulk-keep/kept.txt']);
  }, 180_000);

  it('deleteObjects with keys none of which exist returns []', async () => {
    const result = await app.gql('mutation($b: String!, $keys: [String!]!) { deleteObjects(bucket: $b, keys: $keys) }', {
      b: bucket,
      keys: ['none-1', 'none-2'],
    });
    expect(result).toEqual({ data: { deleteObjects: [] } });
  });
});

describe('createUploadUrl', () => {
  let app: TestApp;
  const bucket = uniqueBucket('presign');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
  });
  afterAll(() => app.close());

  const CREATE_URL = `mutation($b: String!, $k: String!, $t: String, $e: Int) {
    createUploadUrl(bucket: $b, key: $k, contentType: $t, expiresIn: $e) { url method headers expiresAt }
  }`;

  it('gives a URL that a plain PUT with the returned headers writes to', async () => {
    const key = '올림/presigned data.csv';
    const before = Date.now();
    const result = await app.gql(CREATE_URL, { b: bucket, k: key, t: 'text/csv', e: 600 });
    expect(result.errors).toBeUndefined();
    const presigned = result.data?.createUploadUrl;
    expect(presigned.method).toBe('PUT');
    expect(presigned.headers).toEqual({ 'content-type': 'text/csv' });
    const expiresAt = Date.parse(presigned.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000 + 1000);

    const body = 'id,name\n1,김\n2,Lee\n';
    const response = await fetch(presigned.url, { method: presigned.method, headers: presigned.headers, body });
    expect(response.status).toBe(200);
    const object = await readBack(app, bucket, key, `size contentType content`);
    expect(object).toEqual({
      size: Buffer.byteLength(body),
      contentType: 'text/csv',
      content: [
        { id: 1, name: '김' },
        { id: 2, name: 'Lee' },
      ],
    });
  });

  it('works without a content type', async () => {
    const result = await app.gql(CREATE_URL, { b: bucket, k: 'plain.txt' });
    expect(result.errors).toBeUndefined();
    const presigned = result.data?.createUploadUrl;
    expect(presigned.headers).toEqual({});
    const response = await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body: 'hello' });
    expect(response.status).toBe(200);
    expect((await readBack(app, bucket, 'plain.txt', 'text')).text).toBe('hello');
  });

  it('refuses expiresIn outside 1..604800 (BAD_USER_INPUT)', async () => {
    for (const e of [0, 604801]) expect(codes(await app.gql(CREATE_URL, { b: bucket, k: 'x.txt', e }))).toEqual(['BAD_USER_INPUT']);
  });
});

/** One of each mutation against `bucket` (and `other` for copies), with the variables they need. */
function everyMutation(bucket: string, other: string): [string, string, Record<string, unknown>][] {
  return [
    ['createBucket', 'mutation($b: String!) { createBucket(name: $b) { name } }', { b: other }],
    ['putObject', 'mutation($b: String!) { putObject(bucket: $b, key: "w.txt", content: "x") { etag } }', { b: bucket }],
    [
      'copyObject',
      'mutation($b: String!) { copyObject(from: { bucket: $b, key: "seed.txt" }, to: { bucket: $b, key: "copy.txt" }) { etag } }',
      { b: bucket },
    ],
    ['deleteObject', 'mutation($b: String!) { deleteObject(bucket: $b, key: "seed.txt") }', { b: bucket }],
    ['deleteObjects', 'mutation($b: String!) { deleteObjects(bucket: $b, keys: ["seed.txt"]) }', { b: bucket }],
    ['createUploadUrl', 'mutation($b: String!) { createUploadUrl(bucket: $b, key: "u.txt") { url } }', { b: bucket }],
  ];
}

describe('BUCKETQL_READ_ONLY=1', () => {
  let app: TestApp;
  const bucket = uniqueBucket('readonly');

  beforeAll(async () => {
    app = await startTestApp({ BUCKETQL_READ_ONLY: '1' });
    await app.storage.createBucket(bucket);
    await app.storage.putObject({ bucket, key: 'seed.txt' }, Buffer.from('seed'));
  });
  afterAll(() => app.close());

  it.each(everyMutation(bucket, uniqueBucket('readonly-new')))('%s is FORBIDDEN', async (_, query, variables) => {
    const result = await app.gql(query, variables);
    expect(codes(result)).toEqual(['FORBIDDEN']);
  });

  it('uploadFile is FORBIDDEN', async () => {
    const form = uploadForm(
      'mutation($b: String!, $f: File!) { uploadFile(bucket: $b, key: "up.txt", file: $f) { etag } }',
      { b: bucket },
      {
        f: new File(['uploaded'], 'up.txt', { type: 'text/plain' }),
      },
    );
    const { body } = await postForm(app.url, form);
    expect(codes(body)).toEqual(['FORBIDDEN']);
  });

  it('nothing was written, and reading still works', async () => {
    const listed = await app.storage.listObjects({ bucket, maxKeys: 100 });
    expect(listed.objects.map((o) => o.key)).toEqual(['seed.txt']);
    expect((await readBack(app, bucket, 'seed.txt', 'text')).text).toBe('seed');
  });
});

describe('BUCKETQL_BUCKETS allow-list', () => {
  let app: TestApp;
  const allowed = uniqueBucket('allowed');
  const outside = uniqueBucket('outside');

  beforeAll(async () => {
    app = await startTestApp({ BUCKETQL_BUCKETS: 'allowed-*' });
    for (const bucket of [allowed, outside]) {
      await app.storage.createBucket(bucket);
      await app.storage.putObject({ bucket, key: 'seed.txt' }, Buffer.from('seed'));
    }
  });
  afterAll(() => app.close());

  it.each(everyMutation(outside, uniqueBucket('outside-new')))('%s outside the list is FORBIDDEN', async (_, query, variables) => {
    const result = await app.gql(query, variables);
    expect(codes(result)).toEqual(['FORBIDDEN']);
  });

  it('uploadFile outside the list is FORBIDDEN', async () => {
    const form = uploadForm(
      'mutation($b: String!, $f: File!) { uploadFile(bucket: $b, key: "up.txt", file: $f) { etag } }',
      { b: outside },
      {
        f: new File(['uploaded'], 'up.txt'),
      },
    );
    const { body } = await postForm(app.url, form);
    expect(codes(body)).toEqual(['FORBIDDEN']);
  });

  it('copyObject with either end outside the list is FORBIDDEN', async () => {
    const COPY = 'mutation($from: ObjectRef!, $to: ObjectRef!) { copyObject(from: $from, to: $to) { etag } }';
    const out = await app.gql(COPY, { from: { bucket: allowed, key: 'seed.txt' }, to: { bucket: outside, key: 'leaked.txt' } });
    expect(codes(out)).toEqual(['FORBIDDEN']);
    const into = await app.gql(COPY, { from: { bucket: outside, key: 'seed.txt' }, to: { bucket: allowed, key: 'smuggled.txt' } });
    expect(codes(into)).toEqual(['FORBIDDEN']);
  });

  it('mutations inside the list work', async () => {
    const created = uniqueBucket('allowed');
    const result = await app.gql(
      `mutation($b: String!, $n: String!) {
        createBucket(name: $n) { name }
        putObject(bucket: $b, key: "w.txt", content: "x") { size }
        copyObject(from: { bucket: $b, key: "w.txt" }, to: { bucket: $n, key: "w.txt" }) { size }
        deleteObject(bucket: $b, key: "w.txt")
      }`,
      { b: allowed, n: created },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ createBucket: { name: created }, putObject: { size: 1 }, copyObject: { size: 1 }, deleteObject: true });
  });

  it('nothing was written outside the list', async () => {
    const listed = await app.storage.listObjects({ bucket: outside, maxKeys: 100 });
    expect(listed.objects.map((o) => o.key)).toEqual(['seed.txt']);
    expect(await app.storage.headObject({ bucket: allowed, key: 'smuggled.txt' })).toBeNull();
  });
});
