// Reading whole objects, through GraphQL: `text` (encodings detected or given),
// `json` and `content` by format, gzip, and the BUCKETQL_MAX_OBJECT_BYTES limit.
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { seedObjects } from '../support/seed.js';

let app: TestApp;
const bucket = uniqueBucket('text');

const KOREAN = '똠방각하, 안녕하세요! 한국어 텍스트입니다. 쀍 햏 뷁\n둘째 줄: 가나다라마바사\n';
const JAPANESE = 'こんにちは、世界。日本語のテキストです。\n';
const BINARY = Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x00, 0x10, 0x80, 0x00, 0x7f, 0x05, 0x06, 0x07, 0x08, 0x00]);
const CSV = 'name,age,joined,city\nkim,30,2024-01-15,서울\nlee,,2024-02-01 09:30:00,부산\n';
const CSV_ROWS = [
  { name: 'kim', age: 30, joined: '2024-01-15T00:00:00.000Z', city: '서울' },
  { name: 'lee', age: null, joined: '2024-02-01T09:30:00.000Z', city: '부산' },
];
const JSON_VALUE = { name: '한글', list: [1, 2.5, true, null, { nested: 'yes' }], empty: {} };

const OBJECTS: Record<string, string | Buffer> = {
  'utf8.txt': 'héllo wörld, 안녕하세요 🎉\n',
  'utf8-bom.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('with a BOM: 한글\n')]),
  'utf16le-bom.txt': Buffer.from('\uFEFFUTF-16LE: 한국어 text\n', 'utf16le'),
  'utf16be-bom.txt': Buffer.from('\uFEFFUTF-16BE: 한국어 text\n', 'utf16le').swap16(),
  'cp949.txt': iconv.encode(KOREAN, 'cp949'),
  'cp949-long.txt': iconv.encode(KOREAN.repeat(5000), 'cp949'),
  'cp949-mostly-ascii.log': iconv.encode(`${'INFO plain ascii line\n'.repeat(50)}ERROR 똠 실패\n`, 'cp949'),
  'shift-jis.txt': iconv.encode(JAPANESE, 'shift_jis'),
  'latin1.txt': iconv.encode('café crème brûlée\n', 'windows-1252'),
  'empty.txt': '',
  'notes.txt.gz': gzipSync('gzipped text: 압축된 글\n'),
  'cp949.txt.gz': gzipSync(iconv.encode(KOREAN, 'cp949')),
  'value.json': JSON.stringify(JSON_VALUE),
  'value.json.gz': gzipSync(JSON.stringify(JSON_VALUE)),
  'scalar.json': '"just a string"',
  'lines.ndjson': '{"a":1}\n{"a":2,"b":"한"}\n\n{"a":3}\n',
  'values.jsonl': '1\n"two"\n[3]\nnull\n',
  'people.csv': CSV,
  'people-cp949.csv': iconv.encode(CSV, 'cp949'),
  'people.csv.gz': gzipSync(CSV),
  'blob.bin': BINARY,
  'unknown-binary.dat': BINARY,
};

beforeAll(async () => {
  app = await startTestApp();
  await app.storage.createBucket(bucket);
  await seedObjects(app.storage, bucket, OBJECTS);
});

afterAll(() => app?.close());

async function field(key: string, selection: string, variables: Record<string, unknown> = {}, on: TestApp = app) {
  const declared = Object.keys(variables)
    .map((name) => `, $${name}: String`)
    .join('');
  return on.gql(`query($b: String!, $k: String!${declared}) { object(bucket: $b, key: $k) { ${selection} } }`, {
    b: bucket,
    k: key,
    ...variables,
  });
}

async function value(key: string, selection: string, variables: Record<string, unknown> = {}) {
  const result = await field(key, selection, variables);
  expect(result.errors).toBeUndefined();
  return result.data?.object;
}

/**
 * Asks for `key` and `failing` (a field with its arguments) and returns the one error.
 * A failing non-null field (`text`) nulls the object; a nullable one (`json`, `content`) only itself.
 */
