// User-chosen names that are also the names of JavaScript's prototype machinery
// (`__proto__`, `constructor`, `prototype`): as CSV headers, JSON and NDJSON record
// keys, putObject content, filter and group-by columns. Each reads back as plain data
// under its own name; none reaches Object.prototype or changes another object's shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/datasets/config.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const bucket = uniqueBucket('proto-keys');
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ BUCKETQL_INFER_ROWS: '2' });
  const put = (key: string, body: string) => app.storage.putObject({ bucket, key }, Buffer.from(body), {});
  await app.storage.createBucket(bucket);
  await put('proto.csv', '__proto__,constructor,prototype,n\n{"polluted":1},a,x,1\nhasOwnProperty,b,y,2\nhasOwnProperty,c,z,3\n');
  await put('proto.ndjson', '{"__proto__":{"polluted":1},"n":1}\n{"__proto__":"p","n":2}\n');
  // The `__proto__` key appears only after the rows the schema is inferred from (extra keys).
  await put('late.ndjson', '{"n":1}\n{"n":2}\n{"n":3,"__proto__":{"polluted":1},"constructor":"c"}\n');
  await put('proto.json', '[{"__proto__":{"polluted":1},"n":1},{"__proto__":"q","n":2}]');
});
afterAll(() => app?.close());

function unpolluted(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty).toBe(Object.hasOwn === undefined ? undefined : Object.getPrototypeOf({}).hasOwnProperty);
  expect(typeof {}.hasOwnProperty).toBe('function');
}

const table = (key: string, inner: string) => app.gql(`{ object(bucket: "${bucket}", key: "${key}") { table { ${inner} } } }`);

describe('names of the prototype machinery, as data', () => {
  it('a CSV whose headers are __proto__, constructor and prototype: columns and row values under those names', async () => {
    const result = await table('proto.csv', 'columns { name } rows(first: 5) { edges { node { values } } }');
    expect(result.errors).toBeUndefined();
    const t = result.data?.object.table;
    expect(t.columns.map((c: { name: string }) => c.name)).toEqual(['__proto__', 'constructor', 'prototype', 'n']);
    const first = t.rows.edges[0].node.values;
    expect(Object.keys(first)).toEqual(['__proto__', 'constructor', 'prototype', 'n']);
    expect(Object.getOwnPropertyDescriptor(first, '__proto__')?.value).toBe('{"polluted":1}');
    expect(first.constructor).toBe('a');
    unpolluted();
  });

  it('filters, orders and groups by a column named __proto__', async () => {
    const result = await table(
      'proto.csv',
      `rows(first: 5, where: { column: "__proto__", op: EQ, value: "hasOwnProperty" }, orderBy: [{ column: "constructor", direction: DESC }]) { totalCount edges { node { values } } }
       aggregate(groupBy: ["__proto__", "constructor"]) { key count }`,
    );
    expect(result.errors).toBeUndefined();
    const t = result.data?.object.table;
    expect(t.rows.totalCount).toBe(2);
    expect(t.rows.edges.map((e: { node: { values: { constructor: string } } }) => e.node.values.constructor)).toEqual(['c', 'b']);
    const keys = t.aggregate.map((g: { key: Record<string, unknown> }) => g.key);
    expect(keys).toContainEqual(JSON.parse('{"__proto__":"hasOwnProperty","constructor":"b"}'));
    for (const key of keys) expect(Object.keys(key)).toEqual(['__proto__', 'constructor']);
    unpolluted();
  });

  it.each(['proto.ndjson', 'proto.json'])('%s: records with a __proto__ key keep it as a column', async (key) => {
    const result = await table(key, 'columns { name } rows(first: 5) { edges { node { values } } }');
    expect(result.errors).toBeUndefined();
    const t = result.data?.object.table;
    expect(t.columns.map((c: { name: string }) => c.name)).toContain('__proto__');
    const values = t.rows.edges.map((e: { node: { values: Record<string, unknown> } }) => e.node.values);
    expect(Object.keys(values[0])).toContain('__proto__');
    expect(Object.getOwnPropertyDescriptor(values[1], '__proto__')?.value).toMatch(/^[pq]$/);
    unpolluted();
  });

  it('a __proto__ key that appears after the inferred rows is kept as an extra value', async () => {
    const result = await table('late.ndjson', 'rows(first: 5) { edges { node { values } } }');
    expect(result.errors).toBeUndefined();
    const last = result.data?.object.table.rows.edges[2].node.values;
    expect(Object.keys(last)).toEqual(expect.arrayContaining(['n', '__proto__', 'constructor']));
    expect(last.constructor).toBe('c');
    unpolluted();
  });

  it('putObject with JSON content holding __proto__ keys writes and reads them back as data', async () => {
    const content = JSON.parse('{"__proto__":{"polluted":1},"a":{"__proto__":{"x":1}},"constructor":{"prototype":{"polluted":2}}}');
    const put = await app.gql('mutation($b: String!, $c: JSON!) { putObject(bucket: $b, key: "put.json", content: $c) { size } }', {
      b: bucket,
      c: content,
    });
    expect(put.errors).toBeUndefined();
    const read = await app.gql(`{ object(bucket: "${bucket}", key: "put.json") { json } }`);
    expect(read.errors).toBeUndefined();
    expect(Object.keys(read.data?.object.json)).toEqual(['__proto__', 'a', 'constructor']);
    expect(JSON.stringify(read.data?.object.json)).toBe(JSON.stringify(content));
    unpolluted();
  });

  it('putObject of rows whose keys are __proto__ writes a CSV with that column', async () => {
    const rows = JSON.parse('[{"__proto__":"x","n":1},{"__proto__":"y","n":2}]');
    const put = await app.gql('mutation($b: String!, $c: JSON!) { putObject(bucket: $b, key: "rows.csv", content: $c) { size } }', {
      b: bucket,
      c: rows,
    });
    expect(put.errors).toBeUndefined();
    const read = await app.gql(`{ object(bucket: "${bucket}", key: "rows.csv") { text } }`);
    expect(read.data?.object.text.split(/\r?\n/)[0]).toBe('__proto__,n');
    unpolluted();
  });
});

describe('a dataset over columns named __proto__ and constructor', () => {
  it('overrides them by name from the YAML config, and serves them as typed fields', async () => {
    const config = parseConfig(
      [
        'datasets:',
        '  - name: protoData',
        `    bucket: ${bucket}`,
        '    key: dataset.csv',
        '    columns:',
        '      __proto__: { field: protoColumn, description: "the column named __proto__" }',
        '      constructor: { field: ctor, type: STRING }',
      ].join('\n'),
      'datasets.yaml',
    );
    expect(Object.keys(config.datasets[0]?.columns ?? {})).toEqual(['__proto__', 'constructor']);
    await app.storage.putObject({ bucket, key: 'dataset.csv' }, Buffer.from('__proto__,constructor,toString,n\nx,1,t,1\ny,2,u,2\n'), {});
    const withData = await startTestApp({}, { config });
    try {
      const result = await withData.gql('{ protoData(first: 5) { edges { node { protoColumn ctor toString n } } } }');
      expect(result.errors).toBeUndefined();
      expect(result.data?.protoData.edges.map((e: { node: unknown }) => e.node)).toEqual([
        { protoColumn: 'x', ctor: '1', toString: 't', n: 1 },
        { protoColumn: 'y', ctor: '2', toString: 'u', n: 2 },
      ]);
      unpolluted();
    } finally {
      await withData.close();
    }
  });
});
