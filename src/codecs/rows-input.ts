// What putObject accepts for a tabular extension (CSV, TSV, XLSX), normalised to
// columns and rows: an array of row objects (header: the union of their keys in
// first-seen order), or `{ columns: [...], rows: [[...], ...] }`.
import { BadUserInput } from '../errors.js';

export interface RowsInput {
  columns: string[];
  rows: unknown[][];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An unpaired surrogate: text that UTF-8 cannot hold (it would be written as U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether a string has no unpaired surrogate: String.prototype.isWellFormed (native,
 * Node 20) where there is one; the pattern otherwise. The pattern, with its lookbehind,
 * tested on every cell was a tenth of a 100k-row putObject (measured).
 */
const wellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !LONE_SURROGATE.test(s);

/**
 * A putObject input's rows, read one at a time into a reused array (an encoder then
 * makes no array a row): the shape is checked when it is made, a cell UTF-8 cannot hold
 * when its row is read, in row order, so the first refusal is the one a check of the
 * whole input before encoding would give.
 */
export interface RowsReader {
  columns: string[];
  rowCount: number;
  /** Row `i`'s cells in column order (null where it has none), into `cells`. */
  read(i: number, cells: unknown[]): void;
}

function checkColumns(columns: readonly string[], expected: string): void {
  const column = columns.findIndex((name) => !wellFormed(name));
  if (column !== -1) throw new BadUserInput(`${expected}; columns[${column}] holds an unpaired surrogate, which UTF-8 cannot encode`);
}

function checkCell(value: unknown, expected: string, row: number, column: string): void {
  if (typeof value === 'string' && !wellFormed(value))
    throw new BadUserInput(
      `${expected}; row ${row}, column ${JSON.stringify(column)} holds an unpaired surrogate, which UTF-8 cannot encode`,
    );
}

/** The columns of row objects: the union of their own keys, first seen first. */
function columnsOfObjects(content: unknown[], expected: string): string[] {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < content.length; i++) {
    const row = content[i];
    if (!isPlainObject(row)) throw new BadUserInput(`${expected}; item ${i} is not an object`);
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  return columns;
}

export function readRowsInput(content: unknown, extension: string): RowsReader {
  const expected = `${extension} content must be an array of row objects or { "columns": [...], "rows": [[...], ...] }`;
  if (Array.isArray(content)) {
    const columns = columnsOfObjects(content, expected);
    checkColumns(columns, expected);
    // Own keys only: a row without `toString` has none, not Object.prototype's. Other
    // names cannot be inherited, so they are read without asking.
    const inheritable = columns.map((column) => column in Object.prototype);
    return {
      columns,
      rowCount: content.length,
      read(i, cells) {
        const row = content[i] as Record<string, unknown>;
        cells.length = columns.length;
        for (let c = 0; c < columns.length; c++) {
          const column = columns[c] as string;
          const value = (inheritable[c] && !Object.hasOwn(row, column) ? null : row[column]) ?? null;
          checkCell(value, expected, i, column);
          cells[c] = value;
        }
      },
    };
  }
  if (isPlainObject(content) && Array.isArray(content.columns) && Array.isArray(content.rows)) {
    const columns = content.columns;
    const rows = content.rows;
    columns.forEach((name, i) => {
      if (typeof name !== 'string') throw new BadUserInput(`${expected}; columns[${i}] is not a string`);
    });
    rows.forEach((row, i) => {
      if (!Array.isArray(row)) throw new BadUserInput(`${expected}; rows[${i}] is not an array`);
      if (row.length > columns.length) {
        throw new BadUserInput(`${expected}; rows[${i}] has ${row.length} cells but there are ${columns.length} columns`);
      }
    });
    const extra = Object.keys(content).filter((k) => k !== 'columns' && k !== 'rows');
    if (extra.length > 0) throw new BadUserInput(`${expected}; unexpected field ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
    checkColumns(columns, expected);
    return {
      columns,
      rowCount: rows.length,
      read(i, cells) {
        const row = rows[i] as unknown[];
        cells.length = columns.length;
        for (let c = 0; c < columns.length; c++) {
          const value = row[c] ?? null;
          checkCell(value, expected, i, columns[c] as string);
          cells[c] = value;
        }
      },
    };
  }
  throw new BadUserInput(expected);
}

/** The input's columns and every row's cells (every cell checked). */
export function normaliseRowsInput(content: unknown, extension: string): RowsInput {
  const reader = readRowsInput(content, extension);
  const rows: unknown[][] = [];
  for (let i = 0; i < reader.rowCount; i++) {
    const cells: unknown[] = [];
    reader.read(i, cells);
    rows.push(cells);
  }
  return { columns: reader.columns, rows };
}
