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

export function normaliseRowsInput(content: unknown, extension: string): RowsInput {
  const expected = `${extension} content must be an array of row objects or { "columns": [...], "rows": [[...], ...] }`;
  if (Array.isArray(content)) {
    const columns: string[] = [];
    const seen = new Set<string>();
    content.forEach((row, i) => {
      if (!isPlainObject(row)) throw new BadUserInput(`${expected}; item ${i} is not an object`);
      for (const key of Object.keys(row)) {
        if (!seen.has(key)) {
          seen.add(key);
          columns.push(key);
        }
      }
    });
    const rows = content.map((row) => columns.map((column) => (row as Record<string, unknown>)[column] ?? null));
    return { columns, rows };
  }
  if (isPlainObject(content) && Array.isArray(content.columns) && Array.isArray(content.rows)) {
    const columns = content.columns;
    columns.forEach((name, i) => {
      if (typeof name !== 'string') throw new BadUserInput(`${expected}; columns[${i}] is not a string`);
    });
    const rows = content.rows.map((row, i) => {
      if (!Array.isArray(row)) throw new BadUserInput(`${expected}; rows[${i}] is not an array`);
      if (row.length > columns.length) {
        throw new BadUserInput(`${expected}; rows[${i}] has ${row.length} cells but there are ${columns.length} columns`);
      }
      return columns.map((_, c) => row[c] ?? null);
    });
    const extra = Object.keys(content).filter((k) => k !== 'columns' && k !== 'rows');
    if (extra.length > 0) throw new BadUserInput(`${expected}; unexpected field ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
    return { columns: columns as string[], rows };
  }
  throw new BadUserInput(expected);
}
