// What bucketql writes is what Python reads: objects written through putObject are
// fetched from S3 and read back by Debian's Python with pandas 1.5 and openpyxl,
// with the values compared. (/usr/bin/python3 on purpose: the pyenv python3 on PATH
// has no pandas.)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecForWrite } from '../../src/codecs/registry.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const PYTHON = '/usr/bin/python3';

/** Runs a Python snippet with `path` as sys.argv[1]; it prints one JSON value, which is returned. */
function python(script: string, path: string): Promise<any> {
  const program = `import json, sys\n${script}`;
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', program, path], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/** A DataFrame as {columns, dtypes, rows}, NaN as null, numpy scalars as Python ones. */
const DATAFRAME_AS_JSON = `
def frame_json(df):
    import pandas as pd
    rows = [[None if (not isinstance(v, (list, dict)) and pd.isna(v)) else v for v in row] for row in df.astype(object).values.tolist()]
    print(json.dumps({"columns": [str(c) for c in df.columns], "dtypes": [str(t) for t in df.dtypes], "rows": rows}, ensure_ascii=False, default=lambda o: o.item()))
`;

describe('Python reads what bucketql writes', () => {
  let app: TestApp;
  let dir: string;
  const bucket = uniqueBucket('python');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
    dir = mkdtempSync(join(tmpdir(), 'bucketql-python-'));
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** putObject through GraphQL, then the stored bytes in a local file named like the key. */
  async function writeAndFetch(key: string, content: unknown): Promise<string> {
    const result = await app.gql('mutation($b: String!, $k: String!, $c: JSON!) { putObject(bucket: $b, key: $k, content: $c) { size } }', {
      b: bucket,
      k: key,
      c: content,
    });
    expect(result.errors).toBeUndefined();
    const { stream } = await app.storage.getObject({ bucket, key });
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const path = join(dir, key.replaceAll('/', '_'));
    writeFileSync(path, Buffer.concat(chunks));
    return path;
  }

  // Values pandas' own inference types the same way: int64, float64, bool and text columns.
  const TABLE = {
    columns: ['id', 'name', 'score', 'active', 'note', 'city'],
    rows: [
      [1, 'Kim, Min-su', 91.5, true, 'says "hi"', '서울'],
      [2, '이영희', 78.25, false, 'line 1\nline 2', 'Busan'],
      [3, "O'Brien", -3.5, true, ' padded, with comma ', null],
      [9007199254740991, '똠방각하', 0.1, false, 'tab\there', '대전'],
    ],
  };
  const DTYPES = ['int64', 'object', 'float64', 'bool', 'object', 'object'];

  it.each([
    ['.csv', 'table.csv', ''],
    ['.csv.gz', 'table.csv.gz', ''],
    ['.tsv', 'table.tsv', ", sep='\\t'"],
  ])('%s: pandas.read_csv gives the same columns, types and values', async (_, key, options) => {
    const path = await writeAndFetch(key, TABLE);
    const frame = await python(`${DATAFRAME_AS_JSON}\nimport pandas as pd\nframe_json(pd.read_csv(sys.argv[1]${options}))`, path);
    expect(frame).toEqual({ columns: TABLE.columns, dtypes: DTYPES, rows: TABLE.rows });
  });

  it('.csv from row objects: pandas.read_csv reads the union of keys as columns', async () => {
    const rows = [
      { a: 1, b: 'x' },
      { b: 'y', c: 2.5 },
      { c: 3.5, a: 3 },
    ];
    const path = await writeAndFetch('objects.csv', rows);
    const frame = await python(`${DATAFRAME_AS_JSON}\nimport pandas as pd\nframe_json(pd.read_csv(sys.argv[1]))`, path);
    expect(frame).toEqual({
      columns: ['a', 'b', 'c'],
      dtypes: ['float64', 'object', 'float64'],
      rows: [
        [1, 'x', null],
        [null, 'y', 2.5],
        [3, null, 3.5],
      ],
    });
  });

  it('.json: json.load gives the same value', async () => {
    const value = {
      name: '한글',
      list: [1, 2.5, -3, true, false, null, 'x'],
      nested: { empty: {}, none: [] },
      big: 9007199254740991,
      tiny: 1e-7,
    };
    const path = await writeAndFetch('value.json', value);
    expect(await python("print(json.dumps(json.load(open(sys.argv[1], encoding='utf-8'))))", path)).toEqual(value);
  });

  it('.ndjson: pandas.read_json(lines=True) gives the same records', async () => {
    const records = [
      { id: 1, name: 'Kim', score: 1.5, tags: ['a', 'b'], ok: true },
      { id: 2, name: '이영희', score: -2.25, tags: [], ok: false },
      { id: 3, name: 'line\nbreak "quoted"', score: 0.5, tags: ['한'], ok: true },
    ];
    const path = await writeAndFetch('records.ndjson', records);
    const frame = await python(`${DATAFRAME_AS_JSON}\nimport pandas as pd\nframe_json(pd.read_json(sys.argv[1], lines=True))`, path);
    expect(frame).toEqual({
      columns: ['id', 'name', 'score', 'tags', 'ok'],
      dtypes: ['int64', 'object', 'float64', 'object', 'bool'],
      rows: records.map((r) => Object.values(r)),
    });
    // And line by line with json.loads, any values.
    const values = [1, 'two', null, [3], { four: 4 }];
    const mixed = await writeAndFetch('values.jsonl', values);
    expect(await python("print(json.dumps([json.loads(l) for l in open(sys.argv[1], encoding='utf-8') if l.strip()]))", mixed)).toEqual(
      values,
    );
  });

  describe('XLSX and pickle', () => {
    it('are written by their own codecs (a key whose codec is missing would be written as text)', () => {
      expect(codecForWrite('x.xlsx').codec.format).toBe('XLSX');
      expect(codecForWrite('x.pkl').codec.format).toBe('PICKLE');
    });

    const XLSX_TABLE = {
      columns: ['id', 'name', 'score', 'active'],
      rows: [
        [1, 'Kim, Min-su', 91.5, true],
        [2, '이영희', 78.25, false],
        [3, '똠방각하 "quoted"', -3.5, true],
      ],
    };

    it('.xlsx: openpyxl reads the same header and cells', async () => {
      const path = await writeAndFetch('table.xlsx', XLSX_TABLE);
      const sheet = await python(
        'import openpyxl\nwb = openpyxl.load_workbook(sys.argv[1])\nws = wb.worksheets[0]\nprint(json.dumps([list(r) for r in ws.iter_rows(values_only=True)], ensure_ascii=False))',
        path,
      );
      expect(sheet).toEqual([XLSX_TABLE.columns, ...XLSX_TABLE.rows]);
    });

    it('.xlsx: pandas.read_excel gives the same columns, types and values', async () => {
      const path = await writeAndFetch('frame.xlsx', XLSX_TABLE);
      const frame = await python(`${DATAFRAME_AS_JSON}\nimport pandas as pd\nframe_json(pd.read_excel(sys.argv[1]))`, path);
      expect(frame).toEqual({ columns: XLSX_TABLE.columns, dtypes: ['int64', 'object', 'float64', 'bool'], rows: XLSX_TABLE.rows });
    });

    it('.xlsx from row objects with empty cells', async () => {
      const rows = [
        { a: 1, b: '한' },
        { b: null, c: 2.5 },
      ];
      const path = await writeAndFetch('objects.xlsx', rows);
      const sheet = await python(
        'import openpyxl\nws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]\nprint(json.dumps([list(r) for r in ws.iter_rows(values_only=True)], ensure_ascii=False))',
        path,
      );
      expect(sheet).toEqual([
        ['a', 'b', 'c'],
        [1, '한', null],
        [null, null, 2.5],
      ]);
    });

    it('.pkl: pickle.loads gives the same plain data (protocol 4)', async () => {
      const values: unknown[] = [
        { name: '한글', list: [1, 2.5, -3, true, false, null, 'x'], nested: { empty: {}, none: [] }, big: 9007199254740991 },
        [
          { id: 1, name: 'Kim' },
          { id: 2, name: '이영희' },
        ],
        'just a string',
        42,
      ];
      for (const [i, value] of values.entries()) {
        const path = await writeAndFetch(`value-${i}.pkl`, value);
        const read = await python(
          "import pickle\ndata = open(sys.argv[1], 'rb').read()\nassert data[:2] == b'\\x80\\x04', data[:2]\nprint(json.dumps(pickle.loads(data), ensure_ascii=False))",
          path,
        );
        expect(read).toEqual(value);
      }
    });
  });
});
