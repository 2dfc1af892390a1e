// Type inference that never loses data. Each raw cell has a kind; a column's type
// is the narrowest that every non-empty sampled cell fits; a cell that does not fit
// its column's type is returned as its original string (or value), never dropped.
import type { RawCell } from '../codecs/types.js';
import type { ColumnType, TypedValue } from './types.js';

type Kind = 'NULL' | 'INT' | 'FLOAT' | 'BOOLEAN' | 'DATETIME' | 'STRING' | 'JSON';

/** Integers without leading zeros or a plus sign: `007` and `+5` stay strings. */
const INT_RE = /^-?(?:0|[1-9]\d*)$/;
/** Decimals and exponents, same rule for the integer part; `.5` and `5.` stay strings. */
const FLOAT_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const BOOL_RE = /^(?:true|false)$/i;
/**
 * ISO-8601 dates and date-times: `2024-01-15`, `2024-01-15 09:30`, `2024-01-15T09:30:00.123`,
 * with an optional zone (`Z`, `+09:00`, `+0900`, `+09`). Without a zone: UTC.
 */
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The full pattern, with zones and fractions: `isoDateTimeMs` leaves the forms it does not read to it. */
export function parseIsoDateTimePattern(text: string): Date | null {
  const m = DATETIME_RE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999, whose leap years differ (0000-02-29).
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  date.setUTCHours(hour, minute, second, ms);
  let time = date.getTime();
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zoneMinutes = Number(digits.slice(2, 4) || '0');
    const offset = Number(digits.slice(0, 2)) * 60 + zoneMinutes;
    if (offset > 18 * 60 || zoneMinutes > 59) return null;
    time -= sign * offset * 60_000;
  }
  return new Date(time);
}

export const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a proleptic Gregorian date (any year, 0-99 included). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `parseIsoDateTime` as epoch milliseconds (NaN when the text is no date), without
 * making a Date: scans type a million date cells. The common zone-less forms
 * (`2024-01-15`, `2024-01-15 09:30`, `2024-01-15T09:30:00`) are read digit by digit;
 * the rest go through the full pattern.
 */
export function isoDateTimeMs(text: string): number {
  const length = text.length;
  if ((length === 10 || length === 16 || length === 19) && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const hi = twoDigits(text, 0);
    const lo = twoDigits(text, 2);
    const month = twoDigits(text, 5);
    const day = twoDigits(text, 8);
    let hour = 0;
    let minute = 0;
    let second = 0;
    let ok = hi >= 0 && lo >= 0 && month >= 1 && month <= 12 && day >= 1;
    if (ok && length > 10) {
      const sep = text.charCodeAt(10);
      hour = twoDigits(text, 11);
      minute = twoDigits(text, 14);
      ok = (sep === 84 || sep === 32) && text.charCodeAt(13) === 58 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59;
      if (ok && length === 19) {
        second = twoDigits(text, 17);
        ok = text.charCodeAt(16) === 58 && second >= 0 && second <= 59;
      }
    }
    if (!ok) return Number.NaN;
    const year = hi * 100 + lo;
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return Number.NaN;
    return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000;
  }
  const date = parseIsoDateTimePattern(text);
  return date ? date.getTime() : Number.NaN;
}

/**
 * Parses an ISO-8601 date or date-time as an instant, or returns null when the text is
 * not one or names an impossible date (2024-02-30, 25:00).
 */
