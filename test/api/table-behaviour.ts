// What typed tables promise through GraphQL, as a user sees them: `table` and its
// arguments, columns, counts, and rows with paging (end and edge cursors, ordered or
// not), filters, ordering and projection; `content` of tables; gzip; errors. Run by
// tables.test.ts (small tables parsed once and cached) and tables-streamed.test.ts
// (every table streamed, pages resumed at byte offsets): the same promises hold.
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const CITIES = ['Seoul', 'Busan', '', 'Incheon', '대구', 'busan'];

/** people.csv as typed values: the reference the answers are checked against. */
const PEOPLE = Array.from({ length: 40 }, (_, i) => ({
  id: i,
  name: `user ${i}`,
  city: (CITIES[i % CITIES.length] as string) || null,
  score: i % 4 === 0 ? null : (i * 7) % 10,
  active: i % 2 === 0,
  joined: new Date(Date.UTC(2024, 0, 1 + (i % 28), 9, 30) - (i % 3 === 0 ? 9 * 3600_000 : 0)).toISOString(),
  zip: String(1000 + i * 37).padStart(5, '0'),
}));

function peopleCsv(): string {
  const header = 'id,name,city,score,active,joined,zip';
  const lines = PEOPLE.map((p) => {
    // Written as people write them: zones on some dates, TRUE/false, quotes where needed.
    const joined = p.joined.replace('.000Z', '');
    const local =
      p.id % 3 === 0 ? `${new Date(Date.parse(p.joined) + 9 * 3600_000).toISOString().slice(0, 19)}+09:00` : joined.replace('T', ' ');
    return [p.id, `"${p.name}"`, p.city ?? '', p.score ?? '', p.active ? 'TRUE' : 'false', local, p.zip].join(',');
  });
  return `${header}\r\n${lines.join('\r\n')}\r\n`;
}

const codes = (result: GraphQLResponse) => result.errors?.map((e) => e.extensions?.code);

