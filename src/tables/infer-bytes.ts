// `convert`'s typing of CSV text, read straight from UTF-8 bytes for the common forms
// (the cold scan types millions of cells without making their strings). Each returns
// NaN for anything it does not read, and the caller then types the cell's text with
// `convert`: these fast paths may decline a cell, never type it differently.
import { DAYS_IN_MONTH, daysFromCivil } from './infer.js';

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

/** Digits a number may have and still be read exactly as an integer (below 2^53). */
const EXACT_DIGITS = 15;
/** Powers of ten that doubles hold exactly. */
const POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** An INT cell (`-?(0|[1-9]\d*)`, INT_RE) of at most 15 digits, else NaN. */
export function intBytes(bytes: Buffer, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  const digits = end - i;
  if (digits < 1 || digits > EXACT_DIGITS || (bytes[i] === ZERO && digits > 1)) return Number.NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = (bytes[i] as number) - ZERO;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

/**
 * A FLOAT cell without an exponent (`-?(0|[1-9]\d*)(\.\d+)?`) of at most 15 digits,
 * else NaN. The digits make an exact integer and the division by an exact power of
 * ten is rounded once, so the result is the nearest double, as Number() gives it.
 */
export function floatBytes(bytes: Buffer, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  const first = i;
  let n = 0;
  let digits = 0;
  let point = -1;
  for (; i < end; i++) {
    const b = bytes[i] as number;
    if (b === DOT) {
      if (point >= 0 || i === first || i === end - 1) return Number.NaN;
      point = i;
      continue;
    }
    const d = b - ZERO;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
    digits++;
  }
  if (digits === 0 || digits > EXACT_DIGITS) return Number.NaN;
  // A leading zero is only `0` or `0.x` (FLOAT_RE: `007` stays text).
  if (bytes[first] === ZERO && (point < 0 ? end - first > 1 : point - first > 1)) return Number.NaN;
  const value = point < 0 ? n : n / (POWERS[end - point - 1] as number);
  return negative ? -value : value;
}

function twoDigits(bytes: Buffer, at: number): number {
  const a = (bytes[at] as number) - ZERO;
  const b = (bytes[at + 1] as number) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `isoDateTimeMs` of the zone-less forms it reads digit by digit (`2024-01-15`,
 * `2024-01-15 09:30`, `2024-01-15T09:30:00`), else NaN (the caller then reads the text).
 */
export function dateBytesMs(bytes: Buffer, start: number, end: number): number {
  const length = end - start;
  if ((length !== 10 && length !== 16 && length !== 19) || bytes[start + 4] !== MINUS || bytes[start + 7] !== MINUS) return Number.NaN;
  const hi = twoDigits(bytes, start);
  const lo = twoDigits(bytes, start + 2);
  const month = twoDigits(bytes, start + 5);
  const day = twoDigits(bytes, start + 8);
  let hour = 0;
  let minute = 0;
  let second = 0;
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return Number.NaN;
  if (length > 10) {
    const sep = bytes[start + 10];
    hour = twoDigits(bytes, start + 11);
    minute = twoDigits(bytes, start + 14);
    if ((sep !== 0x54 && sep !== 0x20) || bytes[start + 13] !== 0x3a || hour < 0 || hour > 23 || minute < 0 || minute > 59)
      return Number.NaN;
    if (length === 19) {
      second = twoDigits(bytes, start + 17);
      if (bytes[start + 16] !== 0x3a || second < 0 || second > 59) return Number.NaN;
    }
  }
  const year = hi * 100 + lo;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return Number.NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000;
}
