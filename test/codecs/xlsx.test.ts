// What XLSX decoding promises: the sheet list first, then the chosen worksheet's rows
// with cells as Excel shows them (numbers, booleans, UTC dates, text, cached formula
// results), read from only the parts of the zip it needs and stopped as soon as the
// consumer stops; broken or hostile files fail as DECODE_FAILED or PAYLOAD_TOO_LARGE
// without hanging or crashing. And what putObject writes to a .xlsx key.
// Fixtures and the scripts that made them: test/fixtures/xlsx/.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ByteSource, RawCell, TableEvent, TableReadOptions } from '../../src/codecs/types.js';
import { xmlText } from '../../src/codecs/xlsx/workbook.js';
import { XmlTokenizer } from '../../src/codecs/xlsx/xml.js';
import { createXlsxCodec, XLSX_MAX_INFLATE_RATIO, XLSX_MAX_INFLATED_BYTES, xlsxCodec } from '../../src/codecs/xlsx.js';
import { BadUserInput, BucketqlError, DecodeFailed, PayloadTooLarge } from '../../src/errors.js';
import { parseIsoDateTime } from '../../src/tables/infer.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/xlsx/${name}`, import.meta.url)));

interface CountingSource extends ByteSource {
  /** Bytes handed out by every stream opened so far. */
  bytesRead: number;
  /** The `start` of every open() call. */
  opens: number[];
  /** Streams opened, to check they were all let go. */
  streams: Readable[];
}

/** A ByteSource over a Buffer, delivering 16 KiB chunks as a network stream would. */
function bufferSource(buffer: Buffer, chunkSize = 16 * 1024): CountingSource {
  const source: CountingSource = {
    size: buffer.length,
    bytesRead: 0,
    opens: [],
    streams: [],
    async open(start = 0) {
      source.opens.push(start);
      let offset = start;
      const stream = new Readable({
        read() {
          if (offset >= buffer.length) {
            this.push(null);
            return;
          }
          const chunk = buffer.subarray(offset, offset + chunkSize);
          offset += chunk.length;
          source.bytesRead += chunk.length;
          this.push(chunk);
        },
      });
      source.streams.push(stream);
      return stream;
    },
  };
  return source;
}

interface Table {
  events: TableEvent[];
  sheets: string[];
  sheet: string;
  header: string[] | undefined;
  rows: RawCell[][];
}

async function readTable(input: Buffer | ByteSource, options: Partial<TableReadOptions> = {}, codec = xlsxCodec): Promise<Table> {
  const source = Buffer.isBuffer(input) ? bufferSource(input) : input;
  const events: TableEvent[] = [];
  for await (const event of codec.readTable!(source, { header: true, ...options })) events.push(event);
  const sheetsEvent = events[0];
  if (sheetsEvent?.type !== 'sheets') throw new Error(`first event is ${sheetsEvent?.type}`);
  const header = events.find((e) => e.type === 'header');
  return {
    events,
    sheets: sheetsEvent.sheets,
    sheet: sheetsEvent.sheet,
    header: header?.type === 'header' ? header.names : undefined,
    rows: events.flatMap((e) => (e.type === 'rows' ? e.rows : [])),
  };
}

const utc = (...parts: [number, number, number, number?, number?, number?, number?]) => {
  const [y, mo, d, h = 0, mi = 0, s = 0, ms = 0] = parts;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A workbook written with exceljs' streaming writer: the layout Excel-like writers produce. */
async function writeWorkbook(build: (workbook: ExcelJS.stream.xlsx.WorkbookWriter) => void): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: true, useStyles: true });
  build(workbook);
  await workbook.commit();
  return Buffer.concat(chunks);
}

const LARGE_ROWS = 40_000;
let large: Promise<Buffer> | undefined;

/** Two sheets, the first of 40,000 rows of mixed cells (~1.9 MB): big enough to be read part by part. */
function largeWorkbook(): Promise<Buffer> {
  const rows = LARGE_ROWS;
  large ??= writeWorkbook((workbook) => {
    const big = workbook.addWorksheet('Big');
    big.addRow(['id', 'name', 'amount', 'when']).commit();
    for (let i = 1; i <= rows; i++)
      big.addRow([i, `이름 ${i} ${'x'.repeat(i % 40)}`, i * 1.25, new Date(Date.UTC(2024, 0, 1) + i * 60_000)]).commit();
    big.commit();
    const small = workbook.addWorksheet('Small');
    small.addRow(['only']).commit();
    small.addRow([1]).commit();
    small.commit();
  });
  return large;
}

