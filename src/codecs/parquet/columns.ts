// Parquet's types as bucketql's column types, losing nothing: each top-level field
// becomes one column with a declared type, a conversion of hyparquet's values to
// cells, and (for flat columns) the value range its row-group statistics give.
//
//   BOOLEAN → BOOLEAN; INT32/INT64 (signed or not) → INT, integers beyond 2^53 as
//   strings; FLOAT/DOUBLE/FLOAT16 → FLOAT; DECIMAL of scale 0 → INT, other DECIMAL →
//   FLOAT, each value a number when that number reads back as the same decimal, else
//   the exact decimal text (a misfit returned as written, by the contract's rule); DATE, TIMESTAMP (millis, micros,
//   nanos, INT96) → DATETIME in UTC; TIME → STRING "HH:MM:SS.ffffff"; strings, ENUM
//   and UUID → STRING; other binary → STRING (the text when it is UTF-8, else base64);
//   JSON, LIST, MAP, STRUCT, VARIANT, geometry → JSON; INTERVAL → JSON {months, days, milliseconds}.
import type { FileMetaData, ParquetParsers, SchemaElement, SchemaTree, Statistics } from 'hyparquet';
import { DecodeFailed } from '../../errors.js';
import type { ColumnTypeName, RawCell, ValueRange } from '../types.js';
import { PARQUET_MAX_NESTING } from './limits.js';

export interface ParquetColumn {
  name: string;
  type: ColumnTypeName;
  nullable: boolean;
  /** hyparquet's value (after the element rewrite below) as a cell. */
  cell(value: unknown): RawCell;
  /** The range a row group's statistics give, as the table layer types values; null when unknown. */
  range(stats: Statistics | undefined, rows: number): ValueRange | null;
  /** The cells are the physical INT32, INT64 (when safe) or DOUBLE values themselves: a count may take them as a Float64Array. */
  numbers?: boolean;
  /** The cells are the stored values (text, signed integers): a chunk's Bloom filter tells whether one is present. */
  bloom?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Binary as text when it is UTF-8, else base64. */
function binaryText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
}

const MS_PER_DAY = 86_400_000;

/** Floor division for bigints (timestamps before 1970 round down, not toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Timestamps as Dates in UTC, rounded down to the millisecond. */
export const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis) => new Date(Number(millis)),
  timestampFromMicroseconds: (micros) => new Date(Number(floorDiv(BigInt(micros), 1000n))),
  timestampFromNanoseconds: (nanos) => new Date(Number(floorDiv(BigInt(nanos), 1_000_000n))),
  dateFromDays: (days) => new Date(Number(days) * MS_PER_DAY),
};

/** An integer as a number when it is safe, else a bigint (a misfit the table returns as its digits). */
function integer(value: unknown): RawCell {
  if (typeof value === 'bigint') return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
  return typeof value === 'number' ? value : (value as RawCell);
}

