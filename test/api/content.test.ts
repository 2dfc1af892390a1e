// `content` of a table is written as JSON while its rows are read, and put in the
// response as bytes: the answer is the same value wherever the field stands (aliased,
// beside errors, in a batch, under either JSON media type), and a table of any length.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { recordS3Commands } from '../support/s3-spy.js';

const CITIES = ['서울', 'Busan', '"Quoted, city"', 'line\nbreak', ''];
const ROWS = Array.from({ length: 1500 }, (_, i) => ({
  id: i,
  name: `user_${i}`,
  city: (CITIES[i % CITIES.length] as string) || null,
  amount: i % 9 === 0 ? null : (i * 1.37) % 1000,
  active: i % 3 === 0,
  joined: new Date(Date.UTC(2024, 0, 1 + (i % 28), 9, i % 60)).toISOString(),
}));

function csvOf(rows: typeof ROWS): string {
  const cell = (v: unknown) => {
    if (v === null) return '';
    const text = String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `id,name,city,amount,active,joined\n${rows.map((r) => Object.values(r).map(cell).join(',')).join('\n')}\n`;
}

let app: TestApp;
const bucket = uniqueBucket('content');

beforeAll(async () => {
  app = await startTestApp({ BUCKETQL_MAX_BATCH: '4' });
  await app.storage.createBucket(bucket);
  await app.storage.putObject({ bucket, key: 'rows.csv' }, Buffer.from(csvOf(ROWS)));
  await app.storage.putObject({ bucket, key: 'empty.csv' }, Buffer.from('id,name\n'));
});
afterAll(() => app?.close());

async function post(
  body: unknown,
  accept = 'application/json',
): Promise<{ status: number; type: string | null; length: string | null; text: string }> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    length: response.headers.get('content-length'),
    text: await response.text(),
  };
}

describe('content of a table', () => {
  it('is every row, typed, as the response JSON', async () => {
    const { status, type, length, text } = await post({ query: `{ object(bucket: "${bucket}", key: "rows.csv") { content } }` });
    expect(status).toBe(200);
    expect(type).toBe('application/json; charset=utf-8');
    // Sent as its pieces, with their total length.
    expect(length).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toEqual({ data: { object: { content: ROWS } } });
  });

  it('is the same under aliases, beside other fields and beside an error', async () => {
    const query = `{
      a: object(bucket: "${bucket}", key: "rows.csv") { key content }
      b: object(bucket: "${bucket}", key: "rows.csv") { content size }
      e: object(bucket: "${bucket}", key: "empty.csv") { content }
      broken: object(bucket: "${bucket}", key: "rows.csv") { table(format: XLSX) { columns { name } } }
    }`;
    const { text } = await post({ query });
    const result = JSON.parse(text);
    expect(result.data.a).toEqual({ key: 'rows.csv', content: ROWS });
    expect(result.data.b.content).toEqual(ROWS);
    expect(result.data.e).toEqual({ content: [] });
    expect(result.errors?.[0]?.path).toEqual(['broken', 'table', 'columns']);
  });

  it('is the same in a batch of requests and under application/graphql-response+json', async () => {
    const query = `{ object(bucket: "${bucket}", key: "rows.csv") { content } }`;
    const batch = await post([{ query }, { query: '{ __typename }' }, { query }]);
    expect(JSON.parse(batch.text)).toEqual([
      { data: { object: { content: ROWS } } },
      { data: { __typename: 'Query' } },
      { data: { object: { content: ROWS } } },
    ]);
    const strict = await post({ query }, 'application/graphql-response+json');
    expect(strict.type).toBe('application/graphql-response+json; charset=utf-8');
    expect(JSON.parse(strict.text)).toEqual({ data: { object: { content: ROWS } } });
  });
});

describe('content of a table the cache holds', () => {
  it('is written from the cached table, with a HEAD and no GET, and is the same value', async () => {
    const key = 'cached.csv';
    await app.storage.putObject({ bucket, key }, Buffer.from(csvOf(ROWS)));
    const table = await post({ query: `{ object(bucket: "${bucket}", key: "${key}") { table { rowCount } } }` });
    expect(JSON.parse(table.text)).toEqual({ data: { object: { table: { rowCount: ROWS.length } } } });
    const sent = recordS3Commands(app.storage);
    const { text } = await post({ query: `{ object(bucket: "${bucket}", key: "${key}") { content } }` });
    expect(JSON.parse(text)).toEqual({ data: { object: { content: ROWS } } });
    const names = sent.map((c) => c.name);
    expect(names).toContain('HeadObjectCommand'); // the ETag is checked
    expect(names).not.toContain('GetObjectCommand');
  });

  it('still refuses an object beyond BUCKETQL_MAX_OBJECT_BYTES', async () => {
    const small = await startTestApp({ BUCKETQL_MAX_OBJECT_BYTES: '1000' });
    try {
      const query = `{ object(bucket: "${bucket}", key: "rows.csv") { table { rowCount } content } }`;
      const result = await small.gql(query);
      expect(result.data?.object).toEqual({ table: { rowCount: ROWS.length }, content: null });
      expect(result.errors?.[0]?.path).toEqual(['object', 'content']);
      expect(result.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
      // The table was read and kept by then: content is refused all the same.
      const again = await small.gql(`{ object(bucket: "${bucket}", key: "rows.csv") { content } }`);
      expect(again.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });
});