describe('the XLSX codec', () => {
  it('is the XLSX format for .xlsx keys, and cannot resume at a byte offset', () => {
    expect(xlsxCodec.format).toBe('XLSX');
    expect(xlsxCodec.extensions).toEqual(['.xlsx']);
    expect(xlsxCodec.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsxCodec.supportsOffsets).toBeFalsy();
  });
});

describe('sheets', () => {
  it('lists worksheets in workbook order, hidden ones included and chart sheets not, and reads the first visible one', async () => {
    const table = await readTable(fixture('openpyxl-workbook.xlsx'));
    expect(table.events[0]).toEqual({ type: 'sheets', sheets: ['Hidden', 'Data', 'Notes'], sheet: 'Data' });
  });

  it('reads a sheet by its exact name, hidden or not', async () => {
    const table = await readTable(fixture('openpyxl-workbook.xlsx'), { sheet: 'Hidden' });
    expect(table.sheet).toBe('Hidden');
    expect(table.header).toEqual(['secret']);
    expect(table.rows).toEqual([[1]]);
  });

  it('refuses an unknown sheet (names are case-sensitive, chart sheets are not worksheets) with the list of sheets', async () => {
    for (const sheet of ['data', 'Chart', 'Missing']) {
      const error = await rejection(readTable(fixture('openpyxl-workbook.xlsx'), { sheet }));
      expect(error).toBeInstanceOf(BadUserInput);
      expect((error as BadUserInput).message).toContain(JSON.stringify(sheet));
      expect((error as BadUserInput).message).toContain('"Hidden", "Data", "Notes"');
      expect((error as BadUserInput).extensions).toMatchObject({ code: 'BAD_USER_INPUT', sheets: ['Hidden', 'Data', 'Notes'] });
    }
  });

  it('skips a veryHidden first sheet, and copes with prefixed elements, a BOM, absolute targets and stored parts', async () => {
    const table = await readTable(fixture('prefixed.xlsx'));
    expect(table.sheets).toEqual(['Ghost', '시트']);
    expect(table.sheet).toBe('시트');
    expect(table.header).toEqual(['prefixed', '1']);
  });

  it('emits the sheet list before reading any worksheet, so a consumer that needs only it reads no rows', { timeout: 30_000 }, async () => {
    const buffer = await largeWorkbook();
    expect(buffer.length).toBeGreaterThan(1024 * 1024);
    const source = bufferSource(buffer);
    for await (const event of xlsxCodec.readTable!(source, { header: true })) {
      expect(event).toEqual({ type: 'sheets', sheets: ['Big', 'Small'], sheet: 'Big' });
      break;
    }
    // The tail (zip directory), _rels/.rels, the workbook part and its relationships.
    expect(source.opens).toHaveLength(4);
    expect(source.bytesRead).toBeLessThan(buffer.length / 4);
    expect(source.streams.every((stream) => stream.destroyed)).toBe(true);
  });
});