export function parseIsoDateTime(text: string): Date | null {
  const ms = isoDateTimeMs(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/**
 * How a source's strings are read: text formats (CSV, TSV) spell every value as
 * text, so their strings may be numbers, booleans or dates; typed formats (JSON,
 * NDJSON) spell numbers and booleans natively, so only their ISO date strings are
 * reinterpreted (JSON has no date type); XLSX and pickle have real date types, so
 * their strings stay strings.
 */
export type StringReading = 'text' | 'json' | 'literal';

export function kindOf(cell: RawCell, reading: StringReading): Kind {
  if (cell === null || cell === undefined) return 'NULL';
  switch (typeof cell) {
    case 'string': {
      if (cell === '') return 'NULL';
      if (reading === 'literal') return 'STRING';
      if (reading === 'text') {
        if (INT_RE.test(cell)) return Number.isSafeInteger(Number(cell)) ? 'INT' : 'STRING';
        if (FLOAT_RE.test(cell)) return Number.isFinite(Number(cell)) ? 'FLOAT' : 'STRING';
        if (BOOL_RE.test(cell)) return 'BOOLEAN';
      }
      return Number.isNaN(isoDateTimeMs(cell)) ? 'STRING' : 'DATETIME';
    }
    case 'number':
      if (!Number.isFinite(cell)) return 'NULL';
      return Number.isSafeInteger(cell) ? 'INT' : 'FLOAT';
    case 'boolean':
      return 'BOOLEAN';
    case 'bigint':
      return 'STRING';
    case 'object':
      return cell instanceof Date ? (Number.isNaN(cell.getTime()) ? 'NULL' : 'DATETIME') : 'JSON';
    default:
      return 'STRING';
  }
}

/** The type two kinds of one column (or two parts of a dataset's column) share. */
export function joinTypes(a: Kind, b: Kind): Kind {
  if (a === b || b === 'NULL') return a;
  if (a === 'NULL') return b;
  if (a === 'JSON' || b === 'JSON') return 'JSON';
  if ((a === 'INT' && b === 'FLOAT') || (a === 'FLOAT' && b === 'INT')) return 'FLOAT';
  return 'STRING';
}

/** Accumulates the type and nullability of one column over the sampled rows. */
export class ColumnSample {
  kind: Kind = 'NULL';
  sawNull = false;
  add(cell: RawCell, reading: StringReading): void {
    const kind = kindOf(cell, reading);
    if (kind === 'NULL') this.sawNull = true;
    else this.kind = joinTypes(this.kind, kind);
  }
  get type(): ColumnType {
    return this.kind;
  }
}

/** The cell's text as written: for values returned unchanged in a column they do not fit. */
function asOriginal(cell: RawCell): TypedValue {
  if (typeof cell === 'bigint') return cell.toString();
  if (typeof cell === 'number' && !Number.isFinite(cell)) return null;
  return cell as TypedValue;
}

/**
 * Converts a raw cell to its column's type. Empty cells become null; a cell that
 * does not fit comes back as it was written (its original string).
 */
export function convert(cell: RawCell, type: ColumnType, reading: StringReading): TypedValue {
  if (cell === null || cell === undefined || cell === '') return null;
  switch (type) {
    case 'STRING':
      if (typeof cell === 'string') return cell;
      if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? null : cell.toISOString();
      if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : null;
      if (typeof cell === 'boolean' || typeof cell === 'bigint') return String(cell);
      return JSON.stringify(cell);
    case 'INT':
    case 'FLOAT':
      if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
      if (typeof cell === 'string' && reading === 'text') {
        const re = type === 'INT' ? INT_RE : FLOAT_RE;
        if (re.test(cell)) {
          const n = Number(cell);
          if (type === 'INT' ? Number.isSafeInteger(n) : Number.isFinite(n)) return n;
        }
      }
      return asOriginal(cell);
    case 'BOOLEAN':
      if (typeof cell === 'boolean') return cell;
      if (typeof cell === 'string' && reading === 'text' && BOOL_RE.test(cell)) return cell.length === 4;
      return asOriginal(cell);
    case 'DATETIME':
      if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? null : cell;
      if (typeof cell === 'string' && reading !== 'literal') return parseIsoDateTime(cell) ?? cell;
      return asOriginal(cell);
    case 'JSON':
      return asOriginal(cell);
    case 'NULL':
      return asOriginal(cell);
  }
}

/** True when a typed value is of its column's type (rather than a misfit returned as written). */
export function fitsType(value: TypedValue, type: ColumnType): boolean {
  switch (type) {
    case 'INT':
    case 'FLOAT':
      return typeof value === 'number';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'DATETIME':
      return value instanceof Date;
    case 'STRING':
      return typeof value === 'string';
    case 'JSON':
      return true;
    case 'NULL':
      return false;
  }
}
