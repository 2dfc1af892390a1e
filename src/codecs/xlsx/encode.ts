// Writes putObject content as a one-sheet workbook with exceljs' streaming writer: a
// header row, then typed cells, so that Excel, pandas and bucketql itself read back
// numbers, booleans and dates rather than text. Content Excel could not open (too
// many rows or columns, over-long text, a sheet name Excel refuses) is a
// BadUserInput, so nothing is written.
import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import { BadUserInput } from '../../errors.js';
import { isoDateTimeMs } from '../../tables/infer.js';
import { normaliseRowsInput } from '../rows-input.js';
import type { EncodeOptions } from '../types.js';
import { MAX_COLUMNS, MAX_ROWS } from './sheet.js';
import { escapeOoxml } from './xml.js';

/** Excel shows at most this many characters in a cell. */
export const MAX_CELL_CHARS = 32_767;

const DATE_FORMAT = 'yyyy-mm-dd';
const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';
const DATE_TIME_MS_FORMAT = 'yyyy-mm-dd hh:mm:ss.000';

/** Excel's 1900 date system cannot show earlier dates, and shows dates before March 1900 a day off. */
const FIRST_WRITABLE_DATE_MS = Date.UTC(1900, 2, 1);
const LAST_WRITABLE_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

interface DateCell {
  date: Date;
  numFmt: string;
}

/**
 * An ISO-8601 date or date-time string as the instant it names, read by the same rule
 * as a table's DATETIME cells (isoDateTimeMs: zone-less as UTC, digits past the
 * millisecond cut), or null when it is no date or one Excel cannot show.
 */
export function parseIsoDateCell(text: string): DateCell | null {
  const time = isoDateTimeMs(text);
  if (Number.isNaN(time) || time < FIRST_WRITABLE_DATE_MS || time > LAST_WRITABLE_DATE_MS) return null;
  // Every date-time form is longer than a date's ten characters.
  const numFmt = text.length === 10 ? DATE_FORMAT : time % 1000 !== 0 ? DATE_TIME_MS_FORMAT : DATE_TIME_FORMAT;
  return { date: new Date(time), numFmt };
}

function checkedText(text: string, where: string): string {
  if (text.length > MAX_CELL_CHARS)
    throw new BadUserInput(`.xlsx content: ${where} has ${text.length} characters; an XLSX cell holds at most ${MAX_CELL_CHARS}`);
  // Control characters cannot appear in XML; OOXML escapes them (exceljs would drop them).
  return escapeOoxml(text);
}

export function validateSheetName(name: string): string {
  const problem =
    name.length === 0
      ? 'is empty'
      : name.length > 31
        ? 'is longer than 31 characters'
        : /[:\\/?*[\]]/.test(name)
          ? 'contains one of : \\ / ? * [ ]'
          : name.startsWith("'") || name.endsWith("'")
            ? 'starts or ends with an apostrophe'
            : name.toLowerCase() === 'history'
              ? 'is reserved by Excel'
              : null;
  if (problem) throw new BadUserInput(`XLSX sheet name ${JSON.stringify(name)} ${problem}`);
  return name;
}

function setCell(cell: ExcelJS.Cell, value: unknown, where: () => string): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'number' || typeof value === 'boolean') {
    cell.value = value;
  } else if (typeof value === 'bigint') {
    cell.value = Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  } else if (typeof value === 'string') {
    const date = parseIsoDateCell(value);
    if (date) {
      cell.value = date.date;
      cell.numFmt = date.numFmt;
    } else if (value !== '') {
      cell.value = checkedText(value, where());
    }
  } else {
    cell.value = checkedText(JSON.stringify(value), where());
  }
}

export async function encodeXlsx(content: unknown, options: EncodeOptions): Promise<Buffer> {
  const { columns, rows } = normaliseRowsInput(content, '.xlsx');
  const sheetName = validateSheetName(options.sheet ?? 'Sheet1');
  if (columns.length > MAX_COLUMNS)
    throw new BadUserInput(`.xlsx content has ${columns.length} columns; an XLSX sheet holds at most ${MAX_COLUMNS}`);
  if (rows.length + 1 > MAX_ROWS)
    throw new BadUserInput(`.xlsx content has ${rows.length} rows; an XLSX sheet holds at most ${MAX_ROWS - 1} below its header`);

  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    output.on('end', resolve);
    output.on('error', reject);
  });
  // exceljs takes 0.3 s and 25 MB to load: only when a workbook is written.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: true, useStyles: true });
  const sheet = workbook.addWorksheet(sheetName);
  const header = sheet.getRow(1);
  columns.forEach((name, c) => {
    if (name !== '') header.getCell(c + 1).value = checkedText(name, `column name ${c + 1}`);
  });
  header.commit();
  rows.forEach((values, r) => {
    const row = sheet.getRow(r + 2);
    values.forEach((value, c) => {
      setCell(row.getCell(c + 1), value, () => `row ${r + 1}, column ${JSON.stringify(columns[c])}`);
    });
    row.commit();
  });
  sheet.commit();
  await workbook.commit();
  await ended;
  return Buffer.concat(chunks);
}