/** Any nested value as JSON: integers beyond 2^53 and binary as strings, dates as ISO-8601. */
export function jsonOf(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (depth > PARQUET_MAX_NESTING)
    throw new DecodeFailed(`Parquet: a value is nested more than ${PARQUET_MAX_NESTING} deep`, { limit: PARQUET_MAX_NESTING });
  if (typeof value === 'bigint') return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return binaryText(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>, (v) => jsonOf(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value))
      Object.defineProperty(out, key, { value: jsonOf(v, depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** The exact decimal text of an unscaled integer. */
function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0) digits += '0'.repeat(-scale);
  return negative ? `-${digits}` : digits;
}

/** A decimal as a number when the number reads back as the same decimal, else its exact text (a misfit kept as written). */
function decimalCell(text: string): RawCell {
  const n = Number(text);
  return plainDecimal(n) === trimDecimal(text) ? n : text;
}

/** A decimal's text without trailing fractional zeros ("1.50" → "1.5", "2.0" → "2", "-0.0" → "0"). */
function trimDecimal(text: string): string {
  let t = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  if (/^-0*$/.test(t)) t = '0';
  return t;
}

/** A number's shortest text without an exponent (1e-10 → "0.0000000001"). */
function plainDecimal(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text === '-0' ? '0' : text;
  const [, sign, lead, rest = '', exp] = m;
  const digits = `${lead}${rest}`;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A big-endian two's-complement integer. */
function signedBigEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  if (bytes.length > 0 && (bytes[0] as number) & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

function timeText(value: unknown, unit: 'MILLIS' | 'MICROS' | 'NANOS'): string {
  const perSecond = unit === 'MILLIS' ? 1000n : unit === 'MICROS' ? 1_000_000n : 1_000_000_000n;
  const total = BigInt(value as number | bigint);
  const seconds = floorDiv(total, perSecond);
  const fraction = total - seconds * perSecond;
  const pad = (n: bigint) => n.toString().padStart(2, '0');
  const text = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  return `${text}.${fraction.toString().padStart(perSecond.toString().length - 1, '0')}`;
}

/** A 4-byte float as the shortest decimal that reads back as it (2.2, not 2.200000047683716), as DuckDB and Arrow print it. */
function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

function depthOf(tree: SchemaTree): number {
  let depth = 0;
  for (const child of tree.children) depth = Math.max(depth, depthOf(child) + 1);
  return depth;
}

const numberOf = (v: unknown) => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined);

/**
 * A flat column's statistics as a range, when its bounds are values of the column's type.
 * `floats`: NaN and infinities are cells the table reads as null, which Parquet's null
 * count leaves out (and its bounds too, for NaN): the count then tells only a span of
 * nulls alone.
 */
function statsRange(
  stats: Statistics | undefined,
  rows: number,
  bound: (v: unknown) => string | number | boolean | Date | undefined,
  legacy: boolean,
  floats = false,
): ValueRange | null {
  if (!stats) return null;
  const counted = numberOf(stats.null_count);
  const nulls = floats && counted !== undefined && counted < rows ? undefined : counted;
  const min = bound(stats.min_value ?? (legacy ? stats.min : undefined));
  const max = bound(stats.max_value ?? (legacy ? stats.max : undefined));
  if (nulls === undefined && min === undefined && max === undefined) return null;
  return { rows, min, max, nulls };
}

const safeBound = (v: unknown) => {
  const n = typeof v === 'bigint' ? (v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : undefined) : numberOf(v);
  return n !== undefined && Number.isFinite(n) ? n : undefined;
};
const dateBound = (v: unknown) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v : undefined);
const stringBound = (v: unknown) => (typeof v === 'string' ? v : undefined);
const boolBound = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
const noBound = () => undefined;

/**
 * The columns of a file, one per top-level field. Rewrites the elements hyparquet
 * would convert inexactly (DECIMAL to a double, INTERVAL and BSON it refuses) into
 * raw values this module converts itself; returns the metadata to read with.
 */
export function parquetColumns(metadata: FileMetaData, tree: SchemaTree): { columns: ParquetColumn[]; metadata: FileMetaData } {
  if (depthOf(tree) > PARQUET_MAX_NESTING) {
    throw new DecodeFailed(`Parquet: the schema is nested ${depthOf(tree)} deep; at most ${PARQUET_MAX_NESTING} levels are read`, {
      limit: PARQUET_MAX_NESTING,
    });
  }
  const schema = metadata.schema.map((element) => ({ ...element }));
  const rewritten = new Map<string, SchemaElement>();
  const columns = tree.children.map((child): ParquetColumn => {
    const element = child.element;
    const name = element.name;
    const nullable = element.repetition_type !== 'REQUIRED';
    const flat = child.children.length === 0 && element.repetition_type !== 'REPEATED';
    const logical = element.logical_type;
    const converted = element.converted_type;
    const column = (type: ColumnTypeName, cell: (v: unknown) => RawCell, range: ParquetColumn['range'] = () => null): ParquetColumn => ({
      name,
      type,
      nullable,
      cell: (v) => (v === null || v === undefined ? null : cell(v)),
      range,
    });
    if (!flat) return column('JSON', (v) => jsonOf(v) as RawCell);
    const strip = () => {
      const at = metadata.schema.indexOf(element);
      if (at < 0) return;
      const copy = schema[at] as SchemaElement;
      delete copy.converted_type;
      delete copy.logical_type;
      rewritten.set(name, copy);
    };
    if (converted === 'DECIMAL' || logical?.type === 'DECIMAL') {
      const scale = element.scale ?? (logical?.type === 'DECIMAL' ? logical.scale : 0) ?? 0;
      strip();
      const unscaled = (v: unknown) => (v instanceof Uint8Array ? signedBigEndian(v) : BigInt(v as number | bigint));
      // Statistics prune when every value of the column is a number (at most 15 digits): hyparquet's bounds
      // (unscaled / 10^scale, correctly rounded) are then the very numbers the cells hold. Legacy bounds
      // are signed only for INT32/INT64.
      const precision = element.precision ?? (logical?.type === 'DECIMAL' ? logical.precision : undefined) ?? Infinity;
      const legacy = element.type === 'INT32' || element.type === 'INT64';
      const range: ParquetColumn['range'] = (stats, rows) => (precision <= 15 ? statsRange(stats, rows, safeBound, legacy) : null);
      if (scale === 0) return column('INT', (v) => integer(unscaled(v)), range);
      return column('FLOAT', (v) => decimalCell(decimalText(unscaled(v), scale)), range);
    }
    if (converted === 'INTERVAL' || logical?.type === 'INTERVAL') {
      strip();
      return column('JSON', (v) => {
        const b = v as Uint8Array;
        const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
        return { months: view.getUint32(0, true), days: view.getUint32(4, true), milliseconds: view.getUint32(8, true) };
      });
    }
    if (converted === 'BSON' || logical?.type === 'BSON') {
      strip();
      return column('STRING', (v) => Buffer.from(v as Uint8Array).toString('base64'));
    }
    if (
      converted === 'JSON' ||
      logical?.type === 'JSON' ||
      logical?.type === 'VARIANT' ||
      logical?.type === 'GEOMETRY' ||
      logical?.type === 'GEOGRAPHY'
    ) {
      return column('JSON', (v) => jsonOf(v) as RawCell);
    }
    if (converted === 'TIME_MILLIS' || converted === 'TIME_MICROS' || logical?.type === 'TIME') {
      const unit = logical?.type === 'TIME' ? logical.unit : converted === 'TIME_MILLIS' ? 'MILLIS' : 'MICROS';
      return column('STRING', (v) => timeText(v, unit));
    }
    const isTimestamp =
      converted === 'DATE' ||
      converted === 'TIMESTAMP_MILLIS' ||
      converted === 'TIMESTAMP_MICROS' ||
      logical?.type === 'TIMESTAMP' ||
      logical?.type === 'DATE' ||
      element.type === 'INT96';
    if (isTimestamp)
      return column(
        'DATETIME',
        (v) => v as Date,
        (stats, rows) => statsRange(stats, rows, dateBound, element.type !== 'INT96'),
      );
    const unsigned = converted?.startsWith('UINT_') || (logical?.type === 'INTEGER' && !logical.isSigned);
    switch (element.type) {
      case 'BOOLEAN':
        return column(
          'BOOLEAN',
          (v) => v as boolean,
          (stats, rows) => statsRange(stats, rows, boolBound, true),
        );
      case 'INT32':
      case 'INT64':
        return {
          ...column('INT', integer, (stats, rows) => statsRange(stats, rows, safeBound, !unsigned)),
          numbers: !unsigned,
          bloom: !unsigned,
        };
      case 'FLOAT':
        return column(
          'FLOAT',
          (v) => shortestFloat32(v as number),
          (stats, rows) => statsRange(stats, rows, safeBound, true, true),
        );
      case 'DOUBLE':
        return {
          ...column(
            'FLOAT',
            (v) => v as number,
            (stats, rows) => statsRange(stats, rows, safeBound, true, true),
          ),
          numbers: true,
        };
      case 'BYTE_ARRAY':
      case 'FIXED_LEN_BYTE_ARRAY': {
        if (logical?.type === 'FLOAT16') return column('FLOAT', (v) => v as number);
        const text = converted === 'UTF8' || converted === 'ENUM' || logical?.type === 'STRING' || logical?.type === 'ENUM';
        if (text)
          return {
            ...column(
              'STRING',
              (v) => v as string,
              (stats, rows) => statsRange(stats, rows, stringBound, false),
            ),
            bloom: element.type === 'BYTE_ARRAY',
          };
        if (logical?.type === 'UUID') return column('STRING', (v) => v as string);
        return column(
          'STRING',
          (v) => (v instanceof Uint8Array ? binaryText(v) : (v as string)),
          (stats, rows) => statsRange(stats, rows, noBound, false),
        );
      }
      default:
        return column('JSON', (v) => jsonOf(v) as RawCell);
    }
  });
  return { columns, metadata: rewritten.size > 0 ? { ...metadata, schema } : metadata };
}