export function describeTables(name: string, env: Record<string, string>): void {
  describe(`tables (${name})`, () => {
    let app: TestApp;
    const bucket = uniqueBucket('tables');
    const other = uniqueBucket('tables-other');

    async function put(key: string, body: string | Buffer, b = bucket) {
      await app.storage.putObject({ bucket: b, key }, typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
    }

    beforeAll(async () => {
      app = await startTestApp(env);
      await app.storage.createBucket(bucket);
      await app.storage.createBucket(other);
      const people = peopleCsv();
      await put('people.csv', people);
      await put('people.csv', people, other);
      await put('people.tsv', people.replace(/,/g, '\t'));
      await put('people.csv.gz', gzipSync(people));
      await put('people-semicolon.txt', people.replace(/,/g, ';'));
      const records = PEOPLE.map(({ id, name, city, score }) => ({ id, name, city, score }));
      await put('people.json', JSON.stringify(records, null, 1));
      await put('people.json.gz', gzipSync(JSON.stringify(records)));
      await put('people.ndjson', records.map((r) => JSON.stringify(r)).join('\n'));
      await put('people.ndjson.gz', gzipSync(records.map((r) => JSON.stringify(r)).join('\n')));
      await put('array.txt', JSON.stringify(records));
      await put('not-a-table.json', '{"a":1}');
      await put('korean.csv', iconv.encode(`이름,도시\n${'똠방각하,서울\n'.repeat(100)}`, 'cp949'));
      await put('headers.csv', `name,name,,column_3\n${'a,b,c,d\n'.repeat(300)}`);
      // Wider than the header only after the first 1000 rows (the default sample).
      await put('ragged.csv', `a,b,c\n1,2,3\n4\n${'5,6,7\n'.repeat(1100)}8,9,10,11\n`);
      await put('bad.csv.gz', Buffer.from('this is not gzip at all, but it has to be longer than a header'.repeat(30)));
      await put('truncated.csv.gz', gzipSync(people).subarray(0, 200));
      await put('unterminated.csv', `a,b\n${'1,x\n'.repeat(300)}2,"open\n3,y\n`);
      await put('photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x00, 0x0d]));
    });

    afterAll(() => app?.close());

    /** One object's table, with `selection` inside `table(args)`. */
    async function table(key: string, selection: string, args = '', variables: Record<string, unknown> = {}, b = bucket) {
      const declared = Object.keys(variables)
        .map((name) => `, $${name}: ${VARIABLE_TYPES[name]}`)
        .join('');
      return app.gql(`query($b: String!, $k: String!${declared}) { object(bucket: $b, key: $k) { table${args} { ${selection} } } }`, {
        b,
        k: key,
        ...variables,
      });
    }

    const VARIABLE_TYPES: Record<string, string> = {
      first: 'Int',
      after: 'String',
      where: 'RowFilter',
      orderBy: '[RowOrder!]',
      columns: '[String!]',
    };

    const ROWS = 'rows(first: $first, after: $after, where: $where, orderBy: $orderBy, columns: $columns)';
    const PAGE = `${ROWS} { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { index values cells } } }`;

    interface Page {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: { index: number; values: Record<string, unknown>; cells: unknown[] } }[];
    }

    async function page(key: string, variables: Record<string, unknown>, args = ''): Promise<Page> {
      const result = await table(key, PAGE, args, { first: null, after: null, where: null, orderBy: null, columns: null, ...variables });
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      return result.data?.object.table.rows;
    }

    async function pageError(key: string, variables: Record<string, unknown>): Promise<(string | undefined)[] | undefined> {
      const result = await table(key, PAGE, '', { first: null, after: null, where: null, orderBy: null, columns: null, ...variables });
      return codes(result);
    }

    /**
     * Every row, page by page. `edge`: continue after the cursor of this edge of each
     * page (rows after it are read again on the next page) instead of `endCursor`.
     */
    async function pageThrough(key: string, variables: Record<string, unknown>, first: number, edge?: number) {
      const seen: { index: number; values: Record<string, unknown> }[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 200; pages++) {
        const p = await page(key, { ...variables, first, after });
        const upTo = edge === undefined || !p.pageInfo.hasNextPage ? p.edges.length : edge + 1;
        seen.push(...p.edges.slice(0, upTo).map((e) => e.node));
        if (!p.pageInfo.hasNextPage) return seen;
        after = edge === undefined ? p.pageInfo.endCursor : (p.edges[edge] as Page['edges'][number]).cursor;
      }
      throw new Error('paging did not end');
    }

    describe('table(...)', () => {
      it('reads a CSV object with its format, and no sheets', async () => {
        const result = await table('people.csv', 'format sheet sheets rowCount');
        expect(result.data?.object.table).toEqual({ format: 'CSV', sheet: null, sheets: [], rowCount: 40 });
      });

      it('infers columns: name, index, type, nullable', async () => {
        const result = await table('people.csv', 'columns { name index type nullable }');
        expect(result.data?.object.table.columns).toEqual([
          { name: 'id', index: 0, type: 'INT', nullable: false },
          { name: 'name', index: 1, type: 'STRING', nullable: false },
          { name: 'city', index: 2, type: 'STRING', nullable: true },
          { name: 'score', index: 3, type: 'INT', nullable: true },
          { name: 'active', index: 4, type: 'BOOLEAN', nullable: false },
          { name: 'joined', index: 5, type: 'DATETIME', nullable: false },
          { name: 'zip', index: 6, type: 'STRING', nullable: false },
        ]);
      });

      it('reads TSV, and `.txt` as CSV with `format` (delimiter detected)', async () => {
        const tsv = await table('people.tsv', 'format rowCount rows(first: 1) { edges { node { values } } }');
        expect(tsv.data?.object.table).toMatchObject({ format: 'TSV', rowCount: 40 });
        expect(tsv.data?.object.table.rows.edges[0].node.values).toEqual(PEOPLE[0]);
        const txt = await table('people-semicolon.txt', 'format rowCount rows(first: 1) { edges { node { values } } }', '(format: CSV)');
        expect(txt.data?.object.table).toMatchObject({ format: 'CSV', rowCount: 40 });
        expect(txt.data?.object.table.rows.edges[0].node.values).toEqual(PEOPLE[0]);
        const json = await table('array.txt', 'format rowCount', '(format: JSON)');
        expect(json.data?.object.table).toEqual({ format: 'JSON', rowCount: 40 });
      });

      it('takes an explicit delimiter', async () => {
        const result = await table('people-semicolon.txt', 'columns { name }', '(format: CSV, delimiter: ";")');
        expect(result.data?.object.table.columns.map((c: { name: string }) => c.name)).toEqual([
          'id',
          'name',
          'city',
          'score',
          'active',
          'joined',
          'zip',
        ]);
        const wrong = await table('people-semicolon.txt', 'columns { name }', '(format: CSV, delimiter: ",")');
        expect(wrong.data?.object.table.columns).toHaveLength(1);
      });

      it('with header: false names the columns column_1, ... and counts the header line as a row', async () => {
        const result = await table(
          'people.csv',
          'rowCount columns { name type } rows(first: 1) { edges { node { values } } }',
          '(header: false)',
        );
        expect(result.data?.object.table.rowCount).toBe(41);
        expect(result.data?.object.table.columns.map((c: { name: string }) => c.name)).toEqual([
          'column_1',
          'column_2',
          'column_3',
          'column_4',
          'column_5',
          'column_6',
          'column_7',
        ]);
        expect(result.data?.object.table.rows.edges[0].node.values.column_1).toBe('id');
      });

      it('names duplicate and empty header names name, name_2, column_3 (keeping a written column_3)', async () => {
        const result = await table('headers.csv', 'columns { name } rows(first: 1) { edges { node { values } } }');
        expect(result.data?.object.table.columns.map((c: { name: string }) => c.name)).toEqual([
          'name',
          'name_2',
          'column_3_2',
          'column_3',
        ]);
        expect(result.data?.object.table.rows.edges[0].node.values).toEqual({ name: 'a', name_2: 'b', column_3_2: 'c', column_3: 'd' });
      });

      it('reads ragged rows: missing cells are null, extra cells are kept under column_<position>', async () => {
        const result = await table('ragged.csv', 'rowCount rows(first: 2) { edges { node { values cells } } }');
        expect(result.data?.object.table.rows.edges.map((e: { node: unknown }) => e.node)).toEqual([
          { values: { a: 1, b: 2, c: 3 }, cells: [1, 2, 3] },
          { values: { a: 4, b: null, c: null }, cells: [4, null, null] },
        ]);
        const last = await table(
          'ragged.csv',
          'rows(first: 1, where: { column: "a", op: EQ, value: 8 }) { edges { node { values cells } } }',
        );
        expect(last.data?.object.table.rows.edges[0].node).toEqual({ values: { a: 8, b: 9, c: 10, column_4: '11' }, cells: [8, 9, 10] });
      });

      it('detects CP949 and reads it with encoding euc-kr or cp949 alike', async () => {
        for (const args of ['', '(encoding: "euc-kr")', '(encoding: "cp949")']) {
          const result = await table('korean.csv', 'rowCount rows(first: 1) { edges { node { values } } }', args);
          expect(result.errors, args).toBeUndefined();
          expect(result.data?.object.table).toEqual({
            rowCount: 100,
            rows: { edges: [{ node: { values: { 이름: '똠방각하', 도시: '서울' } } }] },
          });
        }
      });

      it('refuses arguments that do not fit (BAD_USER_INPUT)', async () => {
        expect(codes(await table('people.csv', 'rowCount', '(sheet: "Sheet1")'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('people.json', 'rowCount', '(delimiter: ";")'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('people.ndjson', 'rowCount', '(sheet: "x")'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('people.csv', 'rowCount', '(encoding: "no-such-encoding")'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('people.csv', 'rowCount', '(delimiter: "\\"")'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('people-semicolon.txt', 'rowCount'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('people.csv', 'rowCount', '(format: TEXT)'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('photo.png', 'rowCount'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('not-a-table.json', 'rowCount'))).toEqual(['BAD_USER_INPUT']);
      });
    });

    describe('counts', () => {
      it('rowCount counts data rows; count(where) the matching ones', async () => {
        const result = await table(
          'people.csv',
          `rowCount all: count
         seoul: count(where: { column: "city", op: EQ, value: "seoul", ignoreCase: true })
         noCity: count(where: { column: "city", op: IS_NULL })
         notBusan: count(where: { not: { column: "city", op: EQ, value: "Busan" } })
         neBusan: count(where: { column: "city", op: NE, value: "Busan" })
         high: count(where: { and: [{ column: "score", op: GTE, value: 7 }, { column: "active", op: EQ, value: true }] })
         january10: count(where: { column: "joined", op: LT, value: "2024-01-10T18:30:00+09:00" })`,
        );
        const expected = {
          rowCount: 40,
          all: 40,
          seoul: PEOPLE.filter((p) => p.city === 'Seoul').length,
          noCity: PEOPLE.filter((p) => p.city === null).length,
          notBusan: PEOPLE.filter((p) => p.city !== 'Busan').length,
          neBusan: PEOPLE.filter((p) => p.city !== null && p.city !== 'Busan').length,
          high: PEOPLE.filter((p) => p.score !== null && p.score >= 7 && p.active).length,
          january10: PEOPLE.filter((p) => Date.parse(p.joined) < Date.parse('2024-01-10T09:30:00Z')).length,
        };
        expect(result.data?.object.table).toEqual(expected);
      });

      it('refuse filters on unknown columns and values of the wrong type', async () => {
        expect(codes(await table('people.csv', 'count(where: { column: "nope", op: IS_NULL })'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('people.csv', 'count(where: { column: "score", op: GT, value: "high" })'))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await table('people.csv', 'count(where: { column: "score", op: CONTAINS, value: "1" })'))).toEqual(['BAD_USER_INPUT']);
      });
    });

    describe('rows', () => {
      it('are typed values by column name, and cells in column order; DATETIME in UTC', async () => {
        const p = await page('people.csv', { first: 3 });
        expect(p.edges.map((e) => e.node)).toEqual(
          PEOPLE.slice(0, 3).map((person, index) => ({ index, values: person, cells: Object.values(person) })),
        );
        expect(p.edges[0]?.node.values.joined).toBe('2024-01-01T00:30:00.000Z');
        expect(p.edges[1]?.node.values.joined).toBe('2024-01-02T09:30:00.000Z');
        expect(p.totalCount).toBe(40);
        expect(p.pageInfo.hasNextPage).toBe(true);
        expect(p.pageInfo.endCursor).toBe(p.edges[2]?.cursor);
      });

      it('take `first` from 1 to 10000 (default 100); anything else is BAD_USER_INPUT', async () => {
        expect(await pageError('people.csv', { first: 0 })).toEqual(['BAD_USER_INPUT']);
        expect(await pageError('people.csv', { first: -5 })).toEqual(['BAD_USER_INPUT']);
        expect(await pageError('people.csv', { first: 10_001 })).toEqual(['BAD_USER_INPUT']);
        expect((await page('people.csv', { first: 10_000 })).edges).toHaveLength(40);
        const byDefault = await table('people.csv', 'rows { edges { cursor } }');
        expect(byDefault.data?.object.table.rows.edges).toHaveLength(40);
      });

      it('page through the table with endCursor, every row exactly once', async () => {
        for (const first of [4, 13, 40]) {
          const rows = await pageThrough('people.csv', {}, first);
          expect(rows.map((r) => r.index)).toEqual(PEOPLE.map((_, i) => i));
          expect(rows.map((r) => r.values)).toEqual(PEOPLE);
        }
      });

      it('page through the table with the cursor of any edge', async () => {
        for (const [first, edge] of [
          [7, 2],
          [9, 7],
        ] as const) {
          const rows = await pageThrough('people.csv', {}, first, edge);
          expect(rows.map((r) => r.index)).toEqual(PEOPLE.map((_, i) => i));
        }
      });

      it('page through gzipped, TSV, JSON and NDJSON tables alike', async () => {
        for (const key of ['people.csv.gz', 'people.tsv']) {
          expect((await pageThrough(key, {}, 13)).map((r) => r.values)).toEqual(PEOPLE);
        }
        const records = PEOPLE.map(({ id, name, city, score }) => ({ id, name, city, score }));
        for (const key of ['people.json', 'people.json.gz', 'people.ndjson', 'people.ndjson.gz']) {
          expect(
            (await pageThrough(key, {}, 13)).map((r) => r.values),
            key,
          ).toEqual(records);
          expect(
            (await pageThrough(key, {}, 10, 6)).map((r) => r.index),
            key,
          ).toEqual(records.map((_, i) => i));
        }
      });

      it('with `where` page through the matching rows only; totalCount counts them all', async () => {
        const where = {
          or: [
            { column: 'city', op: 'STARTS_WITH', value: 'b', ignoreCase: true },
            { column: 'score', op: 'IS_NULL' },
          ],
        };
        const expected = PEOPLE.flatMap((p, i) => ((p.city?.toLowerCase().startsWith('b') ?? false) || p.score === null ? [i] : []));
        expect((await pageThrough('people.csv', { where }, 4)).map((r) => r.index)).toEqual(expected);
        expect((await pageThrough('people.csv', { where }, 4, 1)).map((r) => r.index)).toEqual(expected);
        expect((await page('people.csv', { first: 2, where })).totalCount).toBe(expected.length);
      });

      describe('orderBy', () => {
        type Key = keyof (typeof PEOPLE)[number];
        /** The contract's order: by each key, nulls last in both directions, ties in table order. */
        function ordered(orderBy: { column: Key; direction?: 'ASC' | 'DESC' }[]): number[] {
          return PEOPLE.map((_, i) => i).sort((a, b) => {
            for (const { column, direction } of orderBy) {
              const x = PEOPLE[a]?.[column] ?? null;
              const y = PEOPLE[b]?.[column] ?? null;
              if (x === null || y === null) {
                if (x === y) continue;
                return x === null ? 1 : -1;
              }
              const c = column === 'joined' ? Date.parse(x as string) - Date.parse(y as string) : x < y ? -1 : x > y ? 1 : 0;
              if (c !== 0) return direction === 'DESC' ? -c : c;
            }
            return a - b;
          });
        }

        const orders: { column: Key; direction?: 'ASC' | 'DESC' }[][] = [
          [{ column: 'score' }],
          [{ column: 'score', direction: 'DESC' }],
          [{ column: 'city' }, { column: 'score', direction: 'DESC' }],
          [{ column: 'city', direction: 'DESC' }, { column: 'active' }, { column: 'zip', direction: 'DESC' }],
          [{ column: 'joined', direction: 'DESC' }],
          [{ column: 'active' }],
        ];

        it.each(orders.map((o) => [JSON.stringify(o), o] as const))('%s: pages reach every row once, in order', async (_name, orderBy) => {
          const expected = ordered(orderBy);
          expect((await pageThrough('people.csv', { orderBy }, 6)).map((r) => r.index)).toEqual(expected);
          expect((await pageThrough('people.csv', { orderBy }, 7, 4)).map((r) => r.index)).toEqual(expected);
        });

        it('puts nulls last in both directions, and keeps ties in table order', async () => {
          const asc = (await page('people.csv', { first: 40, orderBy: [{ column: 'score' }] })).edges.map((e) => e.node);
          const desc = (await page('people.csv', { first: 40, orderBy: [{ column: 'score', direction: 'DESC' }] })).edges.map(
            (e) => e.node,
          );
          for (const rows of [asc, desc]) {
            expect(rows.slice(-10).every((r) => r.values.score === null)).toBe(true);
            expect(rows.slice(-10).map((r) => r.index)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
          }
          const sevens = asc.filter((r) => r.values.score === 7).map((r) => r.index);
          expect(sevens).toEqual([...sevens].sort((a, b) => a - b));
        });

        it('combines with `where` and `columns`', async () => {
          const p = await page('people.csv', {
            first: 3,
            where: { column: 'active', op: 'EQ', value: true },
            orderBy: [{ column: 'score', direction: 'DESC' }],
            columns: ['score', 'id'],
          });
          const expected = ordered([{ column: 'score', direction: 'DESC' }])
            .filter((i) => PEOPLE[i]?.active)
            .slice(0, 3)
            .map((i) => ({ score: PEOPLE[i]?.score, id: i }));
          expect(p.edges.map((e) => e.node.values)).toEqual(expected);
          expect(p.edges.map((e) => e.node.cells)).toEqual(expected.map((v) => [v.score, v.id]));
          expect(p.totalCount).toBe(PEOPLE.filter((x) => x.active).length);
        });

        it('refuses unknown columns', async () => {
          expect(await pageError('people.csv', { first: 1, orderBy: [{ column: 'nope' }] })).toEqual(['BAD_USER_INPUT']);
        });
      });

      it('project `columns`: values and cells hold those, in that order; unknown ones are BAD_USER_INPUT', async () => {
        const p = await page('people.csv', { first: 2, columns: ['zip', 'name', 'joined'] });
        expect(p.edges.map((e) => e.node.values)).toEqual(PEOPLE.slice(0, 2).map((x) => ({ zip: x.zip, name: x.name, joined: x.joined })));
        expect(Object.keys(p.edges[0]?.node.values ?? {})).toEqual(['zip', 'name', 'joined']);
        expect(p.edges[0]?.node.cells).toEqual([PEOPLE[0]?.zip, PEOPLE[0]?.name, PEOPLE[0]?.joined]);
        expect(await pageError('people.csv', { first: 1, columns: ['name', 'nope'] })).toEqual(['BAD_USER_INPUT']);
      });

      describe('cursors', () => {
        it('from another object, or another table of the same object, are BAD_USER_INPUT', async () => {
          const cursor = (await page('people.csv', { first: 2 })).pageInfo.endCursor;
          expect(await pageError('people.tsv', { first: 2, after: cursor })).toEqual(['BAD_USER_INPUT']);
          const fromOtherBucket = await table(
            'people.csv',
            PAGE,
            '',
            { first: 2, after: cursor, where: null, orderBy: null, columns: null },
            other,
          );
          expect(codes(fromOtherBucket)).toEqual(['BAD_USER_INPUT']);
          const otherOptions = await table('people.csv', PAGE, '(header: false)', {
            first: 2,
            after: cursor,
            where: null,
            orderBy: null,
            columns: null,
          });
          expect(codes(otherOptions)).toEqual(['BAD_USER_INPUT']);
        });

        it('from an older version of the object are BAD_USER_INPUT', async () => {
          await put('versioned.csv', 'a\n1\n2\n3\n'.padEnd(1200, '\n'));
          const cursor = (await page('versioned.csv', { first: 1 })).pageInfo.endCursor;
          expect((await page('versioned.csv', { first: 1, after: cursor })).edges[0]?.node.values).toEqual({ a: 2 });
          await put('versioned.csv', 'a\n10\n20\n30\n'.padEnd(1200, '\n'));
          const result = await pageError('versioned.csv', { first: 1, after: cursor });
          expect(result).toEqual(['BAD_USER_INPUT']);
        });

        it('that are malformed are BAD_USER_INPUT', async () => {
          const cursor = (await page('people.csv', { first: 2 })).pageInfo.endCursor as string;
          for (const after of ['garbage', '', `${cursor.slice(0, 10)}`, Buffer.from('{"v":1}').toString('base64url')]) {
            expect(await pageError('people.csv', { first: 2, after }), after).toEqual(['BAD_USER_INPUT']);
          }
        });

        it('of an ordered page need the same orderBy; plain ones need none', async () => {
          const orderBy = [{ column: 'score' }];
          const ordered = (await page('people.csv', { first: 2, orderBy })).pageInfo.endCursor;
          const plain = (await page('people.csv', { first: 2 })).pageInfo.endCursor;
          expect(await pageError('people.csv', { first: 2, after: ordered })).toEqual(['BAD_USER_INPUT']);
          expect(await pageError('people.csv', { first: 2, after: ordered, orderBy: [{ column: 'score', direction: 'DESC' }] })).toEqual([
            'BAD_USER_INPUT',
          ]);
          expect(await pageError('people.csv', { first: 2, after: plain, orderBy })).toEqual(['BAD_USER_INPUT']);
        });
      });
    });

    describe('content', () => {
      it('of CSV and TSV objects is their rows as typed objects', async () => {
        for (const key of ['people.csv', 'people.tsv', 'people.csv.gz']) {
          const result = await app.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { content } }', {
            b: bucket,
            k: key,
          });
          expect(result.data?.object.content, key).toEqual(PEOPLE);
        }
      });

      it('of JSON and NDJSON tables is their row objects', async () => {
        const records = PEOPLE.map(({ id, name, city, score }) => ({ id, name, city, score }));
        for (const key of ['people.json', 'people.ndjson', 'people.json.gz', 'people.ndjson.gz']) {
          const result = await app.gql('query($b: String!, $k: String!) { object(bucket: $b, key: $k) { content } }', {
            b: bucket,
            k: key,
          });
          expect(result.data?.object.content, key).toEqual(records);
        }
      });
    });

    describe('broken objects', () => {
      it('bad gzip is DECODE_FAILED', async () => {
        for (const key of ['bad.csv.gz', 'truncated.csv.gz']) {
          const result = await table(key, 'rowCount');
          expect(codes(result), key).toEqual(['DECODE_FAILED']);
          expect(result.errors?.[0]?.message).toMatch(/gzip|truncated|end/i);
        }
      });

      it('an unterminated quote is DECODE_FAILED naming the row', async () => {
        const result = await table('unterminated.csv', 'rowCount');
        expect(codes(result)).toEqual(['DECODE_FAILED']);
        expect(result.errors?.[0]?.message).toMatch(/row 302\b/);
      });

      it('a field failing with DECODE_FAILED leaves the other fields of the request intact', async () => {
        const result = await app.gql(
          `query($b: String!) {
          bad: object(bucket: $b, key: "bad.csv.gz") { key table { rowCount } }
          good: object(bucket: $b, key: "people.csv") { key table { rowCount rows(first: 1) { edges { node { index } } } } }
          json: object(bucket: $b, key: "people.json") { table { rowCount } }
        }`,
          { b: bucket },
        );
        expect(codes(result)).toEqual(['DECODE_FAILED']);
        expect(result.errors?.[0]?.path).toEqual(['bad', 'table', 'rowCount']);
        expect(result.data?.bad).toEqual({ key: 'bad.csv.gz', table: null });
        expect(result.data?.good).toEqual({ key: 'people.csv', table: { rowCount: 40, rows: { edges: [{ node: { index: 0 } }] } } });
        expect(result.data?.json).toEqual({ table: { rowCount: 40 } });
      });
    });
  });
}
