// Excel dates: a cell holds a serial number of days, and only its number format says
// it is a date. Excel dates have no zone, so a serial becomes a Date whose UTC fields
// are the wall-clock value Excel shows (the contract reads zone-less values as UTC).

const DAY_MS = 86_400_000;
/** 1900 date system: day 0 is 1899-12-30 once Lotus' phantom 1900-02-29 (serial 60) is passed. */
const EPOCH_1900_MS = Date.UTC(1899, 11, 30);
const EPOCH_1904_MS = Date.UTC(1904, 0, 1);
/** 9999-12-31T23:59:59.999, the last instant Excel can show. */
const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The Date a serial shows as, or null when no date can show it (negative serials, or
 * past year 9999: Excel shows "####" there, so the cell keeps its number).
 * Serials below 60 in the 1900 system are shifted a day like openpyxl does, since
 * Excel counts a 1900-02-29 that never was; the fraction of a day is rounded to the
 * millisecond, which removes the binary noise of stored times (09:30 is 0.3958333…).
 */
export function excelSerialToDate(serial: number, date1904: boolean): Date | null {
  if (!Number.isFinite(serial) || serial < 0) return null;
  let days = Math.floor(serial);
  const ms = Math.round((serial - days) * DAY_MS);
  if (!date1904 && serial >= 1 && serial < 60) days += 1;
  const time = (date1904 ? EPOCH_1904_MS : EPOCH_1900_MS) + days * DAY_MS + ms;
  return time > MAX_DATE_MS ? null : new Date(time);
}

/**
 * Built-in number formats that show dates or times: 14-22 and 45-47 everywhere, and
 * 27-36, 50-58 and 71-81 in the East Asian and Thai locales whose Excel writes them
 * without spelling out their codes.
 */
function isBuiltInDateFormat(id: number): boolean {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58) || (id >= 71 && id <= 81);
}

/**
 * True when a format code shows a date or time: after dropping what is literal
 * (quoted text, escaped characters, fill and padding) and bracketed modifiers
 * (colours, locales, conditions), a date or time letter remains. Elapsed-time
 * formats ([h]:mm) show durations, not instants: those cells keep their number of days.
 */
export function isDateFormatCode(code: string): boolean {
  const withoutLiterals = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '');
  if (/\[(h+|m+|s+)\]/i.test(withoutLiterals)) return false;
  const stripped = withoutLiterals.replace(/\[[^\]]*\]/g, '');
  const firstSection = stripped.split(';')[0] ?? '';
  return /[dmyhs]/i.test(firstSection) && !/^general$/i.test(firstSection.trim());
}

/** True when the number format `id` (with its custom code, if the workbook defines one) shows a date. */
export function isDateFormat(id: number, customCode: string | undefined): boolean {
  return customCode !== undefined ? isDateFormatCode(customCode) : isBuiltInDateFormat(id);
}
