// Property-based round trips through bucketql itself: what putObject writes, `json`,
// `content` and `table` read back, with values typed as the contract says (CSV cells
// are text, so a column's type comes from its values: INT, FLOAT, BOOLEAN, DATETIME,
// STRING; empty cells are null; a column of mixed kinds is STRING, as written).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const PUT = 'mutation($b: String!, $k: String!, $c: JSON!) { putObject(bucket: $b, key: $k, content: $c) { etag } }';

/** What JSON (and so GraphQL's JSON scalar) makes of a value: -0 is 0, and so on. */
function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

type Kind = 'NULL' | 'INT' | 'FLOAT' | 'BOOLEAN' | 'DATETIME' | 'STRING';

/** A cell as putObject gets it, its text in the CSV, and the kind the contract gives that text. */
interface Cell {
  input: string | number | boolean | null;
  kind: Kind;
  /** The typed value when the column has this kind (DATETIME: the instant in UTC). */
  typed: string | number | boolean | null;
}

function numberCell(n: number): Cell {
  const text = String(n);
  // Integers are INT up to 2^53-1; larger ones, written as digits, stay strings.
  if (/^-?\d+$/.test(text))
    return Number.isSafeInteger(n) ? { input: n, kind: 'INT', typed: n } : { input: n, kind: 'STRING', typed: text };
  return { input: n, kind: 'FLOAT', typed: Number(text) };
}

const intCell = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger(), fc.integer()).map(numberCell);
const floatCell = fc.double({ noNaN: true, noDefaultInfinity: true }).map(numberCell);
const boolCell = fc.boolean().map((b): Cell => ({ input: b, kind: 'BOOLEAN', typed: b }));
const boolTextCell = fc
  .constantFrom('true', 'False', 'TRUE')
  .map((s): Cell => ({ input: s, kind: 'BOOLEAN', typed: s.toLowerCase() === 'true' }));