describe('cells', () => {
  it('reads an openpyxl sheet: leading empty rows skipped, gap row kept, merged cells null, trailing empty rows dropped', async () => {
    const table = await readTable(fixture('openpyxl-workbook.xlsx'));
    expect(table.header).toEqual(['id', 'name', 'score', 'active', 'born', 'updated', 'link', 'error', 'formula']);
    expect(table.rows).toEqual([
      // H4 is an error cell; I4 (=C4*2) has no cached result, since openpyxl computes none; G4 is a hyperlink.
      [1, '김철수', 1.5, true, utc(1990, 5, 17), utc(2024, 1, 15, 9, 30), 'example', '#DIV/0!'],
      [2, 'Zoë', -0.25, false, utc(2000, 2, 29), utc(2024, 12, 31, 23, 59, 59), null, '#N/A'],
      [],
      // G7:H7 is merged; 1900-01-01 is before Excel's phantom 1900-02-29.
      [3, '한글 텍스트', 12345.678, null, utc(1900, 3, 1), utc(1900, 1, 1, 12), 'merged'],
    ]);
  });

  it('reads what a cell holds: a float that openpyxl wrote for a big int, and a time of day on Excel day 0', async () => {
    const table = await readTable(fixture('openpyxl-workbook.xlsx'), { sheet: 'Notes' });
    expect(table.rows).toEqual([
      ['big', 1.152921504606847e18],
      ['time', utc(1899, 12, 30, 9, 30)],
      ['negative', -7],
    ]);
  });

  it('honours the 1904 date system (openpyxl and exceljs)', async () => {
    const openpyxl = await readTable(fixture('openpyxl-1904.xlsx'));
    expect(openpyxl.rows).toEqual([
      [utc(2024, 1, 15), 'date'],
      [utc(2024, 1, 15, 9, 30), 'datetime'],
      [utc(1904, 1, 1), 'epoch'],
    ]);
    const exceljs = await readTable(fixture('exceljs-1904.xlsx'));
    expect(exceljs.rows).toContainEqual(['date', utc(2024, 1, 15, 9, 30)]);
  });

  it('reads a pandas DataFrame.to_excel frame with its types; NaN and None are empty cells', async () => {
    const table = await readTable(fixture('pandas-frame.xlsx'));
    expect(table.sheets).toEqual(['frame']);
    expect(table.header).toEqual(['int', 'float', 'bool', 'when', 'text', 'zip']);
    expect(table.rows).toEqual([
      [1, 1.5, true, utc(2024, 1, 15, 9, 30), '서울', '007'],
      [2, null, false, utc(2024, 2, 29), 'Busan', '10001'],
      [3, -2.25, true, null, null, '02134'],
    ]);
  });

  it('reads a LibreOffice-saved workbook: its cached formula results, typed, and its own zip layout', async () => {
    const table = await readTable(fixture('libreoffice.xlsx'));
    expect(table.sheets).toEqual(['Calc', 'Second']);
    expect(table.header).toEqual(['n', 'double', 'text', 'flag', 'ratio', 'label', 'day']);
    expect(table.rows).toEqual([
      [2, 4, '서울', true, '#DIV/0!', '서울!', utc(2024, 1, 15)],
      [5, 10, 'x', false, 1.25, 'x?', utc(2024, 1, 15, 9, 30)],
      [],
      ['merged', null, 'after'],
    ]);
    expect((await readTable(fixture('libreoffice.xlsx'), { sheet: 'Second' })).rows).toEqual([[1]]);
  });

  it('reads an exceljs workbook: shared strings, rich text as plain text, formula results by type, hyperlinks as text', async () => {
    const table = await readTable(fixture('exceljs-rich.xlsx'));
    expect(table.sheets).toEqual(['Rich', 'Other']);
    expect(table.rows).toEqual([
      ['rich', 'Bold 한국어'],
      ['formula-number', 84],
      ['formula-string', 'ABC'],
      ['formula-bool', true],
      ['formula-error', '#DIV/0!'],
      ['hyperlink', 'bucketql'],
      ['date', utc(2024, 1, 15, 9, 30)],
      ['shared', 'repeat'],
      ['shared', 'repeat'],
      ['merged', 'top-left'],
      ['number', 42],
    ]);
  });

  it('reads a workbook whose worksheets come before its shared strings and workbook part (exceljs streaming writer)', async () => {
    const table = await readTable(fixture('exceljs-stream.xlsx'));
    expect(table.sheets).toEqual(['First', 'Second']);
    expect(table.rows).toEqual([
      [1, 'word 1'],
      [2, 'word 2'],
      [3, 'word 3'],
    ]);
  });

  it('reads each kind of cell SpreadsheetML can hold', async () => {
    const table = await readTable(fixture('crafted.xlsx'));
    const cases = new Map(table.rows.map((row) => [row[0], row.slice(1)]));
    const expected: [string, RawCell[]][] = [
      ['plain', ['rich 텍스트']],
      ['phonetic', ['漢字']], // the reading aid (<rPh>) is not cell text
      ['escapes', ['line\rbreak & _x0041_']], // _x000D_ is a CR; _x005F_ escapes a literal "_x"
      ['inline rich', ['inline']],
      ['builtin date 14', [utc(2024, 1, 15)]],
      ['builtin datetime 22', [utc(2024, 1, 15, 9, 30)]],
      ['korean date format', [utc(2024, 1, 15)]], // yyyy"년" m"월" d"일"
      ['elapsed time', [1.5]], // [h]:mm:ss is a duration: the number of days stays
      ['won currency', [1500]], // #,##0 "원": letters in quotes do not make a date
      ['locale date', [utc(2024, 1, 15, 18)]], // [$-412]yyyy-mm-dd AM/PM h:mm
      ['percent', [0.25]],
      ['cjk builtin 31', [utc(2024, 1, 15)]],
      ['iso date cell', [utc(2024, 1, 15, 9, 30)]], // t="d", zone-less: UTC
      ['big integer', [12345678901234567890n]],
      ['exponent', [0.0015]],
      ['bool formula', [true]],
      ['error formula', ['#DIV/0!']],
      ['string formula', ['ab']],
      ['shared formula', [7]],
      ['no cached result', []],
      ['empty shared string', []],
      ['cdata <kept>', ['한글']],
      ['no refs', [1, 2]],
      ['out of order', [null, 3, null, 5]],
      ['styled empty cells', []],
    ];
    expect([...cases.entries()]).toEqual(expected);
  });
});

