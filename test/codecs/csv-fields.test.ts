// What the cold scan's field scanner promises: read through `fieldBatches`, any CSV
// gives the same header, rows, byte offsets and errors as papaparse's reading of the
// same bytes (a failed read: the same message), however they are chunked (valid RFC 4180 text, random text with broken
// quotes, CRLF, blank lines, multibyte characters, bytes that are not UTF-8).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDelimited } from '../../src/codecs/csv.js';
import { fieldText } from '../../src/codecs/csv-fields.js';
import type { TableEvent, TableReadOptions } from '../../src/codecs/types.js';
import { bufferSource } from '../support/tables.js';

interface Outcome {
  header: string[] | null;
  rows: string[][];
  offsets: (number | null)[];
  kinds: Set<string>;
  error: string | null;
}

/** Every event of a read, field batches turned into rows of strings. */
async function outcome(bytes: Buffer, options: Partial<TableReadOptions>, chunkSize: number): Promise<Outcome> {
  const out: Outcome = { header: null, rows: [], offsets: [], kinds: new Set(), error: null };
  try {
    const events: AsyncIterable<TableEvent> = readDelimited(bufferSource(bytes, chunkSize), { header: true, ...options }, null);
    for await (const event of events) {
      out.kinds.add(event.type);
      if (event.type === 'header') out.header = event.names;
      if (event.type === 'rows') {
        event.rows.forEach((row, i) => {
          out.rows.push(row as string[]);
          out.offsets.push(event.offsetAfter ? event.offsetAfter(i) : null);
        });
      }
      if (event.type === 'fields') {
        const { batch } = event;
        for (let r = 0; r < batch.rows; r++) {
          const row: string[] = [];
          for (let f = batch.rowFields[r] as number; f < (batch.rowFields[r + 1] as number); f++) row.push(fieldText(batch, f));
          out.rows.push(row);
          out.offsets.push(event.offsetAfter ? event.offsetAfter(r) : null);
        }
      }
    }
  } catch (error) {
    out.error = (error as Error).message;
  }
  return out;
}

async function expectSame(bytes: Buffer, chunkSize: number, options: Partial<TableReadOptions> = {}): Promise<Outcome> {
  const fields = await outcome(bytes, { ...options, fieldBatches: true }, chunkSize);
  const strings = await outcome(bytes, options, chunkSize);
  expect(strings.kinds.has('fields')).toBe(false);
  if (strings.error === null) {
    expect({ ...fields, kinds: null }).toEqual({ ...strings, kinds: null });
  } else {
    // A failed read fails whole: the same message, though rows before the bad one may have come first.
    expect(fields.error).toBe(strings.error);
    expect(fields.rows.slice(0, strings.rows.length)).toEqual(strings.rows);
    expect(fields.offsets.slice(0, strings.offsets.length)).toEqual(strings.offsets);
  }
  return fields;
}

const quote = (cell: string) => (/[",\r\n]/.test(cell) || cell === '' ? `"${cell.replaceAll('"', '""')}"` : cell);

describe('the field scanner reads what papaparse reads', () => {
  it('a plain CSV, as field batches (not papaparse rows), with the offsets of every row', async () => {
    const text = 'id,name,city\r\n1,a,서울\r\n2,"b, c","x""y"\r\n\r\n3,,"multi\nline"\n4,😀,\n';
    const out = await expectSame(Buffer.from(text), 7);
    expect(out.kinds.has('fields')).toBe(true);
    expect(out.kinds.has('rows')).toBe(false);
    expect(out.rows).toEqual([
      ['1', 'a', '서울'],
      ['2', 'b, c', 'x"y'],
      ['3', '', 'multi\nline'],
      ['4', '😀', ''],
    ]);
  });

  it('valid RFC 4180 text of random cells, CRLF or LF, blank lines, a BOM, any chunking (property)', async () => {
    const cell = fc
      .array(fc.constantFrom('a', 'z', '0', '7', '-', '.', ',', '"', '\n', '\r', ' ', '한', '😀', '\t', 'T'), { maxLength: 6 })
      .map((chars) => chars.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 30 })),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (rows, eol, blankLines, bom, chunkSize, finalBreak) => {
          const lines = rows.map((row) => (row.length === 1 && row[0] === '' ? '""' : row.map(quote).join(',')));
          const body = lines.join(blankLines ? `${eol}${eol}` : eol) + (finalBreak ? eol : '');
          const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(body)]);
          const out = await expectSame(bytes, chunkSize, { delimiter: ',', encoding: 'utf-8' });
          expect(out.error).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random text, broken quotes and stray CRs included: the same rows, offsets and DECODE_FAILED messages (property)', async () => {
    const text = fc.array(fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '한', 'x'), { maxLength: 60 }).map((chars) => chars.join(''));
    await fc.assert(
      fc.asyncProperty(text, fc.integer({ min: 1, max: 16 }), fc.boolean(), async (body, chunkSize, header) => {
        await expectSame(Buffer.from(body), chunkSize, { delimiter: ',', encoding: 'utf-8', header });
      }),
      { numRuns: 500 },
    );
  });

  it('bytes that are not UTF-8 are left to the decoder, which counts them (no offsets past them)', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.from([0x31, 0xff, 0x2c, 0x32, 0x0a]), Buffer.from('3,4\n')]);
    const out = await expectSame(bytes, 4, { delimiter: ',', encoding: 'utf-8' });
    expect(out.rows).toEqual([
      ['1', '2'],
      ['1\uFFFD', '2'],
      ['3', '4'],
    ]);
  });

  it('a read resumed at a row offset, and a U+FEFF starting a cell after a handover, read alike', async () => {
    const text = 'a,b\n1,"x"y\n\uFEFFz,2\n3,4\n';
    const bytes = Buffer.from(text);
    await expectSame(bytes, 3, { delimiter: ',', encoding: 'utf-8' });
    const second = Buffer.from('a,b\n').length;
    await expectSame(bytes, 5, { delimiter: ',', encoding: 'utf-8', startOffset: second });
  });

  it('TSV, and a semicolon-separated file whose delimiter is detected', async () => {
    await expectSame(Buffer.from('a\tb\n1\t"x\ty"\n2\t3\n'), 5, { delimiter: '\t' });
    const out = await expectSame(Buffer.from('a;b;c\n1;2;3\n4;5;6\n'), 64);
    expect(out.rows).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
  });
});

describe('longer than a scan', () => {
  it('hundreds of KiB with quoted line breaks and multibyte cells, cut anywhere, carry rows across scans (property)', async () => {
    const lines = ['id,text,city'];
    for (let i = 0; i < 6000; i++) lines.push(`${i},"line ${i}\r\nwith ""quotes"", 한글 😀",${i % 7 === 0 ? '' : '서울'}`);
    const bytes = Buffer.from(`${lines.join('\r\n')}\r\n`);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1000, max: 90_000 }), async (chunkSize) => {
        const out = await expectSame(bytes, chunkSize);
        expect(out.rows.length).toBe(6000);
        expect(out.kinds.has('rows')).toBe(false);
      }),
      { numRuns: 8 },
    );
  });
});
