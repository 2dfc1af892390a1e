// JSON text written value by value as UTF-8 bytes, into blocks of 1 MiB: what `content`
// of a CSV/TSV writes its rows with, straight from a columnar table's arrays (no row
// object, no JSON.stringify of rows, no string of the whole answer). Every method
// writes exactly the bytes JSON.stringify would write for its value, so the answer is
// byte-identical to the JSON of row objects (checked by test/tables/content-json.test.ts).
import { civilFromDays } from './pickle/time.js';
import { SerialisedJson } from './serialised-json.js';

/** Bytes of a block. */
const BLOCK_BYTES = 1 << 20;

/** `"`, `\` and the C0 controls need escapes; every other byte of UTF-8 text is written as is. */
const ESCAPES: (string | null)[] = Array.from({ length: 128 }, (_, byte) => {
  if (byte === 0x22) return '\\"';
  if (byte === 0x5c) return '\\\\';
  if (byte >= 0x20) return null;
  const short: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
  return short[byte] ?? `\\u${byte.toString(16).padStart(4, '0')}`;
});

/** Dates JSON as `YYYY-MM-DDTHH:mm:ss.sssZ` (years 0 to 9999; others go through toISOString). */
const FIRST_DATE_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const END_DATE_MS = 253_402_300_800_000; // 10000-01-01T00:00:00.000Z
const DAY_MS = 86_400_000;
/** Days whose text `date` keeps (then it starts again). */
const MAX_DAYS = 4096;

/** Words of a dictionary column as JSON bytes, made once a word (the memo lives as long as the words array). */
export interface WordMemo {
  words: readonly string[] | null;
  json: (Buffer | undefined)[];
}

export function wordMemo(): WordMemo {
  return { words: null, json: [] };
}

export class JsonBytes {
  private readonly blocks: Buffer[] = [];
  private block: Buffer = Buffer.alloc(0);
  private used = 0;
  /** The dictionary memo of the column being written (set by the writer before each cell). */
  memo: WordMemo = wordMemo();
  /** `"YYYY-MM-DDT` of the days `date` wrote (days since the epoch): a column's cells often share days. */
  private readonly days = new Map<number, string>();