describe('header', () => {
  it('names columns from the first non-empty row as Excel shows it; with header false every row is data', async () => {
    const buffer = await writeWorkbook((workbook) => {
      const sheet = workbook.addWorksheet('Sheet1');
      sheet.getRow(3).values = ['name', 3.5, true, utc(2024, 1, 15), null, utc(2024, 1, 15, 9, 30)];
      sheet.getRow(3).getCell(4).numFmt = 'yyyy-mm-dd';
      sheet.getRow(3).getCell(6).numFmt = 'yyyy-mm-dd hh:mm';
      sheet.getRow(3).commit();
      sheet.getRow(4).values = ['a', 1];
      sheet.getRow(4).commit();
      sheet.commit();
    });
    const withHeader = await readTable(buffer);
    expect(withHeader.header).toEqual(['name', '3.5', 'TRUE', '2024-01-15', '', '2024-01-15T09:30:00.000Z']);
    expect(withHeader.rows).toEqual([['a', 1]]);

    const withoutHeader = await readTable(buffer, { header: false });
    expect(withoutHeader.events.some((e) => e.type === 'header')).toBe(false);
    expect(withoutHeader.rows).toEqual([
      ['name', 3.5, true, utc(2024, 1, 15), null, utc(2024, 1, 15, 9, 30)],
      ['a', 1],
    ]);
  });

  it('gives a sheet with no cells a sheets event only', async () => {
    const buffer = await writeWorkbook((workbook) => workbook.addWorksheet('Empty').commit());
    const table = await readTable(buffer);
    expect(table.events).toEqual([{ type: 'sheets', sheets: ['Empty'], sheet: 'Empty' }]);
  });
});

describe('rows', () => {
  it('come in batches of at most 500, with long runs of empty rows between data rows kept in place', async () => {
    const buffer = await writeWorkbook((workbook) => {
      const sheet = workbook.addWorksheet('Gaps');
      sheet.getRow(1).values = ['n'];
      sheet.getRow(1).commit();
      sheet.getRow(2).values = [1];
      sheet.getRow(2).commit();
      sheet.getRow(1300).values = [2];
      sheet.getRow(1300).commit();
      sheet.commit();
    });
    const table = await readTable(buffer);
    const batches = table.events.filter((e) => e.type === 'rows').map((e) => (e.type === 'rows' ? e.rows.length : 0));
    expect(batches).toEqual([500, 500, 299]);
    expect(table.rows).toHaveLength(1299);
    expect(table.rows[0]).toEqual([1]);
    expect(table.rows[1298]).toEqual([2]);
    expect(table.rows.slice(1, 1298).every((row) => row.length === 0)).toBe(true);
    // Each empty row is its own array: the table layer may pad rows in place.
    expect(table.rows[1]).not.toBe(table.rows[2]);
  });
});