const nullCell = fc.constantFrom<Cell>({ input: null, kind: 'NULL', typed: null }, { input: '', kind: 'NULL', typed: null });

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateTimeCell = fc
  .tuple(
    fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }),
    fc.constantFrom('date', 'space', 'iso', 'offset'),
    fc.integer({ min: -12, max: 14 }),
  )
  .map(([date, style, offsetHours]): Cell => {
    const d = new Date(Math.floor(date.getTime() / 1000) * 1000);
    const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    if (style === 'date') return { input: ymd, kind: 'DATETIME', typed: `${ymd}T00:00:00.000Z` };
    if (style === 'space') return { input: `${ymd} ${hms}`, kind: 'DATETIME', typed: d.toISOString() };
    if (style === 'iso') return { input: d.toISOString(), kind: 'DATETIME', typed: d.toISOString() };
    // The same instant, written in another zone.
    const local = new Date(d.getTime() + offsetHours * 3_600_000);
    const text = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${offsetHours < 0 ? '-' : '+'}${pad(Math.abs(offsetHours))}:00`;
    return { input: text, kind: 'DATETIME', typed: d.toISOString() };
  });

/** Strings that read as nothing but strings (the contract's examples among them). */
const stringCell = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => !/^[-+.\d]/.test(s) && !/^(true|false)$/i.test(s)),
    fc.constantFrom(
      'NA',
      'n/a',
      'null',
      '-',
      '007',
      '00123',
      'a,b',
      'say "hi"',
      'line\nbreak',
      'crlf\r\ninside',
      ' padded ',
      '쉼표, 따옴표 "와"',
      '똠',
    ),
  )
  .map((s): Cell => ({ input: s, kind: 'STRING', typed: s }));

/** A column's generator: one kind (with some empty cells), or a mix of kinds. */
const columnKind = fc.constantFrom('int', 'float', 'bool', 'boolText', 'datetime', 'string', 'mixed', 'numbers', 'empty');
function cellsOf(kind: string): fc.Arbitrary<Cell> {
  const withNulls = (a: fc.Arbitrary<Cell>) => fc.oneof({ arbitrary: a, weight: 4 }, { arbitrary: nullCell, weight: 1 });
  switch (kind) {
    case 'int':
      return withNulls(intCell);
    case 'float':
      return withNulls(floatCell);
    case 'bool':
      return withNulls(boolCell);
    case 'boolText':
      return withNulls(boolTextCell);
    case 'datetime':
      return withNulls(dateTimeCell);
    case 'string':
      return withNulls(stringCell);
    case 'numbers':
      return withNulls(fc.oneof(intCell, floatCell));
    case 'empty':
      return nullCell;
    default:
      return fc.oneof(intCell, floatCell, boolCell, dateTimeCell, stringCell, nullCell);
  }
}

/** The contract's column type for the kinds of its cells. */
function columnType(cells: Cell[]): Kind {
  const kinds = new Set(cells.map((c) => c.kind).filter((k) => k !== 'NULL'));
  if (kinds.size === 0) return 'NULL';
  if (kinds.size === 1) return [...kinds][0] as Kind;
  if ([...kinds].every((k) => k === 'INT' || k === 'FLOAT')) return 'FLOAT';
  return 'STRING';
}

/** A cell read back in a column of `type`: typed when it fits, else its text as written. */
function expectedValue(cell: Cell, type: Kind): unknown {
  if (cell.kind === 'NULL') return null;
  if (cell.kind === type || (type === 'FLOAT' && cell.kind === 'INT')) return cell.typed;
  return typeof cell.input === 'string' ? cell.input : String(cell.input);
}

const columnName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((s) => s.trim() !== '' && s !== '__proto__');

const table = fc
  .uniqueArray(columnName, { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc
        .tuple(...names.map(() => columnKind))
        .chain((kinds) => fc.array(fc.tuple(...kinds.map((kind) => cellsOf(kind))), { minLength: 1, maxLength: 15 })),
    ),
  )
  .map(([names, rows]) => ({ names, rows: rows as Cell[][] }));

describe('round trips through bucketql', () => {
  let app: TestApp;
  const bucket = uniqueBucket('roundtrip');

  beforeAll(async () => {
    app = await startTestApp();
    await app.storage.createBucket(bucket);
  });
  afterAll(() => app.close());

  it('.json: any JSON value comes back from `json` and `content` as written', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 4 }).filter((v) => v !== null),
        async (value) => {
          const key = `json/${n++}.json`;
          const put = await app.gql(PUT, { b: bucket, k: key, c: value });
          expect(put.errors).toBeUndefined();
          const read = await app.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { json content } }', {
            b: bucket,
            k: key,
          });
          expect(read.errors).toBeUndefined();
          expect(read.data?.object).toEqual({ json: viaJson(value), content: viaJson(value) });
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('.json: strings with any code points, lone surrogates included', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'binary', maxLength: 20 }), { minLength: 1, maxLength: 5 }), async (value) => {
        const key = `json-text/${n++}.json`;
        expect((await app.gql(PUT, { b: bucket, k: key, c: value })).errors).toBeUndefined();
        const read = await app.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { json } }', { b: bucket, k: key });
        expect(read.data?.object.json).toEqual(value);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('.txt: any well-formed text comes back from `text` and `content` as written', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(
            fc.string({ unit: 'grapheme', maxLength: 40 }),
            fc.string({ unit: fc.constantFrom('a', 'é', '한', '똠', '\r', '\n', '\t', ' ', '\u0000', '😀', '\uFEFF'), maxLength: 40 }),
          )
          // A leading U+FEFF is a byte order mark to every reader, bucketql's included (see below).
          .filter((text) => !text.startsWith('\uFEFF')),
        async (text) => {
          const key = `text/${n++}.txt`;
          expect((await app.gql(PUT, { b: bucket, k: key, c: text })).errors).toBeUndefined();
          const read = await app.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { size text content } }', {
            b: bucket,
            k: key,
          });
          expect(read.errors).toBeUndefined();
          expect(read.data?.object).toEqual({ size: Buffer.byteLength(text), text, content: text });
        },
      ),
      { numRuns: 80 },
    );
  }, 120_000);

  it('.txt: a leading U+FEFF is written as a UTF-8 byte order mark, which reading strips', async () => {
    expect((await app.gql(PUT, { b: bucket, k: 'text/bom.txt', c: '\uFEFFhello' })).errors).toBeUndefined();
    const { stream } = await app.storage.getObject({ bucket, key: 'text/bom.txt' });
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('hello')]));
    const read = await app.gql('query($b: String!) { object(bucket: $b, key: "text/bom.txt") { text } }', { b: bucket });
    expect(read.data?.object.text).toBe('hello');
  });

  it('.txt: text that UTF-8 cannot hold (an unpaired surrogate) is BAD_USER_INPUT, not silently replaced', async () => {
    for (const text of ['\uD800', 'a\uDC00b', 'x\uD83D']) {
      const result = await app.gql(PUT, { b: bucket, k: 'text/lone.txt', c: text });
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    expect(await app.storage.headObject({ bucket, key: 'text/lone.txt' })).toBeNull();
  });

  it('.csv: any table comes back from `table` and `content` typed as the contract says', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(table, fc.boolean(), async ({ names, rows }, asObjects) => {
        const key = `csv/${n++}.csv`;
        // As { columns, rows }, or as row objects (then empty cells are left out of some rows).
        const content = asObjects
          ? rows.map((row) => Object.fromEntries(row.flatMap((cell, i) => (cell.input === null ? [] : [[names[i] as string, cell.input]]))))
          : { columns: names, rows: rows.map((row) => row.map((cell) => cell.input)) };
        const put = await app.gql(PUT, { b: bucket, k: key, c: content });
        expect(put.errors).toBeUndefined();

        // Row objects: the header is the union of their keys in first-seen order, and a
        // column whose cells are all left out does not exist.
        const order = asObjects ? [...new Set((content as Record<string, unknown>[]).flatMap((row) => Object.keys(row)))] : names;
        const columns = order.map((name) => {
          const index = names.indexOf(name);
          const cells = rows.map((row) => row[index] as Cell);
          return { name, cells, type: columnType(cells) };
        });
        const read = await app.gql(
          `query($b: String!, $k: String!) { object(bucket: $b, key: $k) {
            content table { columns { name type } rowCount rows(first: 100) { edges { node { cells } } } }
          } }`,
          { b: bucket, k: key },
        );
        expect(read.errors).toBeUndefined();
        const object = read.data?.object;
        expect(object.table.columns).toEqual(columns.map((c) => ({ name: c.name, type: c.type })));
        // A row with every cell empty is still a row (its line is not blank); but rows
        // without a single column ([{}, {}]) have nothing a CSV could hold.
        const expectedRows = columns.length === 0 ? [] : rows.map((_, r) => columns.map((c) => expectedValue(c.cells[r] as Cell, c.type)));
        expect(object.table.rowCount).toBe(expectedRows.length);
        expect(object.table.rows.edges.map((e: { node: { cells: unknown[] } }) => e.node.cells)).toEqual(viaJson(expectedRows));
        expect(object.content).toEqual(viaJson(expectedRows.map((cells) => Object.fromEntries(columns.map((c, i) => [c.name, cells[i]])))));
      }),
      { numRuns: 80 },
    );
  }, 300_000);
});
