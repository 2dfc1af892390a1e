// putObject to a .parquet key: rows (an array of row objects, or columns and rows)
// written as typed Parquet columns with snappy pages, by hyparquet-writer. Each
// column's type is the one its values share: safe integers INT64, other numbers
// DOUBLE, booleans BOOLEAN, ISO-8601 date-time strings TIMESTAMP (UTC, millis),
// arrays and objects JSON, other strings STRING; a column of mixed kinds is STRING
// (non-strings as their JSON text). Every column is nullable.
import { type BasicType, type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { BadUserInput } from '../../errors.js';
import { parseIsoDateTime } from '../../tables/infer.js';
import { normaliseRowsInput } from '../rows-input.js';

/** Rows per row group of written files (DuckDB's default is 122,880). */
export const PARQUET_WRITE_ROW_GROUP_ROWS = 100_000;

type Kind = 'null' | 'int' | 'float' | 'boolean' | 'datetime' | 'string' | 'json' | 'mixed';

function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return parseIsoDateTime(value) ? 'datetime' : 'string';
  return 'json';
}

function join(a: Kind, b: Kind): Kind {
  if (a === b || b === 'null') return a;
  if (a === 'null') return b;
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float';
  if ((a === 'datetime' && b === 'string') || (a === 'string' && b === 'datetime')) return 'string';
  return 'mixed';
}

function columnOf(name: string, values: unknown[]): ColumnSource {
  let kind: Kind = 'null';
  for (const value of values) kind = join(kind, kindOf(value));
  const nullOr = <T>(convert: (v: unknown) => T) => values.map((v) => (v === null || v === undefined ? null : convert(v)));
  let type: BasicType;
  let data: unknown[];
  switch (kind) {
    case 'int':
      type = 'INT64';
      data = nullOr((v) => BigInt(v as number));
      break;
    case 'float':
      type = 'DOUBLE';
      data = nullOr((v) => {
        if (!Number.isFinite(v as number)) throw new BadUserInput(`Column ${JSON.stringify(name)} holds ${v}, which JSON cannot carry`);
        return v as number;
      });
      break;
    case 'boolean':
      type = 'BOOLEAN';
      data = nullOr((v) => v);
      break;
    case 'datetime':
      type = 'TIMESTAMP';
      data = nullOr((v) => parseIsoDateTime(v as string) as Date);
      break;
    case 'json':
      type = 'JSON';
      data = nullOr((v) => v);
      break;
    default:
      type = 'STRING';
      data = nullOr((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  }
  return { name, type, data: data as ColumnSource['data'], nullable: true };
}

export function encodeParquet(content: unknown): Buffer {
  const { columns, rows } = normaliseRowsInput(content, '.parquet');
  if (columns.length === 0) throw new BadUserInput('.parquet content needs at least one column');
  const seen = new Set<string>();
  for (const name of columns) {
    if (name === '') throw new BadUserInput('.parquet column names must not be empty');
    if (seen.has(name)) throw new BadUserInput(`.parquet column names must be unique; ${JSON.stringify(name)} is given twice`);
    seen.add(name);
  }
  const columnData = columns.map((name, c) =>
    columnOf(
      name,
      rows.map((row) => row[c]),
    ),
  );
  const buffer = parquetWriteBuffer({ columnData, codec: 'SNAPPY', rowGroupSize: PARQUET_WRITE_ROW_GROUP_ROWS, createdBy: 'bucketql' });
  return Buffer.from(buffer);
}
