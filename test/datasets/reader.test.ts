// What DatasetReader promises: the objects of a dataset read as one table in their
// order, each object's columns mapped by name onto the dataset's (a missing column is
// null, an extra one left out), a source-key column naming each row's object,
// partition columns filled from `key=value` folders, whose filters skip objects
// without reading them, and pages that go on across objects by row index.
import { describe, expect, it } from 'vitest';
import { csvCodec } from '../../src/codecs/csv.js';
import type { RawCell } from '../../src/codecs/types.js';
import { type DatasetPart, DatasetReader } from '../../src/datasets/reader.js';
import { TableCache } from '../../src/tables/cache.js';
import { countRows, readPage } from '../../src/tables/query.js';
import type { TableSchema } from '../../src/tables/reader.js';
import type { ColumnType } from '../../src/tables/types.js';
import { tableOf } from '../support/tables.js';

/** The dataset's schema, as resolveDataset fixes it, from its column names and types. */
function schemaOf(columns: [string, ColumnType][]): TableSchema {
  return {
    format: 'CSV',
    sheet: null,
    sheets: [],
    columns: columns.map(([name, type], index) => ({ name, index, type, nullable: true })),
    keys: null,
    reading: 'text',
  };
}

/** A part over CSV text; streamed (not cached whole), so the test sees what it reads. */
function part(key: string, csv: string, partition?: [string, RawCell][]): DatasetPart & { opens: () => number[] } {
  const reader = tableOf(csv, { codec: csvCodec, etag: key, cacheTableBytes: 0 });
  return {
    key,
    reader,
    ...(partition ? { partition: new Map(partition) } : {}),
    opens: () => reader.source.opens,
  };
}

function datasetOf(columns: [string, ColumnType][], parts: DatasetPart[], sourceKeyColumn = -1): DatasetReader {
  return new DatasetReader(schemaOf(columns), parts, sourceKeyColumn, new TableCache(16 * 1024 * 1024));
}

const values = async (reader: DatasetReader, first = 100) => (await readPage(reader, { first })).rows.map((r) => [r.index, r.values]);

describe('DatasetReader', () => {
  it('reads its objects as one table in their order, mapping columns by name', async () => {
    const reader = datasetOf(
      [
        ['id', 'INT'],
        ['city', 'STRING'],
        ['amount', 'FLOAT'],
      ],
      [
        part('a.csv', 'id,city,amount\n1,서울,1.5\n2,Busan,2\n'),
        // Columns in another order, one missing and one the dataset does not have.
        part('b.csv', 'city,id,extra\nIncheon,3,x\n'),
        part('c.csv', 'amount,id\n4.25,4\n'),
      ],
    );
    expect(await values(reader)).toEqual([
      [0, { id: 1, city: '서울', amount: 1.5 }],
      [1, { id: 2, city: 'Busan', amount: 2 }],
      [2, { id: 3, city: 'Incheon', amount: null }],
      [3, { id: 4, city: null, amount: 4.25 }],
    ]);
    expect(await countRows(reader, { column: 'id', op: 'GT', value: 1 })).toBe(3);
  });

  it('names the object each row came from in its source-key column', async () => {
    const reader = datasetOf(
      [
        ['id', 'INT'],
        ['file', 'STRING'],
      ],
      [part('logs/2024-01.csv', 'id\n1\n2\n'), part('logs/2024-02.csv', 'id\n3\n')],
      1,
    );
    expect((await values(reader)).map(([, v]) => v)).toEqual([
      { id: 1, file: 'logs/2024-01.csv' },
      { id: 2, file: 'logs/2024-01.csv' },
      { id: 3, file: 'logs/2024-02.csv' },
    ]);
  });

  it('fills partition columns from the folders, and does not read an object their filter rules out', async () => {
    const columns: [string, ColumnType][] = [
      ['id', 'INT'],
      ['year', 'INT'],
    ];
    const parts = [
      part('sales/year=2023/p.csv', 'id\n1\n2\n', [['year', 2023]]),
      part('sales/year=2024/p.csv', 'id\n3\n', [['year', 2024]]),
      part('sales/p.csv', 'id\n4\n', [['year', null]]),
    ];
    expect((await values(datasetOf(columns, parts))).map(([, v]) => v)).toEqual([
      { id: 1, year: 2023 },
      { id: 2, year: 2023 },
      { id: 3, year: 2024 },
      { id: 4, year: null },
    ]);

    const fresh = [
      part('sales/year=2023/p.csv', 'id\n1\n2\n', [['year', 2023]]),
      part('sales/year=2024/p.csv', 'id\n3\n', [['year', 2024]]),
    ];
    expect(await countRows(datasetOf(columns, fresh), { column: 'year', op: 'EQ', value: 2024 })).toBe(1);
    // A count does not need row indexes: the 2023 object is neither read nor counted.
    expect(fresh[0]?.opens()).toEqual([]);
    expect(fresh[1]?.opens().length).toBeGreaterThan(0);
  });

  it('keeps row indexes across objects a filter skips, by counting their rows', async () => {
    const columns: [string, ColumnType][] = [
      ['id', 'INT'],
      ['year', 'INT'],
    ];
    const reader = datasetOf(columns, [
      part('year=2023/p.csv', 'id\n1\n2\n', [['year', 2023]]),
      part('year=2024/p.csv', 'id\n3\n', [['year', 2024]]),
    ]);
    const page = await readPage(reader, { first: 10, where: { column: 'year', op: 'EQ', value: 2024 } });
    expect(page.rows.map((r) => [r.index, r.values])).toEqual([[2, { id: 3, year: 2024 }]]);
  });

  it('pages on across objects: a cursor resumes at the next row, skipping whole objects before it', async () => {
    const parts = [part('a.csv', 'id\n1\n2\n3\n'), part('b.csv', 'id\n4\n5\n'), part('c.csv', 'id\n6\n')];
    const reader = datasetOf([['id', 'INT']], parts);
    const seen: number[] = [];
    let after: string | null = null;
    do {
      const page = await readPage(reader, { first: 2, after });
      seen.push(...page.rows.map((r) => r.values.id as number));
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await readPage(reader, { first: 1, after: (await readPage(reader, { first: 4 })).endCursor })).toMatchObject({
      rows: [{ index: 4, values: { id: 5 } }],
    });
  });

  it('resumes at byte offsets only when it is one object without a source-key column', () => {
    const one = part('a.csv', 'id\n1\n');
    expect(one.reader.resumable).toBe(true);
    expect(datasetOf([['id', 'INT']], [one]).resumable).toBe(true);
    expect(datasetOf([['id', 'INT']], [one, part('b.csv', 'id\n2\n')]).resumable).toBe(false);
    expect(
      datasetOf(
        [
          ['id', 'INT'],
          ['file', 'STRING'],
        ],
        [one],
        1,
      ).resumable,
    ).toBe(false);
  });

  it('is a different table, for cursors and counts, when its objects or columns differ', () => {
    const a = part('a.csv', 'id\n1\n');
    const b = part('b.csv', 'id\n2\n');
    const id = datasetOf([['id', 'INT']], [a, b]).id;
    expect(datasetOf([['id', 'INT']], [a, b]).id).toBe(id);
    expect(datasetOf([['id', 'INT']], [a]).id).not.toBe(id);
    expect(datasetOf([['id', 'STRING']], [a, b]).id).not.toBe(id);
  });
});