async function failure(key: string, failing: string, variables: Record<string, unknown> = {}, on: TestApp = app) {
  const result = await field(key, `key ${failing}`, variables, on);
  const name = failing.replace(/\(.*$/, '');
  if (name === 'json' || name === 'content') expect(result.data).toEqual({ object: { key, [name]: null } });
  else expect(result.data).toEqual({ object: null });
  expect(result.errors).toHaveLength(1);
  expect(result.errors?.[0]?.path).toEqual(['object', name]);
  return result.errors?.[0] as { message: string; extensions?: { code?: string } };
}

describe('text, with the encoding detected', () => {
  it.each([
    ['utf8.txt', 'héllo wörld, 안녕하세요 🎉\n'],
    ['utf8-bom.txt', 'with a BOM: 한글\n'],
    ['utf16le-bom.txt', 'UTF-16LE: 한국어 text\n'],
    ['utf16be-bom.txt', 'UTF-16BE: 한국어 text\n'],
    ['cp949.txt', KOREAN],
    ['cp949-mostly-ascii.log', `${'INFO plain ascii line\n'.repeat(50)}ERROR 똠 실패\n`],
    ['empty.txt', ''],
  ])('decodes %s', async (key, expected) => {
    expect(await value(key, 'text')).toEqual({ text: expected });
  });

  it('decodes a long CP949 text exactly', async () => {
    const { text } = await value('cp949-long.txt', 'text');
    expect(text.length).toBe(KOREAN.length * 5000);
    expect(text).toBe(KOREAN.repeat(5000));
  });

  it('decompresses .gz before decoding', async () => {
    expect(await value('notes.txt.gz', 'text')).toEqual({ text: 'gzipped text: 압축된 글\n' });
    expect(await value('cp949.txt.gz', 'text')).toEqual({ text: KOREAN });
  });

  it('gives the text of JSON and CSV objects too', async () => {
    expect(await value('value.json', 'text')).toEqual({ text: JSON.stringify(JSON_VALUE) });
    expect(await value('people.csv', 'text')).toEqual({ text: CSV });
    expect(await value('people-cp949.csv', 'text')).toEqual({ text: CSV });
  });

  it('refuses a binary object without an encoding, as BAD_USER_INPUT', async () => {
    const error = await failure('blob.bin', 'text');
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('text(encoding)', () => {
  it('decodes CP949 with euc-kr, cp949 and other Korean labels, 똠 included', async () => {
    const result = await value(
      'cp949.txt',
      'euc: text(encoding: $e1) cp: text(encoding: $e2) ks: text(encoding: $e3) upper: text(encoding: $e4)',
      {
        e1: 'euc-kr',
        e2: 'cp949',
        e3: 'ks_c_5601-1987',
        e4: 'EUC-KR',
      },
    );
    expect(result).toEqual({ euc: KOREAN, cp: KOREAN, ks: KOREAN, upper: KOREAN });
    expect(result.euc).toContain('똠');
  });

  it('decodes Shift_JIS and windows-1252 when told', async () => {
    expect(await value('shift-jis.txt', 'text(encoding: $e)', { e: 'shift_jis' })).toEqual({ text: JAPANESE });
    expect(await value('latin1.txt', 'text(encoding: $e)', { e: 'windows-1252' })).toEqual({ text: 'café crème brûlée\n' });
  });

  it('decodes with the given encoding even where detection would pick another', async () => {
    // UTF-8 bytes read as windows-1252: mojibake, exactly as asked.
    expect(await value('utf8.txt', 'text(encoding: $e)', { e: 'windows-1252' })).toEqual({
      text: iconv.decode(Buffer.from('héllo wörld, 안녕하세요 🎉\n'), 'windows-1252'),
    });
  });

  it('decodes a binary object when an encoding is given', async () => {
    expect(await value('blob.bin', 'text(encoding: $e)', { e: 'windows-1252' })).toEqual({ text: iconv.decode(BINARY, 'windows-1252') });
  });

  it.each(['klingon', 'utf-9', 'cp9490', 'euc_kr_x'])('refuses the unknown label %s as BAD_USER_INPUT', async (label) => {
    const error = await failure('utf8.txt', 'text(encoding: $e)', { e: label });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain(JSON.stringify(label));
  });
});

describe('json', () => {
  it('parses JSON objects, gzipped ones too', async () => {
    expect(await value('value.json', 'json')).toEqual({ json: JSON_VALUE });
    expect(await value('value.json.gz', 'json')).toEqual({ json: JSON_VALUE });
    expect(await value('scalar.json', 'json')).toEqual({ json: 'just a string' });
  });

  it('parses NDJSON as an array of its values, skipping blank lines', async () => {
    expect(await value('lines.ndjson', 'json')).toEqual({ json: [{ a: 1 }, { a: 2, b: '한' }, { a: 3 }] });
    expect(await value('values.jsonl', 'json')).toEqual({ json: [1, 'two', [3], null] });
  });

  it.each(['people.csv', 'utf8.txt', 'blob.bin'])('refuses %s as BAD_USER_INPUT', async (key) => {
    const error = await failure(key, 'json');
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('content', () => {
  it('is the value of JSON, and the values of NDJSON', async () => {
    expect(await value('value.json', 'content')).toEqual({ content: JSON_VALUE });
    expect(await value('lines.ndjson', 'content')).toEqual({ content: [{ a: 1 }, { a: 2, b: '한' }, { a: 3 }] });
  });

  it('is the string of a text object', async () => {
    expect(await value('utf8.txt', 'content')).toEqual({ content: 'héllo wörld, 안녕하세요 🎉\n' });
    expect(await value('cp949.txt', 'content')).toEqual({ content: KOREAN });
    expect(await value('notes.txt.gz', 'content')).toEqual({ content: 'gzipped text: 압축된 글\n' });
  });

  it('is the typed rows of a CSV, detected CP949 and gzipped ones alike', async () => {
    expect(await value('people.csv', 'content')).toEqual({ content: CSV_ROWS });
    expect(await value('people-cp949.csv', 'content')).toEqual({ content: CSV_ROWS });
    expect(await value('people.csv.gz', 'content')).toEqual({ content: CSV_ROWS });
  });

  it.each(['blob.bin', 'unknown-binary.dat'])('refuses the binary %s as BAD_USER_INPUT', async (key) => {
    const error = await failure(key, 'content');
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('BUCKETQL_MAX_OBJECT_BYTES', () => {
  let small: TestApp;
  const LIMIT = 1000;

  beforeAll(async () => {
    small = await startTestApp({ BUCKETQL_MAX_OBJECT_BYTES: String(LIMIT) });
    await seedObjects(small.storage, bucket, {
      'limit/at-limit.txt': 'a'.repeat(LIMIT),
      'limit/over.txt': 'a'.repeat(LIMIT + 1),
      'limit/over.json': JSON.stringify({ list: 'x'.repeat(LIMIT) }),
      'limit/over.ndjson': '{"a":"xxxxxxxxxx"}\n'.repeat(60),
      'limit/over.csv': 'a,b\n'.repeat(300),
      'limit/bomb.txt.gz': gzipSync('b'.repeat(50_000)),
      'limit/bomb.json.gz': gzipSync(JSON.stringify({ list: 'y'.repeat(50_000) })),
      'limit/bomb.csv.gz': gzipSync(`a,b\n${'1,2\n'.repeat(20_000)}`),
      'limit/small.txt.gz': gzipSync('c'.repeat(LIMIT)),
    });
  });

  afterAll(() => small?.close());

  function expectTooLarge(error: { message: string; extensions?: { code?: string } }) {
    expect(error.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toContain(`${LIMIT} bytes`);
    expect(error.message).toContain('BUCKETQL_MAX_OBJECT_BYTES');
    expect(error.message).toMatch(/table[\s\S]*rows/);
  }

  it('reads an object of exactly the limit', async () => {
    const result = await field('limit/at-limit.txt', 'text', {}, small);
    expect(result).toEqual({ data: { object: { text: 'a'.repeat(LIMIT) } } });
  });

  it.each([
    ['limit/over.txt', 'text'],
    ['limit/over.txt', 'content'],
    ['limit/over.json', 'json'],
    ['limit/over.json', 'content'],
    ['limit/over.json', 'text'],
    ['limit/over.ndjson', 'json'],
    ['limit/over.csv', 'content'],
  ])('refuses %s beyond the limit in `%s` as PAYLOAD_TOO_LARGE', async (key, selection) => {
    expectTooLarge(await failure(key, selection, {}, small));
  });

  it.each([
    ['limit/bomb.txt.gz', 'text'],
    ['limit/bomb.txt.gz', 'content'],
    ['limit/bomb.json.gz', 'json'],
    ['limit/bomb.csv.gz', 'content'],
  ])('measures %s decompressed (in `%s`): stored under the limit, over it once gunzipped', async (key, selection) => {
    const size = await field(key, 'size', {}, small);
    expect(size.data?.object.size).toBeLessThan(LIMIT);
    expectTooLarge(await failure(key, selection, {}, small));
  });

  it('reads a gzip whose decompressed size is exactly the limit', async () => {
    const result = await field('limit/small.txt.gz', 'text', {}, small);
    expect(result).toEqual({ data: { object: { text: 'c'.repeat(LIMIT) } } });
  });

  it('leaves the other fields of the object alone', async () => {
    const result = await small.gql(
      'query($b: String!) { object(bucket: $b, key: "limit/over.txt") { key size text } ok: object(bucket: $b, key: "limit/at-limit.txt") { size } }',
      {
        b: bucket,
      },
    );
    expect(result.data).toEqual({ object: null, ok: { size: LIMIT } });
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['PAYLOAD_TOO_LARGE']);
  });
});