describe('streaming', () => {
  // Measured on this 40,000-row workbook (1.45 MB, stored the way exceljs' streaming
  // writer stores it: the sheet first, the shared strings after it): the first page
  // reads 365 KB (25%) in 7 requests: the zip directory (the last 64 KiB), the small
  // workbook parts, all the shared strings (~180 KB compressed: any row may use any of
  // them) and the first 64 KiB of the inflated sheet. Reading the other, small sheet
  // whole reads 316 KB and nothing of the big one. Workbooks of 1 MiB or less are read
  // with one request instead.
  it('reads little more than the parts it needs when the consumer stops after the first rows', async () => {
    const buffer = await largeWorkbook();
    expect(buffer.length).toBeGreaterThan(1024 * 1024);

    const source = bufferSource(buffer);
    let rows = 0;
    for await (const event of xlsxCodec.readTable!(source, { header: true })) {
      if (event.type === 'rows') {
        rows += event.rows.length;
        expect(event.rows[0]).toEqual([1, '이름 1 x', 1.25, new Date(Date.UTC(2024, 0, 1) + 60_000)]);
        break;
      }
    }
    expect(rows).toBe(500);
    expect(source.bytesRead).toBeLessThan(buffer.length * 0.3);
    expect(source.streams.every((stream) => stream.destroyed)).toBe(true);

    const other = bufferSource(buffer);
    const small = await readTable(other, { sheet: 'Small' });
    expect(small.rows).toEqual([[1]]);
    expect(other.bytesRead).toBeLessThan(buffer.length * 0.25);
    // The first read's last request was the big sheet's part; this one never asks for it.
    expect(other.opens).not.toContain(source.opens[source.opens.length - 1]);
  }, 30_000);

  it('reads every row of a large sheet, in order', async () => {
    const buffer = await largeWorkbook();
    const table = await readTable(buffer);
    // The plainest source: one chunk from wherever a read starts.
    const plain = await readTable({ size: buffer.length, open: async (start = 0) => Readable.from(buffer.subarray(start)) });
    expect(plain.rows).toEqual(table.rows);
    expect(table.rows).toHaveLength(40_000);
    expect(table.rows[39_999]).toEqual([
      40_000,
      `이름 40000 ${'x'.repeat(40_000 % 40)}`,
      50_000,
      new Date(Date.UTC(2024, 0, 1) + 40_000 * 60_000),
    ]);
  }, 30_000);

  it('stops with the signal: an abort rejects the iteration and closes the download', async () => {
    const buffer = await largeWorkbook();
    const source = bufferSource(buffer);
    const controller = new AbortController();
    const error = await rejection(
      (async () => {
        for await (const event of xlsxCodec.readTable!(source, { header: true, signal: controller.signal })) {
          if (event.type === 'rows') controller.abort();
        }
      })(),
    );
    expect((error as Error).name).toBe('AbortError');
    expect(source.streams.every((stream) => stream.destroyed)).toBe(true);

    const aborted = AbortSignal.abort();
    expect(((await rejection(readTable(buffer, { signal: aborted }))) as Error).name).toBe('AbortError');
  }, 30_000);

  it('surfaces an error of the source stream as a rejected iteration', async () => {
    const buffer = await largeWorkbook();
    const failing: ByteSource = {
      size: buffer.length,
      async open(start = 0) {
        let sent = 0;
        return new Readable({
          read() {
            if (start > 0 && sent > 64 * 1024) {
              this.destroy(new Error('connection reset'));
              return;
            }
            const chunk = buffer.subarray(start + sent, start + sent + 16 * 1024);
            sent += chunk.length;
            this.push(chunk.length > 0 ? chunk : null);
          },
        });
      },
    };
    const error = await rejection(readTable(failing));
    expect((error as Error).message).toBe('connection reset');
  }, 30_000);

  it('fails as truncated when the stream ends before the bytes the zip directory promises', async () => {
    const buffer = fixture('libreoffice.xlsx');
    const short: ByteSource = {
      size: buffer.length,
      // The whole object is read at once (it is small): serve it cut short, as a dropped connection would.
      open: async (start = 0) => Readable.from([buffer.subarray(start, buffer.length - 100)]),
    };
    const error = await rejection(readTable(short));
    expect(error).toBeInstanceOf(DecodeFailed);
  });
});

describe('XML parts', () => {
  const document = Buffer.from(
    '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- a comment > with markup --><root a="x &gt; y > z" b=\'한국어\'>\r\n' +
      '<t xml:space="preserve">가나다 &amp; &#xD55C;&#44544;\r\nline&#13;</t><![CDATA[<raw> &amp; 텍스트]]><x:e attr="1"/><empty></empty>😀</root>\n',
  );

  async function events(chunks: Buffer[]): Promise<unknown[]> {
    const seen: unknown[] = [];
    const tokenizer = new XmlTokenizer({
      open: (name, attributes, selfClosing) => seen.push(['open', name, attributes, selfClosing]),
      close: (name) => seen.push(['close', name]),
      text: (text) => {
        const last = seen[seen.length - 1];
        if (Array.isArray(last) && last[0] === 'text') last[1] += text;
        else seen.push(['text', text]);
      },
    });
    for await (const text of xmlText(chunks)) tokenizer.write(text);
    tokenizer.end();
    return seen;
  }

  it('decode the same however their bytes are split into chunks (multibyte characters, entities, CRLF, tags)', async () => {
    const whole = await events([document]);
    expect(whole).toEqual([
      ['open', 'root', { a: 'x > y > z', b: '한국어' }, false],
      ['text', '\n'], // XML reads CRLF as LF; only &#13; is a CR
      ['open', 't', { 'xml:space': 'preserve' }, false],
      ['text', '가나다 & 한글\nline\r'],
      ['close', 't'],
      ['text', '<raw> &amp; 텍스트'],
      ['open', 'e', { attr: '1' }, true], // namespace prefixes are dropped from element names
      ['close', 'e'],
      ['open', 'empty', {}, false],
      ['close', 'empty'],
      ['text', '😀'],
      ['close', 'root'],
    ]);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: document.length - 1 }), { maxLength: 30 }), async (cuts) => {
        const bounds = [0, ...cuts.sort((a, b) => a - b), document.length];
        const chunks = bounds.slice(1).map((end, i) => document.subarray(bounds[i], end));
        expect(await events(chunks)).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('are refused when not well-formed', async () => {
    const malformed = [
      '<a><b></a>',
      '<a>',
      '<a></a><b/>',
      'text<a/>',
      '<a x="1" x2></a>',
      '<a x=1/>',
      '<a>&nbsp;</a>',
      '<a>AT&T</a>',
      '<a>&#0;</a>',
      '<!DOCTYPE a><a/>',
      '<a x="<"/>',
      '',
    ];
    for (const xml of malformed) await expect(events([Buffer.from(xml)]), xml).rejects.toThrow();
  });
});

