// Calendar arithmetic for pickled dates and times: Python datetime/date/time/timedelta,
// numpy datetime64/timedelta64 and pandas Timestamps become instants (epoch
// milliseconds plus the nanoseconds below them) and ISO-8601 text. Written out rather
// than left to Date so that nanoseconds, years beyond Date's range and historical zone
// offsets survive; IANA zones come from Node's own ICU through Intl.
import { Instant, PickleError, type TzInfo, type WallTime } from './values.js';

const MS_PER_DAY = 86_400_000;
/** Date's own range: instants beyond it are written as text, never as Date. */
const MAX_DATE_MS = 8.64e15;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatYear(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4);
  return (year < 0 ? '-' : '+') + pad(Math.abs(year), 6);
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** The `YYYY-MM-DDT` of the last day formatted: a column of datetimes mostly repeats days. */
let lastDay = Number.NaN;
let lastDayText = '';

/**
 * ISO-8601 UTC text of an instant: milliseconds always (`2024-01-15T09:30:00.000Z`,
 * the contract's form), and six or nine fraction digits only when the value has
 * microseconds or nanoseconds, so nothing pandas stored is lost.
 */
export function formatInstant(epochMs: number, subMsNanos: number): string {
  const days = Math.floor(epochMs / MS_PER_DAY);
  let rest = epochMs - days * MS_PER_DAY;
  if (days !== lastDay) {
    const { year, month, day } = civilFromDays(days);
    lastDayText = `${formatYear(year)}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
    lastDay = days;
  }
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const ms = rest - second * 1000;
  let fraction = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`;
  if (subMsNanos !== 0) fraction += subMsNanos % 1000 === 0 ? pad(subMsNanos / 1000, 3) : pad(subMsNanos, 6);
  return `${lastDayText}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${fraction}Z`;
}

export function formatInstantValue(instant: Instant): string {
  return formatInstant(instant.epochMs, instant.subMsNanos);
}

/** A Date for a table cell, or the ISO text when the instant is beyond Date's range. */
export function instantCell(epochMs: number, subMsNanos: number): Date | string {
  if (Math.abs(epochMs) > MAX_DATE_MS) return formatInstant(epochMs, subMsNanos);
  return new Date(epochMs);
}

export function formatDate(year: number, month: number, day: number): string {
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  const secs = abs % 60;
  return `${sign}${pad(hours, 2)}:${pad(minutes, 2)}${secs ? `:${pad(secs, 2)}` : ''}`;
}

/** `HH:MM:SS[.ffffff][+HH:MM]`, as Python's time.isoformat(); zone-less offsets only for fixed zones. */
export function formatTime(hour: number, minute: number, second: number, microsecond: number, tz: TzInfo | null): string {
  let text = `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
  if (microsecond) text += `.${pad(microsecond, 6)}`;
  if (tz && 'offsetSeconds' in tz) text += formatOffset((tz as { offsetSeconds: number }).offsetSeconds);
  return text;
}

/**
 * ISO-8601 duration of a signed nanosecond count (`P1DT2H3M4.5S`, `-PT1S`, `PT0S`):
 * lossless, and what pandas' own `to_json(date_format="iso")` writes for timedeltas.
 */
export function formatDuration(nanoseconds: bigint): string {
  const negative = nanoseconds < 0n;
  let rest = negative ? -nanoseconds : nanoseconds;
  const NS_DAY = 86_400_000_000_000n;
  const days = rest / NS_DAY;
  rest -= days * NS_DAY;
  const hours = rest / 3_600_000_000_000n;
  rest -= hours * 3_600_000_000_000n;
  const minutes = rest / 60_000_000_000n;
  rest -= minutes * 60_000_000_000n;
  const seconds = rest / 1_000_000_000n;
  const nanos = rest - seconds * 1_000_000_000n;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds || nanos) time += nanos ? `${seconds}.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}S` : `${seconds}S`;
  let text = days ? `P${days}D` : 'P';
  if (time) text += `T${time}`;
  if (text === 'P') text = 'PT0S';
  return (negative ? '-' : '') + text;
}

/** The instant of a wall-clock time in a zone (naive: taken as UTC, as the contract says). */
export function wallToInstant(wall: WallTime, microsecond: number, tz: TzInfo | null, fold: number): Instant {
  const offset = tz ? tz.utcOffsetSeconds(wall, fold) : 0;
  const seconds = daysFromCivil(wall.year, wall.month, wall.day) * 86_400 + wall.hour * 3600 + wall.minute * 60 + wall.second - offset;
  const ms = Math.floor(microsecond / 1000);
  return new Instant(seconds * 1000 + ms, (microsecond - ms * 1000) * 1000);
}

/**
 * An int64 nanosecond count, given as its two 32-bit halves, split exactly into epoch
 * milliseconds and the nanoseconds below: 2^32 = 4294·10^6 + 967296, and every product
 * below stays under 2^53, so no BigInt is needed per cell.
 */
export function splitNanoseconds(lo: number, hi: number, out: Float64Array): void {
  const r = hi * 967_296 + lo;
  let q = Math.floor(r / 1e6);
  let rem = r - q * 1e6;
  if (rem < 0) {
    q -= 1;
    rem += 1e6;
  } else if (rem >= 1e6) {
    q += 1;
    rem -= 1e6;
  }
  out[0] = hi * 4294 + q;
  out[1] = rem;
}

/** Nanoseconds per numpy datetime unit; Y and M are calendar units handled apart. */
export const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  W: 604_800_000_000_000n,
  D: 86_400_000_000_000n,
  h: 3_600_000_000_000n,
  m: 60_000_000_000n,
  s: 1_000_000_000n,
  ms: 1_000_000n,
  us: 1000n,
  μs: 1000n,
  ns: 1n,
};

/** A numpy datetime64 count in any unit (`count` units of `unit`) as an instant. */
export function datetime64ToInstant(value: bigint, unit: string, count: number): Instant {
  const n = value * BigInt(count);
  if (unit === 'Y' || unit === 'M') {
    const months = unit === 'Y' ? n * 12n : n;
    const years = months >= 0n ? months / 12n : -((-months + 11n) / 12n);
    const month = Number(months - years * 12n) + 1;
    return new Instant(daysFromCivil(1970 + Number(years), month, 1) * MS_PER_DAY, 0);
  }
  const perUnit = NANOS_PER_UNIT[unit];
  if (perUnit === undefined) throw new PickleError(`numpy datetime unit '${unit}' is not supported`);
  const ns = n * perUnit;
  let ms = ns / 1_000_000n;
  if (ns < 0n && ms * 1_000_000n !== ns) ms -= 1n;
  return new Instant(Number(ms), Number(ns - ms * 1_000_000n));
}

export function timedelta64ToNanos(value: bigint, unit: string, count: number): bigint {
  const perUnit = NANOS_PER_UNIT[unit];
  if (perUnit === undefined) throw new PickleError(`numpy timedelta unit '${unit}' is not supported`);
  return value * BigInt(count) * perUnit;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();
const SLICE_MS = 15 * 60 * 1000;

/** An IANA zone (zoneinfo.ZoneInfo, pytz without a pinned offset), resolved through ICU. */
export class ZoneTz implements TzInfo {
  private readonly format: Intl.DateTimeFormat;
  constructor(readonly name: string) {
    let format = zoneFormatters.get(name);
    if (!format) {
      try {
        format = new Intl.DateTimeFormat('en-US', {
          timeZone: name,
          hourCycle: 'h23',
          era: 'short',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
      } catch {
        throw new PickleError(`unknown time zone '${name}'`);
      }
      if (zoneFormatters.size < 1000) zoneFormatters.set(name, format);
    }
    this.format = format;
  }

  /**
   * Offsets by 15-minute slice of UTC: a slice whose two ends agree has one offset
   * throughout (zones change at most once in 15 minutes); one that straddles a change
   * is asked exactly. Keeps a column of zoned datetimes from costing an ICU call each.
   */
  private readonly slices = new Map<number, number>();

  private offsetAt(utcMs: number): number {
    const slice = Math.floor(utcMs / SLICE_MS);
    let offset = this.slices.get(slice);
    if (offset === undefined) {
      const start = this.exactOffsetAt(slice * SLICE_MS);
      offset = start === this.exactOffsetAt(slice * SLICE_MS + SLICE_MS - 1) ? start : Number.NaN;
      if (this.slices.size > 100_000) this.slices.clear();
      this.slices.set(slice, offset);
    }
    return Number.isNaN(offset) ? this.exactOffsetAt(utcMs) : offset;
  }

  private exactOffsetAt(utcMs: number): number {
    const parts: Record<string, string> = {};
    for (const part of this.format.formatToParts(new Date(utcMs))) parts[part.type] = part.value;
    let year = Number(parts.year);
    if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
    const wallMs =
      (daysFromCivil(year, Number(parts.month), Number(parts.day)) * 86_400 +
        Number(parts.hour) * 3600 +
        Number(parts.minute) * 60 +
        Number(parts.second)) *
      1000;
    const utcSeconds = Math.floor(utcMs / 1000) * 1000;
    return Math.round((wallMs - utcSeconds) / 1000);
  }

  utcOffsetSeconds(wall: WallTime, fold: number): number {
    const wallMs = (daysFromCivil(wall.year, wall.month, wall.day) * 86_400 + wall.hour * 3600 + wall.minute * 60 + wall.second) * 1000;
    // Offsets a day either side bracket any transition; a wall time valid under both is
    // ambiguous and one valid under neither falls in a gap: fold picks, as in Python.
    const before = this.offsetAt(wallMs - MS_PER_DAY);
    const after = this.offsetAt(wallMs + MS_PER_DAY);
    if (before === after) return before;
    const validBefore = this.offsetAt(wallMs - before * 1000) === before;
    const validAfter = this.offsetAt(wallMs - after * 1000) === after;
    if (validBefore && !validAfter) return before;
    if (validAfter && !validBefore) return after;
    return fold ? after : before;
  }
}
