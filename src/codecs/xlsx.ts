// XLSX workbooks as tables: the sheet list first, then the chosen worksheet's rows,
// streamed from its part of the zip so that a page of leading rows reads little more
// than the workbook's small parts and the start of that sheet.
//
// Reading does not go through exceljs' streaming WorkbookReader: it reads the zip
// front to back, so for the layouts Excel and openpyxl write (worksheets before the
// shared strings and the workbook part) it spools every sheet to temporary files
// before the first row; it reports openpyxl's sheets as "Sheet1", "Sheet2"
// (exceljs#2663); it garbles multibyte text at chunk boundaries (exceljs#2084); and
// an error of the source stream crashes the process (pipe() without error
// forwarding). The reader here uses the zip's central directory and ranged reads
// instead (./xlsx/zip.ts). exceljs writes (./xlsx/encode.ts).
import { BadUserInput, DecodeFailed } from '../errors.js';
import type { ByteSource, Codec, RawCell, TableEvent, TableReadOptions } from './types.js';
import { encodeXlsx } from './xlsx/encode.js';
import { WorksheetParser } from './xlsx/sheet.js';
import { malformedXml, readDateStyles, readSharedStrings, readWorkbookParts, xmlText } from './xlsx/workbook.js';
import { XmlError, XmlTokenizer } from './xlsx/xml.js';
import { type InflateLimits, XLSX_MAX_INFLATE_RATIO, XLSX_MAX_INFLATED_BYTES, ZipArchive } from './xlsx/zip.js';

export type { InflateLimits } from './xlsx/zip.js';
export { XLSX_MAX_INFLATE_RATIO, XLSX_MAX_INFLATED_BYTES } from './xlsx/zip.js';

/** Rows per 'rows' event. */
const BATCH_ROWS = 500;

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const DEFAULT_LIMITS: InflateLimits = { maxInflatedBytes: XLSX_MAX_INFLATED_BYTES, maxInflateRatio: XLSX_MAX_INFLATE_RATIO };

/** A header cell as a column name: the text Excel shows, dates in ISO-8601. */
function headerName(cell: RawCell): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  if (cell instanceof Date) {
    const iso = cell.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  return String(cell);
}

async function* readXlsxTable(source: ByteSource, options: TableReadOptions, limits: InflateLimits): AsyncGenerator<TableEvent> {
  const { signal } = options;
  const archive = await ZipArchive.open(source, limits, signal);
  const workbook = await readWorkbookParts(archive);
  const { worksheets } = workbook;
  const names = worksheets.map((sheet) => sheet.name);
  const chosen =
    options.sheet === undefined
      ? (worksheets.find((sheet) => !sheet.hidden) ?? worksheets[0])
      : worksheets.find((sheet) => sheet.name === options.sheet);
  if (!chosen) {
    if (names.length === 0) throw new DecodeFailed('XLSX: the workbook has no worksheets');
    const list = names.map((name) => JSON.stringify(name)).join(', ');
    throw new BadUserInput(`No sheet named ${JSON.stringify(options.sheet)}; the workbook's sheets are ${list}`, { sheets: names });
  }
  const sheet = chosen.name;
  const entry = archive.find(chosen.path);
  if (!entry) {
    throw new DecodeFailed(`not an XLSX workbook: sheet ${JSON.stringify(sheet)} has no part ${chosen.path}`, { sheet, part: chosen.path });
  }
  yield { type: 'sheets', sheets: names, sheet };

  const dateStyles = await readDateStyles(archive, workbook.styles);
  const sharedStrings = await readSharedStrings(archive, workbook.sharedStrings);

  // Non-empty rows parsed from the last chunk, with their row numbers: empty rows
  // only count as the gaps between them, so trailing ones are never emitted.
  const parsed: { rowNumber: number; cells: RawCell[] }[] = [];
  const parser = new WorksheetParser({
    sheet,
    sharedStrings,
    dateStyles,
    date1904: workbook.date1904,
    onRow: (rowNumber, cells) => {
      if (cells.length > 0) parsed.push({ rowNumber, cells });
    },
  });
  const tokenizer = new XmlTokenizer(parser);
  let previousRow = 0; // row number of the last non-empty row handed out; 0 before the first
  let batch: RawCell[][] = [];

  function* drain(final: boolean): Generator<TableEvent> {
    for (const { rowNumber, cells } of parsed) {
      signal?.throwIfAborted();
      if (previousRow === 0 && options.header) {
        previousRow = rowNumber;
        yield { type: 'header', names: cells.map(headerName) };
        continue;
      }
      // Empty rows between data rows keep their place.
      for (let gap = previousRow === 0 ? 0 : rowNumber - previousRow - 1; gap > 0; gap--) {
        batch.push([]);
        if (batch.length >= BATCH_ROWS) {
          yield { type: 'rows', rows: batch };
          batch = [];
        }
      }
      previousRow = rowNumber;
      batch.push(cells);
      if (batch.length >= BATCH_ROWS) {
        yield { type: 'rows', rows: batch };
        batch = [];
      }
    }
    parsed.length = 0;
    if (final && batch.length > 0) {
      yield { type: 'rows', rows: batch };
      batch = [];
    }
  }

  try {
    for await (const text of xmlText(archive.chunks(entry))) {
      tokenizer.write(text);
      yield* drain(false);
    }
    tokenizer.end();
  } catch (error) {
    if (error instanceof XmlError) {
      throw malformedXml(`sheet ${JSON.stringify(sheet)}`, error, { sheet, ...(parser.rowNumber > 0 ? { row: parser.rowNumber } : {}) });
    }
    throw error;
  }
  yield* drain(true);
}

/** The XLSX codec with its zip-bomb limits: the settings layer can build one from its own. */
export function createXlsxCodec(limits: InflateLimits = DEFAULT_LIMITS): Codec {
  return {
    format: 'XLSX',
    extensions: ['.xlsx'],
    contentType: XLSX_CONTENT_TYPE,
    supportsOffsets: false,
    readTable: (source, options) => readXlsxTable(source, options, limits),
    encode: (content, options) => encodeXlsx(content, options),
  };
}

export const xlsxCodec: Codec = createXlsxCodec();