  /** Makes room for `bytes` more bytes in the current block. */
  private room(bytes: number): void {
    if (this.block.length - this.used >= bytes) return;
    if (this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
    this.block = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, bytes));
    this.used = 0;
  }

  /** Text known to be ASCII and to need no escape (punctuation, digits, ISO dates). */
  ascii(text: string): void {
    const n = text.length;
    this.room(n);
    const block = this.block;
    let at = this.used;
    for (let i = 0; i < n; i++) block[at++] = text.charCodeAt(i);
    this.used = at;
  }

  /** Bytes already JSON (escaped keys, dictionary words). */
  raw(bytes: Buffer): void {
    const n = bytes.length;
    this.room(n);
    if (n <= 64) {
      const block = this.block;
      let at = this.used;
      for (let i = 0; i < n; i++) block[at++] = bytes[i] as number;
      this.used = at;
    } else {
      this.used += bytes.copy(this.block, this.used);
    }
  }

  null(): void {
    this.ascii('null');
  }

  boolean(value: boolean): void {
    this.ascii(value ? 'true' : 'false');
  }

  /** A number as JSON.stringify writes it (non-finite ones as null). */
  number(value: number): void {
    // An int32 (-0 too: JSON.stringify writes it "0"), digit by digit without a string.
    if ((value | 0) === value) this.int32(value);
    else this.ascii(Number.isFinite(value) ? String(value) : 'null');
  }

  private int32(value: number): void {
    this.room(11);
    const block = this.block;
    let at = this.used;
    let n = value;
    if (n < 0) {
      block[at++] = 0x2d;
      n = -n; // -2^31 becomes 2^31: still exact below, in doubles
    }
    let digits = 1;
    for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++;
    at += digits;
    this.used = at;
    do {
      const next = (n / 10) | 0;
      block[--at] = 0x30 + (n - next * 10);
      n = next;
    } while (n > 0);
  }

  /** A date-time (epoch milliseconds) as its ISO string, as Date#toISOString writes it. */
  date(ms: number): void {
    if (!(ms >= FIRST_DATE_MS && ms < END_DATE_MS) || !Number.isInteger(ms)) {
      this.ascii(`"${new Date(ms).toISOString()}"`);
      return;
    }
    const days = Math.floor(ms / DAY_MS);
    const time = ms - days * DAY_MS;
    let day = this.days.get(days);
    if (day === undefined) {
      if (this.days.size === MAX_DAYS) this.days.clear();
      day = dayText(days);
      this.days.set(days, day);
    }
    this.room(26);
    const b = this.block;
    let at = this.used;
    for (let i = 0; i < 12; i++) b[at++] = day.charCodeAt(i);
    // Milliseconds of the day fit an int32.
    const milli = time % 1000;
    const seconds = (time - milli) / 1000;
    const second = seconds % 60;
    const minutes = (seconds - second) / 60;
    const minute = minutes % 60;
    const hour = (minutes - minute) / 60;
    b[at++] = 0x30 + ((hour / 10) | 0);
    b[at++] = 0x30 + (hour % 10);
    b[at++] = 0x3a;
    b[at++] = 0x30 + ((minute / 10) | 0);
    b[at++] = 0x30 + (minute % 10);
    b[at++] = 0x3a;
    b[at++] = 0x30 + ((second / 10) | 0);
    b[at++] = 0x30 + (second % 10);
    b[at++] = 0x2e;
    b[at++] = 0x30 + ((milli / 100) | 0);
    b[at++] = 0x30 + (((milli / 10) | 0) % 10);
    b[at++] = 0x30 + (milli % 10);
    b[at++] = 0x5a;
    b[at++] = 0x22;
    this.used = at;
  }
  /** A string: ASCII without escapes byte by byte, other well-formed text encoded, anything else as JSON.stringify escapes it. */
  string(text: string): void {
    const n = text.length;
    let plain = true;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c) {
        plain = false;
        break;
      }
      if (c >= 0x80) ascii = false;
    }
    if (plain && ascii) {
      this.room(n + 2);
      const block = this.block;
      let at = this.used;
      block[at++] = 0x22;
      for (let i = 0; i < n; i++) block[at++] = text.charCodeAt(i);
      block[at++] = 0x22;
      this.used = at;
      return;
    }
    // Lone surrogates: JSON.stringify writes them as \udxxx escapes (its output is then ASCII there).
    const json = plain && (text as unknown as { isWellFormed(): boolean }).isWellFormed() ? null : JSON.stringify(text);
    if (json !== null) {
      this.room(json.length * 3);
      this.used += this.block.write(json, this.used, 'utf8');
      return;
    }
    this.room(n * 3 + 2);
    const block = this.block;
    block[this.used++] = 0x22;
    this.used += block.write(text, this.used, 'utf8');
    block[this.used++] = 0x22;
  }

  /**
   * A string given as its UTF-8 bytes (valid UTF-8, which holds no lone surrogate):
   * copied, with `"`, `\` and control characters escaped as JSON.stringify escapes them.
   */
  utf8(bytes: Buffer, start: number, end: number): void {
    // An escape takes at most 6 bytes for 1.
    this.room((end - start) * 6 + 2);
    const block = this.block;
    let at = this.used;
    block[at++] = 0x22;
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte < 0x20 || byte === 0x22 || byte === 0x5c) {
        const escaped = ESCAPES[byte] as string;
        for (let k = 0; k < escaped.length; k++) block[at++] = escaped.charCodeAt(k);
      } else {
        block[at++] = byte;
      }
    }
    block[at++] = 0x22;
    this.used = at;
  }

  /** Word `code` of a dictionary column, escaped once a word (through `memo`, which the writer sets for the column). */
  word(words: readonly string[], code: number): void {
    const memo = this.memo;
    if (memo.words !== words) {
      memo.words = words;
      memo.json = [];
    }
    let json = memo.json[code];
    if (json === undefined) {
      json = Buffer.from(JSON.stringify(words[code]), 'utf8');
      memo.json[code] = json;
    }
    this.raw(json);
  }

  /** Any value a cell may hold, as the JSON of a row object holds it (dates as ISO strings). */
  value(value: unknown): void {
    if (value === null || value === undefined) this.null();
    else if (typeof value === 'string') this.string(value);
    else if (typeof value === 'number') this.number(value);
    else if (typeof value === 'boolean') this.boolean(value);
    else if (value instanceof Date) this.string(value.toISOString());
    else if (typeof value === 'bigint') this.string(value.toString());
    else {
      const json = JSON.stringify(value);
      this.room(json.length * 3);
      this.used += this.block.write(json, this.used, 'utf8');
    }
  }

  /** The bytes written, as a JSON value's bytes for the response. */
  finish(): SerialisedJson {
    const chunks = this.used > 0 ? [...this.blocks, this.block.subarray(0, this.used)] : [...this.blocks];
    return new SerialisedJson(chunks);
  }
}

/** `"YYYY-MM-DDT` of a day (days since 1970-01-01, years 0 to 9999). */
function dayText(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `"${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T`;
}
