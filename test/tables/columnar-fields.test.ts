// What typing cells straight from CSV bytes promises: every value a column holds is
// what `convert` makes of the cell's text (numbers, dates, booleans, misfits returned
// as written, nulls, quoted cells, cells beyond the columns), so a table built from
// field batches answers exactly as one built from rows of strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCodec, readDelimited } from '../../src/codecs/csv.js';
import type { ByteSource, TableReadOptions } from '../../src/codecs/types.js';
import { TableCache } from '../../src/tables/cache.js';
import { ColumnarBuilder } from '../../src/tables/columnar.js';
import { convert } from '../../src/tables/infer.js';
import { dateBytesMs, floatBytes, intBytes } from '../../src/tables/infer-bytes.js';
import { countRows } from '../../src/tables/query.js';
import { COLUMN_TYPES, type Column, type ColumnType } from '../../src/tables/types.js';
import { allValues, bufferSource, tableOf } from '../support/tables.js';

const CELLS = [
  '',
  '0',
  '-0',
  '007',
  '12',
  '-3.25',
  '1e5',
  '1.',
  '.5',
  '-',
  '00.5',
  '0.1',
  '3.14159265358979',
  '123456789012345',
  '1234567890123456',
  '9007199254740993',
  '-12.50',
  'true',
  'FALSE',
  'TrUe',
  'yes',
  '2024-01-15',
  '2024-02-29',
  '2023-02-29',
  '2024-02-30',
  '2024-01-15 09:30',
  '2024-01-15T09:30:00',
  '2024-01-15T24:30:00',
  '2024-01-15T09:30:00Z',
  '2024-01-15T09:30:00.5',
  '0000-02-29',
  'abc',
  '서울',
  'q"q',
  'a,b',
  'multi\nline',
  ' 5',
  '5 ',
  '😀',
];

