// How values look on the page: sizes, dates and table cells, the same everywhere.

const SIZE_UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB'];

/** 12054 → "12.1 kB" (powers of 1000, like the sizes people see elsewhere). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${SIZE_UNITS[unit]}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A moment in the reader's own time zone (object metadata). */
export function formatLocalTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

const INSTANT = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)?(\.\d+)?Z$/;

/** True for an instant at midnight UTC: a column of those holds dates, shown without a time. */
export function isMidnight(value: unknown): boolean {
  return typeof value === 'string' && /T00:00:00(\.0+)?Z$/.test(value);
}

/** A DATETIME cell: the API's UTC instant, shortened ("2024-01-15 09:30", seconds when not zero). */
export function formatInstant(iso: string, dateOnly = false): string {
  const match = INSTANT.exec(iso);
  if (!match) return iso;
  if (dateOnly) return match[1] as string;
  const seconds = match[3] && match[3] !== ':00' ? match[3] : '';
  const fraction = match[4] && !/^\.0+$/.test(match[4]) ? match[4] : '';
  return `${match[1]} ${match[2]}${seconds}${fraction}`;
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** A count of rows or objects, with the reader's digit grouping. */
export function formatCount(count: number): string {
  return integer.format(count);
}

/** Most digits after the decimal point among the numbers of a column (at most 6): its values are shown with that many. */
export function decimalsOf(values: readonly unknown[]): number {
  let most = 0;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const text = String(value);
    if (text.includes('e')) continue;
    const point = text.indexOf('.');
    if (point >= 0) most = Math.max(most, text.length - point - 1);
  }
  return Math.min(most, 6);
}

/**
 * A table cell as text, by its column's type; null is handled by the grid. FLOAT
 * numbers get the column's `decimals`, so that a column of numbers lines up.
 */
export function formatCell(value: unknown, type: string, dateOnly = false, decimals?: number): string {
  if (typeof value === 'string') return type === 'DATETIME' ? formatInstant(value, dateOnly) : value;
  if (typeof value === 'number' && type === 'FLOAT' && decimals !== undefined && Number.isFinite(value) && Math.abs(value) < 1e15)
    return value.toFixed(decimals);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
