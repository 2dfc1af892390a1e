// East Asian encodings through the API: `table.encoding` says what was detected, and
// `text` and the rows come out as the text Python encoded (fixtures made by
// test/fixtures/encodings/make_fixtures.py).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { seedObjects } from '../support/seed.js';

const folder = new URL('../fixtures/encodings/', import.meta.url);
const CASES = [
  ['ja.shift-jis.csv', 'shift_jis', 'ja.utf8.csv', '商品名'],
  ['ja.euc-jp.csv', 'euc-jp', 'ja.utf8.csv', '商品名'],
  ['zh-hans.gb18030.csv', 'gb18030', 'zh-hans.utf8.csv', '商品名称'],
  ['zh-hant.big5.csv', 'big5', 'zh-hant.utf8.csv', '商品名稱'],
  ['ko.cp949.csv', 'cp949', 'ko.utf8.csv', '상품명'],
] as const;

let app: TestApp;
const bucket = uniqueBucket('encodings');

beforeAll(async () => {
  app = await startTestApp();
  await app.storage.createBucket(bucket);
  await seedObjects(app.storage, bucket, Object.fromEntries(CASES.map(([file]) => [file, readFileSync(new URL(file, folder))])));
});
afterAll(() => app?.close());

describe('CSV files in East Asian encodings', () => {
  it.each(CASES)('reads %s as %s: the table says so, and text, columns and rows are right', async (file, encoding, utf8, productColumn) => {
    const result = await app.gql(
      `query ($bucket: String!, $key: String!) {
        object(bucket: $bucket, key: $key) {
          text
          table { encoding columns { name } rows(first: 1) { edges { node { cells } } } }
        }
      }`,
      { bucket, key: file },
    );
    expect(result.errors).toBeUndefined();
    const object = result.data?.object;
    expect(object.text).toBe(readFileSync(new URL(utf8, folder), 'utf8'));
    expect(object.table.encoding).toBe(encoding);
    expect(object.table.columns.map((c: { name: string }) => c.name)).toContain(productColumn);
    const expectedFirstRow = readFileSync(new URL(utf8, folder), 'utf8').split('\n')[1]?.split(',')[3];
    expect(object.table.rows.edges[0].node.cells[3]).toBe(expectedFirstRow);
  });
});