describe('bad input', () => {
  const failures: [string, RegExp, Record<string, unknown>][] = [
    ['not-a-zip.xlsx', /^not an XLSX workbook: it is not a zip file$/, {}],
    ['legacy-ole2.xlsx', /^not an XLSX workbook: it is an OLE2 compound file \(a legacy \.xls workbook, or a password-protected one\)/, {}],
    ['truncated.xlsx', /^not an XLSX workbook: the zip is truncated or damaged/, {}],
    ['no-workbook.xlsx', /^not an XLSX workbook: the zip has no workbook part xl\/workbook\.xml$/, { part: 'xl/workbook.xml' }],
    ['malformed-sheet.xlsx', /^XLSX: malformed XML in sheet "Broken" near row 2: <\/row> closes <c>$/, { sheet: 'Broken', row: 2 }],
    [
      'bad-shared-string.xlsx',
      /^XLSX: sheet "Strings", cell B1: shared string "9" does not exist$/,
      { sheet: 'Strings', row: 1, cell: 'B1' },
    ],
    ['no-worksheets.xlsx', /^XLSX: the workbook has no worksheets$/, {}],
    ['doctype.xlsx', /^XLSX: malformed XML in sheet "Entities": a DOCTYPE declaration/, { sheet: 'Entities' }],
  ];
  for (const [name, message, where] of failures) {
    it(`${name} is DECODE_FAILED saying why and where`, async () => {
      const error = await rejection(readTable(fixture(name)));
      expect(error).toBeInstanceOf(DecodeFailed);
      expect((error as DecodeFailed).message).toMatch(message);
      expect((error as DecodeFailed).extensions).toEqual({ ...where, code: 'DECODE_FAILED' });
    });
  }

  it('an empty object is not a workbook', async () => {
    const error = await rejection(readTable(Buffer.alloc(0)));
    expect((error as DecodeFailed).message).toBe('not an XLSX workbook: the object is empty');
  });

  it('a damaged compressed part is DECODE_FAILED naming the part', async () => {
    const buffer = Buffer.from(fixture('libreoffice.xlsx'));
    const sheet = buffer.indexOf('xl/worksheets/sheet1.xml');
    // Flip bytes inside the sheet's deflated data (just after its local header).
    for (let i = sheet + 60; i < sheet + 90; i++) buffer[i] = (buffer[i] as number) ^ 0x5a;
    const error = await rejection(readTable(buffer));
    expect(error).toBeInstanceOf(DecodeFailed);
    expect((error as DecodeFailed).message).toMatch(/^not an XLSX workbook: part xl\/worksheets\/sheet1\.xml is damaged/);
  });

  it('refuses a zip bomb with PAYLOAD_TOO_LARGE naming the limit', async () => {
    expect(XLSX_MAX_INFLATED_BYTES).toBe(256 * 1024 * 1024);
    expect(XLSX_MAX_INFLATE_RATIO).toBe(200);
    // bomb.xlsx: 22 KB holding a 20 MiB sheet. Under the default limits (256 MiB) that is fine...
    expect((await readTable(fixture('bomb.xlsx'))).rows).toEqual([[2]]);
    // ...under 1 MiB or 200 times the stored size, whichever is larger, it is not.
    const strict = createXlsxCodec({ maxInflatedBytes: 1024 * 1024, maxInflateRatio: 200 });
    const error = await rejection(readTable(fixture('bomb.xlsx'), {}, strict));
    expect(error).toBeInstanceOf(PayloadTooLarge);
    const limit = 200 * fixture('bomb.xlsx').length;
    expect((error as PayloadTooLarge).message).toContain(`more than ${limit} bytes`);
    expect((error as PayloadTooLarge).extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit });
  });

  it('counts the bytes actually inflated, not the sizes a zip declares', async () => {
    const buffer = Buffer.from(fixture('bomb.xlsx'));
    // Make the sheet claim 1 KB in its central directory entry.
    const directory = buffer.lastIndexOf(Buffer.from('xl/worksheets/sheet1.xml')) - 46;
    expect(buffer.readUInt32LE(directory)).toBe(0x02014b50);
    buffer.writeUInt32LE(1024, directory + 24);
    const error = await rejection(readTable(buffer));
    expect(error).toBeInstanceOf(DecodeFailed);
    expect((error as DecodeFailed).message).toContain('it holds more bytes than its header says');
  });

  it('never hangs or fails other than DECODE_FAILED / PAYLOAD_TOO_LARGE on damaged bytes', async () => {
    const original = fixture('exceljs-rich.xlsx');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ cut: fc.integer({ min: 1, max: original.length - 1 }) }),
          fc.record({
            flips: fc.array(fc.record({ at: fc.nat(original.length - 1), xor: fc.integer({ min: 1, max: 255 }) }), {
              minLength: 1,
              maxLength: 8,
            }),
          }),
        ),
        async (damage) => {
          let buffer: Buffer;
          if ('cut' in damage) buffer = original.subarray(0, damage.cut);
          else {
            buffer = Buffer.from(original);
            for (const { at, xor } of damage.flips) buffer[at] = (buffer[at] as number) ^ xor;
          }
          try {
            await readTable(buffer);
          } catch (error) {
            if (!(error instanceof BucketqlError) || !['DECODE_FAILED', 'PAYLOAD_TOO_LARGE'].includes(error.code)) throw error;
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('encode', () => {
  const content = [
    { id: 1, name: '서울', score: 1.5, active: true, day: '2024-01-15', at: '2024-01-15T09:30:00Z', tags: ['a', 'b'], note: null },
    { id: 2, name: 'Busan', score: -2, active: false, day: '2024-02-29', at: '2024-01-15 09:30:00', tags: { k: 1 }, note: 'x' },
    { id: 3, name: '007', score: 0, active: true, day: '2024-02-30', at: '2024-01-15T18:30:00.250+09:00', tags: [], note: 'NA' },
  ];

  it('writes one sheet with a header row and typed cells that read back equal', async () => {
    const buffer = (await xlsxCodec.encode!(content, {})) as Buffer;
    expect(buffer.subarray(0, 2).toString()).toBe('PK');
    const table = await readTable(buffer);
    expect(table.sheets).toEqual(['Sheet1']);
    expect(table.header).toEqual(['id', 'name', 'score', 'active', 'day', 'at', 'tags', 'note']);
    expect(table.rows).toEqual([
      [1, '서울', 1.5, true, utc(2024, 1, 15), utc(2024, 1, 15, 9, 30), '["a","b"]'],
      [2, 'Busan', -2, false, utc(2024, 2, 29), utc(2024, 1, 15, 9, 30), '{"k":1}', 'x'],
      // 2024-02-30 is no date; an offset is converted to UTC, milliseconds kept.
      [3, '007', 0, true, '2024-02-30', utc(2024, 1, 15, 9, 30, 0, 250), '[]', 'NA'],
    ]);
  });

  it('writes a date string as the instant a table reads from it (one parser: digits past the millisecond cut)', async () => {
    const texts = [
      '2024-12-31T23:59:59.9999Z',
      '2024-01-15T09:30:00.0005',
      '2024-01-15T09:30:00,25+09:00',
      '2024-01-15t09:30:00z',
      '2024-01-15T09:30:00+19:00',
    ];
    const table = await readTable(
      (await xlsxCodec.encode!(
        texts.map((value) => ({ value })),
        {},
      )) as Buffer,
    );
    expect(table.rows).toEqual(texts.map((text) => [parseIsoDateTime(text) ?? text]));
    expect(table.rows[0]).toEqual([utc(2024, 12, 31, 23, 59, 59, 999)]);
  });

  it('keeps strings that only look like dates Excel cannot hold as strings', async () => {
    const rows = ['1899-12-31', '1900-02-28', '2024-13-01', '2024-01-15T24:00:00', '2024-1-5', '15/01/2024'].map((value) => ({ value }));
    const table = await readTable((await xlsxCodec.encode!(rows, {})) as Buffer);
    expect(table.rows).toEqual(rows.map((row) => [row.value]));
  });

  it('accepts { columns, rows }, names the sheet, and keeps control characters and "_x" text', async () => {
    const buffer = (await xlsxCodec.encode!(
      {
        columns: ['a', 'b'],
        rows: [
          ['tab\there', 'cr\r\nlf'],
          ['bell\u0007', 'lit _x0041_'],
        ],
      },
      { sheet: '데이터' },
    )) as Buffer;
    const table = await readTable(buffer);
    expect(table.sheets).toEqual(['데이터']);
    expect(table.rows).toEqual([
      ['tab\there', 'cr\r\nlf'],
      ['bell\u0007', 'lit _x0041_'],
    ]);
  });

  it('refuses content an XLSX file cannot hold, before writing anything', async () => {
    await expect(xlsxCodec.encode!('text', {})).rejects.toBeInstanceOf(BadUserInput);
    await expect(xlsxCodec.encode!([1, 2], {})).rejects.toBeInstanceOf(BadUserInput);
    await expect(xlsxCodec.encode!([{ a: 'x'.repeat(32_768) }], {})).rejects.toThrow(/at most 32767/);
    for (const sheet of ['', 'a/b', 'x'.repeat(32), "'quoted'", 'History']) {
      await expect(xlsxCodec.encode!([{ a: 1 }], { sheet })).rejects.toBeInstanceOf(BadUserInput);
    }
  });

  it('is read by openpyxl and pandas with the same values and types', async () => {
    const buffer = (await xlsxCodec.encode!(content, { sheet: 'Data' })) as Buffer;
    const script = [
      'import io, json, sys',
      'import openpyxl, pandas',
      'data = sys.stdin.buffer.read()',
      'book = openpyxl.load_workbook(io.BytesIO(data))',
      'value = lambda v: v.isoformat() if hasattr(v, "isoformat") else v',
      'cells = [[value(c.value) for c in row] for row in book["Data"].iter_rows()]',
      'frame = pandas.read_excel(io.BytesIO(data), sheet_name="Data")',
      'dtypes = {name: str(dtype) for name, dtype in frame.dtypes.items()}',
      'print(json.dumps({"sheets": book.sheetnames, "cells": cells, "dtypes": dtypes}, ensure_ascii=False))',
    ].join('\n');
    const output = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: buffer }).toString('utf8'));
    expect(output.sheets).toEqual(['Data']);
    expect(output.cells).toEqual([
      ['id', 'name', 'score', 'active', 'day', 'at', 'tags', 'note'],
      [1, '서울', 1.5, true, '2024-01-15T00:00:00', '2024-01-15T09:30:00', '["a","b"]', null],
      [2, 'Busan', -2, false, '2024-02-29T00:00:00', '2024-01-15T09:30:00', '{"k":1}', 'x'],
      [3, '007', 0, true, '2024-02-30', '2024-01-15T09:30:00.250000', '[]', 'NA'],
    ]);
    expect(output.dtypes).toMatchObject({ id: 'int64', name: 'object', score: 'float64', active: 'bool', at: 'datetime64[ns]' });
  }, 30_000);

  it('writes dates with a date or date-time number format, so spreadsheets show them as dates', async () => {
    const buffer = (await xlsxCodec.encode!([{ d: '2024-01-15', t: '2024-01-15T09:30:00Z', ms: '2024-01-15T09:30:00.5Z' }], {})) as Buffer;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const row = workbook.getWorksheet('Sheet1')!.getRow(2);
    expect([row.getCell(1).numFmt, row.getCell(2).numFmt, row.getCell(3).numFmt]).toEqual([
      'yyyy-mm-dd',
      'yyyy-mm-dd hh:mm:ss',
      'yyyy-mm-dd hh:mm:ss.000',
    ]);
  });

  it('round-trips any JSON rows through readTable', async () => {
    const cell = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.boolean(),
      fc.constant(null),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc
        .date({ min: new Date(Date.UTC(1900, 2, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
        .map((d) => d.toISOString()),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }), async (rows) => {
        const buffer = (await xlsxCodec.encode!({ columns: ['a', 'b', 'c'], rows }, {})) as Buffer;
        const table = await readTable(buffer, { header: false });
        const expected = [['a', 'b', 'c'], ...rows].map((row) => {
          const cells: RawCell[] = row.map((value) =>
            value === '' ? null : typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? new Date(value) : value,
          );
          while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
          return cells;
        });
        while (expected.length > 0 && expected[expected.length - 1]?.length === 0) expected.pop();
        while (expected.length > 0 && expected[0]?.length === 0) expected.shift();
        expect(table.rows).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