const quote = (cell: string) => (/[",\r\n]/.test(cell) || cell === '' ? `"${cell.replaceAll('"', '""')}"` : cell);

describe('typing from bytes', () => {
  it('intBytes, floatBytes and dateBytesMs decline or agree with convert (property)', () => {
    const numeric = fc
      .array(fc.constantFrom('0', '1', '5', '9', '-', '.', 'e'), { minLength: 1, maxLength: 20 })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.oneof(numeric, fc.constantFrom(...CELLS)), (text) => {
        const bytes = Buffer.from(`x${text}y`);
        const end = bytes.length - 1;
        for (const [read, type] of [
          [intBytes, 'INT'],
          [floatBytes, 'FLOAT'],
        ] as const) {
          const fast = read(bytes, 1, end);
          if (!Number.isNaN(fast)) expect(Object.is(fast, convert(text, type, 'text'))).toBe(true);
        }
        const ms = dateBytesMs(bytes, 1, end);
        if (!Number.isNaN(ms)) expect(ms).toBe((convert(text, 'DATETIME', 'text') as Date).getTime());
      }),
      { numRuns: 3000 },
    );
  });

  it('a table built from field batches holds what one built from rows holds, for every column type (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...COLUMN_TYPES), { minLength: 1, maxLength: 4 }),
        fc.array(fc.array(fc.constantFrom(...CELLS), { minLength: 0, maxLength: 6 }), { minLength: 1, maxLength: 40 }),
        async (types, body) => {
          const columns: Column[] = types.map((type: ColumnType, index) => ({ name: `c${index}`, index, type, nullable: true }));
          const lines = [columns.map((c) => c.name).join(','), ...body.map((row) => (row.length === 0 ? '""' : row.map(quote).join(',')))];
          const bytes = Buffer.from(`${lines.join('\n')}\n`);
          const fromFields = new ColumnarBuilder(columns, 'text');
          const fromRows = new ColumnarBuilder(columns, 'text');
          const options = { header: true, delimiter: ',', encoding: 'utf-8' };
          for await (const event of readDelimited(bufferSource(bytes), { ...options, fieldBatches: true }, null)) {
            if (event.type === 'fields') fromFields.addFields(event.batch);
            expect(event.type).not.toBe('rows');
          }
          for await (const event of readDelimited(bufferSource(bytes), options, null)) {
            if (event.type !== 'rows') continue;
            for (const cells of event.rows) {
              let extra: Record<string, unknown> | undefined;
              if (cells.length > columns.length) {
                extra = {};
                for (let i = columns.length; i < cells.length; i++) if (cells[i] !== '') extra[`column_${i + 1}`] = cells[i];
              }
              fromRows.add(cells, extra);
            }
          }
          expect(fromFields.rowCount).toBe(fromRows.rowCount);
          const a = fromFields.finish();
          const b = fromRows.finish();
          for (let r = 0; r < a.rowCount; r++) {
            for (let c = 0; c < columns.length; c++) expect(a.value(r, c)).toEqual(b.value(r, c));
            expect(a.extra(r)).toEqual(b.extra(r));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a STRING column past its dictionary keeps every cell, multibyte and quoted ones too, read while it builds and after', async () => {
    const column: Column = { name: 's', index: 0, type: 'STRING', nullable: true };
    // More rows than a text segment holds (32,768), so that rows are read across segments.
    const cells = Array.from({ length: 70_000 }, (_, i) => (i % 11 === 0 ? '' : i % 5 === 0 ? `한글 "${i}" 😀` : `cell ${i}`));
    const bytes = Buffer.from(`s\n${cells.map((c) => (c === '' ? '' : quote(c))).join('\n')}\n`);
    // Blank lines (the empty cells of a one-column file) are no rows.
    const kept = cells.filter((c) => c !== '');
    const builder = new ColumnarBuilder([column], 'text');
    let seen = 0;
    for await (const event of readDelimited(bufferSource(bytes, 4096), { header: true, fieldBatches: true }, ',')) {
      if (event.type !== 'fields') continue;
      builder.addFields(event.batch);
      const view = builder.view();
      for (; seen < builder.rowCount; seen++) expect(view.value(seen, 0)).toBe(kept[seen]);
    }
    const table = builder.finish();
    expect(table.rowCount).toBe(kept.length);
    for (let r = 0; r < kept.length; r++) expect(table.value(r, 0)).toBe(kept[r]);
  });
});

describe('a cold scan', () => {
  const lines = ['id,name,amount,when,flag'];
  for (let i = 0; i < 3000; i++) {
    const amount = i === 2000 ? '1e3' : i % 13 === 0 ? '' : `${(i * 1.37).toFixed(2)}`;
    lines.push(
      `${i},"user ""${i}""",${amount},2024-01-${String(1 + (i % 28)).padStart(2, '0')},${i % 3 === 0 ? 'TRUE' : 'false'},${i === 2500 ? 'extra' : ''}`,
    );
  }
  const csv = `${lines.join('\r\n')}\r\n`;

  it('types a large CSV from field batches, answers as the row path does, and keeps the table', async () => {
    const seen = new Set<string>();
    const spy = {
      ...csvCodec,
      readTable: async function* (source: ByteSource, options: TableReadOptions) {
        for await (const event of csvCodec.readTable?.(source, options) ?? []) {
          if (options.fieldBatches) seen.add(event.type);
          yield event;
        }
      },
    };
    // Larger than cacheTableBytes: sampled first, then built by the first full scan.
    const fields = tableOf(csv, { codec: spy, inferRows: 50, cacheTableBytes: 0, chunkSize: 1000 });
    const rows = tableOf(csv, { codec: csvCodec, inferRows: 50, cacheTableBytes: 0, chunkSize: 1000, cache: new TableCache(0) });
    const where = {
      and: [
        { column: 'amount', op: 'GTE' as const, value: 100 },
        { column: 'flag', op: 'EQ' as const, value: true },
      ],
    };
    expect(await countRows(fields, where)).toBe(await countRows(rows, where));
    expect(seen.has('fields')).toBe(true);
    expect(seen.has('rows')).toBe(false);
    const opens = fields.source.opens.length;
    expect(await allValues(fields, 700)).toEqual(await allValues(rows, 700));
    expect(fields.source.opens.length).toBe(opens); // answered from the kept table
    expect((await allValues(fields)).at(2500)).toMatchObject({ id: 2500, column_6: 'extra' });
  });
});
