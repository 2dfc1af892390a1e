// Turns a worksheet part's XML into rows of cells as Excel shows them: shared and
// inline strings as text (rich text flattened), numbers, booleans, dates where the
// cell's style says so, formula cells as their cached result, error cells as their
// text. Rows come with their 1-based row number so the caller can keep gaps.
import { DecodeFailed } from '../../errors.js';
import type { RawCell } from '../types.js';
import { excelSerialToDate } from './dates.js';
import { unescapeOoxml, type XmlHandler } from './xml.js';

/** Excel's grid: a row or column beyond these is not a worksheet Excel could have written. */
export const MAX_ROWS = 1_048_576;
export const MAX_COLUMNS = 16_384;

export interface WorksheetContext {
  sheet: string;
  sharedStrings: readonly string[];
  dateStyles: readonly boolean[];
  date1904: boolean;
  onRow(rowNumber: number, cells: RawCell[]): void;
}

/** "BC12" → 0-based column 54; NaN when the reference has no column letters. */
function columnOf(reference: string): number {
  let column = 0;
  let i = 0;
  for (; i < reference.length; i++) {
    const c = reference.charCodeAt(i);
    if (c >= 65 && c <= 90) column = column * 26 + (c - 64);
    else if (c >= 97 && c <= 122) column = column * 26 + (c - 96);
    else break;
  }
  return i === 0 ? Number.NaN : column - 1;
}

function columnName(column: number): string {
  let name = '';
  for (let n = column + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

const INTEGER = /^\s*-?\d+\s*$/;

export class WorksheetParser implements XmlHandler {
  /** The row being read (1-based), for errors and for rows without an `r` attribute. */
  rowNumber = 0;
  private cells: RawCell[] | null = null;
  private column = -1;
  // The cell being read.
  private inCell = false;
  private type = 'n';
  private style = 0;
  private value: string | null = null;
  private inline: string | null = null;
  private capture: 'v' | 't' | null = null;
  private phonetic = 0;

  constructor(private readonly context: WorksheetContext) {}

  private fail(message: string, column?: number): never {
    const cell = column !== undefined && column >= 0 ? `${columnName(column)}${this.rowNumber}` : undefined;
    throw new DecodeFailed(
      `XLSX: sheet ${JSON.stringify(this.context.sheet)}, ${cell ? `cell ${cell}` : `row ${this.rowNumber}`}: ${message}`,
      {
        sheet: this.context.sheet,
        row: this.rowNumber,
        ...(cell ? { cell } : {}),
      },
    );
  }

  open(name: string, attributes: Record<string, string>): void {
    switch (name) {
      case 'row': {
        const r = attributes.r;
        let rowNumber = r === undefined ? this.rowNumber + 1 : Number(r);
        if (!Number.isInteger(rowNumber) || rowNumber < 1 || rowNumber > MAX_ROWS)
          this.fail(`row number ${JSON.stringify(r)} is not between 1 and ${MAX_ROWS}`);
        // Rows must come in order; a writer that repeats or goes back gets its row placed next, not lost.
        if (rowNumber <= this.rowNumber) rowNumber = this.rowNumber + 1;
        this.rowNumber = rowNumber;
        this.cells = [];
        this.column = -1;
        break;
      }
      case 'c': {
        if (!this.cells) return;
        const reference = attributes.r;
        const column = reference === undefined ? this.column + 1 : columnOf(reference);
        if (!(column >= 0 && column < MAX_COLUMNS))
          this.fail(`cell reference ${JSON.stringify(reference)} is not a column between A and XFD`);
        this.column = column;
        this.inCell = true;
        this.type = attributes.t ?? 'n';
        this.style = attributes.s === undefined ? 0 : Number(attributes.s);
        this.value = null;
        this.inline = null;
        break;
      }
      case 'v':
        if (this.inCell) {
          this.value = '';
          this.capture = 'v';
        }
        break;
      case 'is':
        if (this.inCell) this.inline = '';
        break;
      case 'rPh':
        this.phonetic++;
        break;
      case 't':
        if (this.inline !== null && this.phonetic === 0) this.capture = 't';
        break;
    }
  }

  text(text: string): void {
    if (this.capture === 'v') this.value += text;
    else if (this.capture === 't') this.inline += text;
  }

  close(name: string): void {
    switch (name) {
      case 'v':
      case 't':
        this.capture = null;
        break;
      case 'rPh':
        this.phonetic--;
        break;
      case 'c':
        if (this.inCell && this.cells) {
          const value = this.cellValue();
          if (value !== null) {
            const cells = this.cells;
            while (cells.length < this.column) cells.push(null);
            cells[this.column] = value;
          }
        }
        this.inCell = false;
        break;
      case 'row':
        if (this.cells) this.context.onRow(this.rowNumber, this.cells);
        this.cells = null;
        break;
    }
  }

  private cellValue(): RawCell {
    const { type, value } = this;
    if (type === 'inlineStr') {
      const text = this.inline ?? value;
      return text ? unescapeOoxml(text) : null;
    }
    // A formula without a cached result (openpyxl never computes one) has no value to show.
    if (value === null || value === '') return null;
    switch (type) {
      case 's': {
        const text = this.context.sharedStrings[Number(value)];
        if (text === undefined) this.fail(`shared string ${JSON.stringify(value)} does not exist`, this.column);
        return text === '' ? null : text;
      }
      case 'str':
        return unescapeOoxml(value);
      case 'b':
        return value === '1' || value.toLowerCase() === 'true';
      case 'e':
        return value;
      case 'd': {
        // ISO 8601 dates (strict OOXML, openpyxl's iso_dates) carry no zone either.
        const time = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || !value.includes('T') ? value : `${value}Z`);
        return Number.isNaN(time) ? value : new Date(time);
      }
      default: {
        const number = Number(value);
        if (Number.isNaN(number)) return value;
        if (this.context.dateStyles[this.style]) {
          const date = excelSerialToDate(number, this.context.date1904);
          if (date) return date;
        }
        // Python writers store big integers exactly, and a double would round them. An
        // integer written as a double's shortest digits (by JS, Excel) or exact value stays a number.
        if (!Number.isSafeInteger(number) && Number.isInteger(number) && INTEGER.test(value)) {
          const literal = value.trim();
          const exact = BigInt(literal);
          if (literal !== String(number) && exact !== BigInt(number)) return exact;
        }
        return number;
      }
    }
  }
}
