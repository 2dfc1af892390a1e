// A table kept column by column: what the first full scan of an object leaves in the
// cache, so that every later question on the same ETag runs without S3 and without
// parsing. Numbers, booleans and date-times are typed arrays; strings are a dictionary
// while they repeat, else segments of joined text with end offsets; nulls and
// misfits (cells returned as written) are a state byte a row, misfits kept aside.
// A column's value for a row is exactly what `convert` gives for its raw cell.
import { fieldText } from '../codecs/csv-fields.js';
import type { JsonBytes } from '../codecs/json-bytes.js';
import type { FieldBatch } from '../codecs/types.js';
import type { Condition } from './filter.js';
import { convert, isoDateTimeMs, type StringReading } from './infer.js';
import { dateBytesMs, floatBytes, intBytes } from './infer-bytes.js';
import type { Column, ColumnType, TableRow, TypedValue } from './types.js';

/** Values a row of a column can be in, beside holding a value of the column's type. */
const VALUE = 0;
const NULL = 1;
const MISFIT = 2;

/**
 * Rows a text segment holds: one joined string and its end offsets. Large enough that a
 * segment's string (a 1M-row table's 10-character names: 330 KB) is born in V8's
 * large-object space, which scavenges never copy: at 4,096 rows every segment was
 * copied out of the young generation, the larger part of a cold scan's GC time.
 */
const SEGMENT_SHIFT = 15;
const SEGMENT_ROWS = 1 << SEGMENT_SHIFT;
/** Cells up to this many bytes are copied by a loop rather than Buffer#copy. */
const SHORT_COPY = 64;
/** Distinct strings a column may have and still be kept as a dictionary. */
const MAX_DICTIONARY = 4096;

/** No lone surrogate (String.prototype.isWellFormed, in Node 20 but not in TypeScript's ES2022 library). */
export const wellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** A copy of a string that does not hold on to the text it was sliced from. */
function detached(s: string): string {
  return s.length > 12 ? (JSON.parse(JSON.stringify(s)) as string) : s;
}

/** An array of at least `length` entries, grown to exactly that (a build that knows its rows reserves them once). */
function sized<T extends Float64Array | Uint8Array | Int32Array>(array: T, length: number): T {
  if (length <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}

/**
 * The first `rows` entries: a view when little is spare (copying 1M rows of columns
 * took a tenth of a cold scan), else a copy, so that spare capacity is not kept.
 */
function trimmed<T extends Float64Array | Uint8Array | Int32Array>(array: T, rows: number): T {
  return array.length - rows <= array.length >> 3 ? (array.subarray(0, rows) as T) : (array.slice(0, rows) as T);
}

function grow<T extends Float64Array | Uint8Array | Int32Array | Uint32Array>(array: T, length: number): T {
  if (length <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(length, array.length * 2, 1024));
  next.set(array);
  return next;
}

/** Column `c` of row `r` of a field batch: its field's position, or -1 when the row is shorter. */
function fieldOf(batch: FieldBatch, r: number, c: number): number {
  const f = (batch.rowFields[r] as number) + c;
  return f < (batch.rowFields[r + 1] as number) ? f : -1;
}

/** A CSV cell of a field batch as papaparse would have given it ('' when the row is shorter). */
function cellOf(batch: FieldBatch, r: number, c: number): string {
  const f = fieldOf(batch, r, c);
  return f < 0 ? '' : fieldText(batch, f);
}

interface ColumnData {
  push(value: TypedValue): void;
  /** Appends column `c` of every row of a field batch (CSV text), typed as `convert` types its text. */
  pushFields(batch: FieldBatch, c: number): void;
  /** Dates spelled as text: stored without making a Date (a scan types a million of them). */
  pushDateText?(text: string): void;
  get(row: number): TypedValue;
  /** Writes row `row`'s value as JSON (what JSON.stringify writes for `jsonValue(get(row))`), from the arrays. */
  writeJson(row: number, out: JsonBytes): void;
  /** Ends building: trims spare capacity. */
  seal(rows: number): void;
  /** Makes room for this many rows at once. */
  reserve(rows: number): void;
  bytes(): number;
  /** The sealed column in the neutral form the disk tier writes (see ColumnPart). */
  part(): ColumnPart;
  /**
   * Whether row `i` passes a filter condition, read from the column's arrays as they
   * are now (made again for each span: a build replaces them as it grows). Exactly
   * `condition.matches(get(i))`, without making the value where it can.
   */
  matcher(condition: Condition, memo: ConditionMemo): (i: number) => boolean;
}

/**
 * What a condition remembers of a column across spans: its answer for each dictionary
 * word (-1 not asked yet), for the words array it was asked of.
 */
export interface ConditionMemo {
  words: readonly string[] | null;
  answers: Int8Array;
}

export function conditionMemo(): ConditionMemo {
  return { words: null, answers: new Int8Array(0) };
}

/** Any column: the condition on each row's typed value. */
function valueMatcher(column: ColumnData, condition: Condition): (i: number) => boolean {
  return (i) => condition.matches(column.get(i));
}

/**
 * A sealed column in a form that does not depend on how ColumnarTable keeps it, for the
 * disk tier (disk-cache.ts): `ColumnarTable.parts()` gives it, `fromParts()` takes it.
 * - number / date (epoch ms) / boolean (0/1): a value and a state (0 value, 1 null, 2 misfit) a row; misfits by row.
 * - dictionary: a code a row into `words`, a null flag a row.
 * - text: rows' strings joined in chunks of any number of rows, `ends` the end offset of each row in its chunk.
 * - values: the typed values themselves (JSON and NULL columns).
 */
export type ColumnPart =
  | {
      kind: 'number' | 'date' | 'boolean';
      values: Float64Array<ArrayBuffer>;
      state: Uint8Array<ArrayBuffer>;
      misfits: ReadonlyMap<number, TypedValue>;
    }
  | { kind: 'dictionary'; words: readonly string[]; codes: Int32Array<ArrayBuffer>; nulls: Uint8Array<ArrayBuffer> }
  | {
      kind: 'text';
      chunks: readonly { text: string; ends: Uint32Array }[];
      nulls: Uint8Array<ArrayBuffer>;
      /** Strings UTF-8 cannot carry (lone surrogates), by row; their rows are empty in `chunks`. */
      odd: ReadonlyMap<number, string>;
    }
  | { kind: 'values'; values: readonly TypedValue[] };

/** A whole ColumnarTable in neutral form: what the disk tier stores. */
export interface TableParts {
  rowCount: number;
  /** Estimated bytes in memory, as `ColumnarTable.bytes`. */
  bytes: number;
  columns: ColumnPart[];
  extras: ReadonlyMap<number, Record<string, unknown>>;
}

/** `true` / `false` in any case as 1 / 0, else NaN (as BOOL_RE reads them). */
function booleanBytes(bytes: Buffer, start: number, end: number): number {
  // ORing 0x20 lowers ASCII letters, and makes no other byte one of these letters.
  const n = end - start;
  if (n === 4) {
    const ok =
      ((bytes[start] as number) | 0x20) === 0x74 &&
      ((bytes[start + 1] as number) | 0x20) === 0x72 &&
      ((bytes[start + 2] as number) | 0x20) === 0x75 &&
      ((bytes[start + 3] as number) | 0x20) === 0x65;
    return ok ? 1 : Number.NaN;
  }
  if (n === 5) {
    const ok =
      ((bytes[start] as number) | 0x20) === 0x66 &&
      ((bytes[start + 1] as number) | 0x20) === 0x61 &&
      ((bytes[start + 2] as number) | 0x20) === 0x6c &&
      ((bytes[start + 3] as number) | 0x20) === 0x73 &&
      ((bytes[start + 4] as number) | 0x20) === 0x65;
    return ok ? 0 : Number.NaN;
  }
  return Number.NaN;
}

/** INT, FLOAT, DATETIME (epoch milliseconds) and BOOLEAN (0/1) as Float64Array / Uint8Array with a state byte. */
class NumberColumn implements ColumnData {
  private values = new Float64Array(1024);
  private state = new Uint8Array(1024);
  private readonly misfits = new Map<number, TypedValue>();
  private length = 0;
  private misfitBytes = 0;

  constructor(
    private readonly kind: 'number' | 'date' | 'boolean',
    private readonly type: ColumnType,
  ) {}

  pushFields(batch: FieldBatch, c: number): void {
    this.values = grow(this.values, this.length + batch.rows);
    this.state = grow(this.state, this.length + batch.rows);
    const { bytes, starts, ends, quoted } = batch;
    const kind = this.kind;
    const int = this.type === 'INT';
    for (let r = 0; r < batch.rows; r++) {
      const f = fieldOf(batch, r, c);
      const start = f < 0 ? 0 : (starts[f] as number);
      const end = f < 0 ? 0 : (ends[f] as number);
      if (start === end) {
        this.state[this.length++] = NULL;
        continue;
      }
      let value = Number.NaN;
      if (quoted[f] !== 2) {
        if (kind === 'number') value = int ? intBytes(bytes, start, end) : floatBytes(bytes, start, end);
        else if (kind === 'date') value = dateBytesMs(bytes, start, end);
        else value = booleanBytes(bytes, start, end);
      }
      if (Number.isNaN(value)) {
        // Anything unusual is typed from its text, exactly as a row of strings would be.
        const text = fieldText(batch, f);
        if (kind === 'date') this.pushDateText(text);
        else this.push(convert(text, this.type, 'text'));
        continue;
      }
      this.values[this.length++] = value;
    }
  }

  push(value: TypedValue): void {
    const i = this.length++;
    this.values = grow(this.values, this.length);
    this.state = grow(this.state, this.length);
    if (value === null) {
      this.state[i] = NULL;
    } else if (this.kind === 'number' && typeof value === 'number') {
      this.values[i] = value;
    } else if (this.kind === 'date' && value instanceof Date) {
      this.values[i] = value.getTime();
    } else if (this.kind === 'boolean' && typeof value === 'boolean') {
      this.values[i] = value ? 1 : 0;
    } else {
      this.state[i] = MISFIT;
      this.misfits.set(i, typeof value === 'string' ? detached(value) : value);
      this.misfitBytes += 64 + (typeof value === 'string' ? value.length * 2 : 64);
    }
  }

  pushDateText(text: string): void {
    const ms = isoDateTimeMs(text);
    if (Number.isNaN(ms)) {
      this.push(text);
      return;
    }
    const i = this.length++;
    this.values = grow(this.values, this.length);
    this.state = grow(this.state, this.length);
    this.values[i] = ms;
  }

  get(row: number): TypedValue {
    const state = this.state[row];
    if (state === VALUE) {
      const v = this.values[row] as number;
      return this.kind === 'number' ? v : this.kind === 'date' ? new Date(v) : v === 1;
    }
    return state === NULL ? null : (this.misfits.get(row) ?? null);
  }

  writeJson(row: number, out: JsonBytes): void {
    const state = this.state[row];
    if (state === VALUE) {
      const v = this.values[row] as number;
      if (this.kind === 'number') out.number(v);
      else if (this.kind === 'date') out.date(v);
      else out.boolean(v === 1);
    } else if (state === NULL) out.null();
    else out.value(this.misfits.get(row) ?? null);
  }

  seal(rows: number): void {
    this.values = trimmed(this.values, rows);
    this.state = trimmed(this.state, rows);
  }

  reserve(rows: number): void {
    this.values = sized(this.values, rows);
    this.state = sized(this.state, rows);
  }

  bytes(): number {
    return this.values.byteLength + this.state.byteLength + this.misfitBytes;
  }

  part(): ColumnPart {
    return { kind: this.kind, values: this.values, state: this.state, misfits: this.misfits };
  }

  matcher(condition: Condition): (i: number) => boolean {
    const { values, state } = this;
    const onNull = condition.matches(null);
    const other = (i: number) => (state[i] === NULL ? onNull : condition.matches(this.get(i)));
    if (this.kind === 'number') {
      const test = condition.matchesNumber ?? ((value: number) => condition.matches(value));
      return (i) => (state[i] === VALUE ? test(values[i] as number) : other(i));
    }
    if (this.kind === 'boolean') return (i) => (state[i] === VALUE ? condition.matches(values[i] === 1) : other(i));
    // Conditions compare a date and keep nothing: one Date serves every row.
    const date = new Date(0);
    return (i) => {
      if (state[i] !== VALUE) return other(i);
      date.setTime(values[i] as number);
      return condition.matches(date);
    };
  }

  static fromPart(part: Extract<ColumnPart, { kind: 'number' | 'date' | 'boolean' }>, type: ColumnType): NumberColumn {
    const column = new NumberColumn(part.kind, type);
    column.values = part.values;
    column.state = part.state;
    column.length = part.values.length;
    for (const [row, value] of part.misfits) {
      column.misfits.set(row, value);
      column.misfitBytes += 64 + (typeof value === 'string' ? value.length * 2 : 64);
    }
    return column;
  }
}

/** FNV-1a of a span of bytes. */
function hashBytes(bytes: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash;
}

function sameBytes(word: Buffer, bytes: Buffer, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let i = 0; i < word.length; i++) if (word[i] !== bytes[start + i]) return false;
  return true;
}

/** Character ends of a segment's cells, from their byte ends in its UTF-8 bytes. */
function charEnds(bytes: Buffer, ends: Uint32Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let chars = 0;
  let at = 0;
  for (let r = 0; r < count; r++) {
    const end = ends[r] as number;
    for (; at < end; at++) {
      const b = bytes[at] as number;
      // A character starts at every byte but continuation bytes; four-byte ones are two UTF-16 units.
      if ((b & 0xc0) !== 0x80) chars += b >= 0xf0 ? 2 : 1;
    }
    out[r] = chars;
  }
  return out;
}

/**
 * STRING columns: a dictionary while values repeat, else text segments. A segment's
 * cells gather as UTF-8 bytes (copied straight from a field batch, or written from a
 * string) and become one string with end offsets when it is full.
 */
class StringColumn implements ColumnData {
  private length = 0;
  // Dictionary form.
  private dictionary: Map<string, number> | null = new Map();
  private words: string[] = [];
  private codes = new Int32Array(1024);
  /** The dictionary by a hash of each word's UTF-8 bytes (the first word of a hash), with those bytes: field batches look cells up without making their strings. */
  private byHash = new Map<number, number>();
  private wordBytes: Buffer[] = [];
  // Text form: finished segments, and the bytes of the one being filled.
  private segments: { text: string; ends: Uint32Array }[] = [];
  private pending = Buffer.allocUnsafe(0);
  private pendingBytes = 0;
  private count = 0;
  /** End offsets of the segment being filled (grown up to SEGMENT_ROWS: a table's part may hold few rows). */
  private ends = new Uint32Array(1024);
  /** Strings UTF-8 cannot carry (lone surrogates, from JSON): kept aside by row. */
  private odd: Map<number, string> | null = null;
  private nulls = new Uint8Array(1024);
  private textBytes = 0;

  push(value: TypedValue): void {
    const i = this.length++;
    this.nulls = grow(this.nulls, this.length);
    const text = value === null ? '' : (value as string);
    if (value === null) this.nulls[i] = 1;
    if (this.dictionary) {
      let code = this.dictionary.get(text);
      if (code === undefined) {
        code = this.words.length;
        if (code < MAX_DICTIONARY) {
          const word = detached(text);
          this.words.push(word);
          this.dictionary.set(word, code);
          const utf8 = Buffer.from(word);
          this.wordBytes.push(utf8);
          const hash = hashBytes(utf8, 0, utf8.length);
          if (!this.byHash.has(hash)) this.byHash.set(hash, code);
          this.textBytes += 48 + word.length * 2;
        } else {
          this.toText(i);
        }
      }
      if (this.dictionary) {
        this.codes = grow(this.codes, this.length);
        this.codes[i] = code;
        return;
      }
    }
    this.append(text, i);
  }

  pushFields(batch: FieldBatch, c: number): void {
    const { bytes, starts, ends, quoted } = batch;
    for (let r = 0; r < batch.rows; r++) {
      const f = fieldOf(batch, r, c);
      const start = f < 0 ? 0 : (starts[f] as number);
      const end = f < 0 ? 0 : (ends[f] as number);
      if (start === end) this.push(null);
      else if (this.dictionary && quoted[f] !== 2) {
        const code = this.byHash.get(hashBytes(bytes, start, end));
        if (code !== undefined && sameBytes(this.wordBytes[code] as Buffer, bytes, start, end)) {
          this.nulls = grow(this.nulls, this.length + 1);
          this.codes = grow(this.codes, this.length + 1);
          this.codes[this.length++] = code;
        } else this.push(fieldText(batch, f));
      } else if (this.dictionary || quoted[f] === 2) this.push(fieldText(batch, f));
      else {
        this.nulls = grow(this.nulls, this.length + 1);
        this.length++;
        this.appendBytes(bytes, start, end);
      }
    }
  }

  /** Leaves the dictionary form: rows before `upTo` become text. */
  private toText(upTo: number): void {
    const words = this.words;
    const codes = this.codes;
    this.dictionary = null;
    this.byHash = new Map();
    this.wordBytes = [];
    this.words = [];
    this.codes = new Int32Array(0);
    for (let r = 0; r < upTo; r++) this.append(words[codes[r] as number] as string, r);
    this.textBytes = 0;
  }

  private room(bytes: number): void {
    if (this.pendingBytes + bytes <= this.pending.length) return;
    const next = Buffer.allocUnsafe(Math.max(64 * 1024, (this.pendingBytes + bytes) * 2));
    this.pending.copy(next, 0, 0, this.pendingBytes);
    this.pending = next;
  }

  private append(text: string, row: number): void {
    if (text.length > 0) {
      if (wellFormed(text)) {
        this.room(text.length * 3);
        this.pendingBytes += this.pending.write(text, this.pendingBytes);
      } else {
        this.odd ??= new Map();
        this.odd.set(row, detached(text));
      }
    }
    this.ended();
  }

  private appendBytes(bytes: Buffer, start: number, end: number): void {
    this.room(end - start);
    if (end - start <= SHORT_COPY) {
      // A cell of a few bytes: a loop beats Buffer#copy's call (measured: a third of the copies' time).
      const pending = this.pending;
      let at = this.pendingBytes;
      for (let i = start; i < end; i++) pending[at++] = bytes[i] as number;
      this.pendingBytes = at;
    } else {
      this.pendingBytes += bytes.copy(this.pending, this.pendingBytes, start, end);
    }
    this.ended();
  }

  private ended(): void {
    if (this.count === this.ends.length) this.ends = grow(this.ends, this.count + 1);
    this.ends[this.count++] = this.pendingBytes;
    if (this.count === SEGMENT_ROWS) this.flush();
  }

  private flush(): void {
    if (this.count === 0) return;
    const text = this.pending.toString('utf8', 0, this.pendingBytes);
    // All ASCII: byte ends are character ends.
    const ends = text.length === this.pendingBytes ? this.ends.slice(0, this.count) : charEnds(this.pending, this.ends, this.count);
    this.segments.push({ text, ends });
    this.textBytes += text.length * 2;
    this.pendingBytes = 0;
    this.count = 0;
  }

  get(row: number): TypedValue {
    if (this.nulls[row] === 1) return null;
    if (this.dictionary) return this.words[this.codes[row] as number] as string;
    if (this.odd) {
      const odd = this.odd.get(row);
      if (odd !== undefined) return odd;
    }
    const j = row & (SEGMENT_ROWS - 1);
    const segment = this.segments[row >>> SEGMENT_SHIFT];
    // A row of the segment being filled (a scan reads rows while it builds).
    if (!segment) return this.pending.toString('utf8', j === 0 ? 0 : (this.ends[j - 1] as number), this.ends[j] as number);
    return segment.text.slice(j === 0 ? 0 : (segment.ends[j - 1] as number), segment.ends[j] as number);
  }

  writeJson(row: number, out: JsonBytes): void {
    if (this.nulls[row] === 1) out.null();
    else if (this.dictionary) out.word(this.words, this.codes[row] as number);
    else {
      const odd = this.odd?.get(row);
      const j = row & (SEGMENT_ROWS - 1);
      const segment = this.segments[row >>> SEGMENT_SHIFT];
      // A row of the segment being filled: its UTF-8 bytes, copied as they are (escapes aside).
      if (odd === undefined && !segment) out.utf8(this.pending, j === 0 ? 0 : (this.ends[j - 1] as number), this.ends[j] as number);
      else out.string(odd ?? (this.get(row) as string));
    }
  }

  seal(rows: number): void {
    this.flush();
    this.nulls = trimmed(this.nulls, rows);
    if (this.dictionary) this.codes = trimmed(this.codes, rows);
    this.ends = new Uint32Array(0);
    this.pending = Buffer.allocUnsafe(0);
  }

  reserve(rows: number): void {
    this.nulls = sized(this.nulls, rows);
    if (this.dictionary) this.codes = sized(this.codes, rows);
  }

  bytes(): number {
    const segments = this.segments.reduce((sum, s) => sum + s.ends.byteLength, 0);
    return this.nulls.byteLength + this.codes.byteLength + this.textBytes + segments + this.pending.length + this.ends.byteLength;
  }

  part(): ColumnPart {
    if (this.dictionary) return { kind: 'dictionary', words: this.words, codes: this.codes, nulls: this.nulls };
    return { kind: 'text', chunks: this.segments, nulls: this.nulls, odd: this.odd ?? new Map() };
  }

  matcher(condition: Condition, memo: ConditionMemo): (i: number) => boolean {
    if (!this.dictionary) return valueMatcher(this, condition);
    // A dictionary: each word is asked once, however many rows hold it.
    const { words, codes, nulls } = this;
    if (memo.words !== words) {
      memo.words = words;
      memo.answers = new Int8Array(0);
    }
    if (memo.answers.length < words.length) {
      const answers = new Int8Array(words.length + 64).fill(-1);
      answers.set(memo.answers);
      memo.answers = answers;
    }
    const answers = memo.answers;
    const onNull = condition.matches(null);
    return (i) => {
      if (nulls[i] === 1) return onNull;
      const code = codes[i] as number;
      let answer = answers[code] as number;
      if (answer === -1) {
        answer = condition.matches(words[code] as string) ? 1 : 0;
        answers[code] = answer;
      }
      return answer === 1;
    };
  }

  static fromPart(part: Extract<ColumnPart, { kind: 'dictionary' | 'text' }>): StringColumn {
    const column = new StringColumn();
    column.nulls = part.nulls;
    column.length = part.nulls.length;
    if (part.kind === 'dictionary') {
      column.words = [...part.words];
      column.dictionary = new Map(column.words.map((word, code) => [word, code]));
      column.codes = part.codes;
      column.textBytes = column.words.reduce((sum, word) => sum + 48 + word.length * 2, 0);
      return column;
    }
    column.dictionary = null;
    column.codes = new Int32Array(0);
    column.ends = new Uint32Array(0);
    if (part.odd.size > 0) column.odd = new Map(part.odd);
    if (part.chunks.every((chunk, i) => chunk.ends.length === SEGMENT_ROWS || i === part.chunks.length - 1)) {
      column.segments = [...part.chunks];
      column.textBytes = part.chunks.reduce((sum, chunk) => sum + chunk.text.length * 2, 0);
      return column;
    }
    // Chunks of another size: cut again into segments.
    column.ends = new Uint32Array(1024);
    let row = 0;
    for (const chunk of part.chunks) {
      let from = 0;
      for (const end of chunk.ends) {
        const odd = part.odd.get(row);
        column.append(odd ?? chunk.text.slice(from, end), row++);
        from = end;
      }
    }
    column.flush();
    column.ends = new Uint32Array(0);
    return column;
  }
}

/** JSON and NULL columns (and anything else): the typed values themselves. */
class ValueColumn implements ColumnData {
  private values: TypedValue[] = [];
  private approx = 0;

  constructor(private readonly type: ColumnType) {}

  push(value: TypedValue): void {
    this.values.push(typeof value === 'string' ? detached(value) : value);
    this.approx += value === null ? 8 : typeof value === 'string' ? 24 + value.length * 2 : 64;
  }
  pushFields(batch: FieldBatch, c: number): void {
    for (let r = 0; r < batch.rows; r++) this.push(convert(cellOf(batch, r, c), this.type, 'text'));
  }
  get(row: number): TypedValue {
    return this.values[row] ?? null;
  }
  writeJson(row: number, out: JsonBytes): void {
    out.value(this.values[row] ?? null);
  }
  seal(): void {}
  reserve(): void {}
  bytes(): number {
    return this.approx;
  }
  part(): ColumnPart {
    return { kind: 'values', values: this.values };
  }
  matcher(condition: Condition): (i: number) => boolean {
    return valueMatcher(this, condition);
  }
  static fromPart(part: Extract<ColumnPart, { kind: 'values' }>, type: ColumnType): ValueColumn {
    const column = new ValueColumn(type);
    for (const value of part.values) column.push(value);
    return column;
  }
}

function columnFromPart(part: ColumnPart, type: ColumnType): ColumnData {
  switch (part.kind) {
    case 'number':
    case 'date':
    case 'boolean':
      return NumberColumn.fromPart(part, type);
    case 'dictionary':
    case 'text':
      return StringColumn.fromPart(part);
    default:
      return ValueColumn.fromPart(part, type);
  }
}

function columnFor(column: Column): ColumnData {
  switch (column.type) {
    case 'INT':
    case 'FLOAT':
      return new NumberColumn('number', column.type);
    case 'DATETIME':
      return new NumberColumn('date', column.type);
    case 'BOOLEAN':
      return new NumberColumn('boolean', column.type);
    case 'STRING':
      return new StringColumn();
    default:
      return new ValueColumn(column.type);
  }
}

/** Rows a columnar scan hands out at once. */
export const COLUMNAR_BATCH = 4096;

/** Rows `from` to `to` (exclusive) of a columnar table: a scan hands them over together. */
export interface ColumnSpan {
  table: ColumnarTable;
  from: number;
  to: number;
}

const NO_CELLS: never[] = [];

/** A span's rows one by one, for consumers that take rows: each reads its values from the table. */
export function spanRows({ table, from, to }: ColumnSpan): TableRow[] {
  const rows: TableRow[] = new Array(to - from);
  for (let i = from; i < to; i++) rows[i - from] = { index: i, cells: NO_CELLS, columns: table, extra: table.extra(i) };
  return rows;
}

/**
 * A consumer's `takeColumns` from its row `take`, for takes that neither keep the row
 * nor read its cells beyond the schema (`extra`): one row object pointed at each row of
 * the span in turn, instead of one made a row. Stops when `take` does.
 */
export function takeSpanRows(take: (row: TableRow) => boolean): (table: ColumnarTable, from: number, to: number) => boolean {
  return (table, from, to) => {
    const row: TableRow = { index: from, cells: NO_CELLS, columns: table };
    for (; row.index < to; row.index++) if (!take(row)) return false;
    return true;
  };
}

export class ColumnarTable {
  constructor(
    readonly rowCount: number,
    private readonly columns: ColumnData[],
    private readonly extras: Map<number, Record<string, unknown>>,
    readonly bytes: number,
    /** The table's index of the first row held: a part of a scan holds rows from there. */
    readonly first = 0,
  ) {}

  value(row: number, column: number): TypedValue {
    const data = this.columns[column];
    return data ? data.get(row - this.first) : null;
  }

  extra(row: number): Record<string, unknown> | undefined {
    return this.extras.get(row - this.first);
  }

  /** Writes the JSON of row `row`'s value in column `column` (tables/content-json.ts). */
  writeJson(row: number, column: number, out: JsonBytes): void {
    const data = this.columns[column];
    if (data) data.writeJson(row - this.first, out);
    else out.null();
  }

  /** Whether the table's row `row` passes a condition on column `column` (see ColumnData.matcher). */
  matcher(column: number, condition: Condition, memo: ConditionMemo): (row: number) => boolean {
    const data = this.columns[column];
    const first = this.first;
    if (!data) {
      const onNull = condition.matches(null);
      return () => onNull;
    }
    const local = data.matcher(condition, memo);
    return first === 0 ? local : (row) => local(row - first);
  }

  /** The table in neutral form, for the disk tier; the arrays are the table's own (do not change them). */
  parts(): TableParts {
    return { rowCount: this.rowCount, bytes: this.bytes, columns: this.columns.map((c) => c.part()), extras: this.extras };
  }

  /** A table from what `parts()` gave (the arrays are taken, not copied), of these columns; `first`: its first row's index (a segment). */
  static fromParts(parts: TableParts, columns: readonly Column[], first = 0): ColumnarTable {
    const data = parts.columns.map((part, c) => columnFromPart(part, columns[c]?.type ?? 'JSON'));
    return new ColumnarTable(parts.rowCount, data, new Map(parts.extras), parts.bytes, first);
  }
}

/**
 * Builds a ColumnarTable from raw rows in table order (from row 0), typing each cell
 * once as `convert` does. `bytes` tells how large it has grown, so that a build which
 * outgrows the cache can be dropped.
 */
export class ColumnarBuilder {
  private readonly data: ColumnData[];
  private readonly columns: Column[];
  private readonly extras = new Map<number, Record<string, unknown>>();
  private rows = 0;
  private extraBytes = 0;

  constructor(
    columns: readonly Column[],
    private readonly reading: StringReading,
    /** The table's index of the first row added (a part of a scan). */
    readonly first = 0,
  ) {
    this.columns = [...columns];
    this.data = columns.map(columnFor);
  }

  /** Adds a column after the others, null in every row added so far (a record key first seen late). */
  addColumn(column: Column): void {
    const data = columnFor(column);
    for (let r = 0; r < this.rows; r++) data.push(null);
    this.columns.push(column);
    this.data.push(data);
  }

  /**
   * The rows added so far, readable while more are added: a scan hands out the rows
   * of a field batch as soon as they are typed.
   */
  readonly view = (): ColumnarTable => {
    this.live ??= new ColumnarTable(0, this.data, this.extras, 0, this.first);
    return this.live;
  };
  private live: ColumnarTable | null = null;

  /**
   * Adds the rows of a field batch (CSV text): each column types its cells straight
   * from the bytes where it can, else as `convert` types their text. Fields beyond
   * the columns ride along as `column_N`, as for rows of strings.
   */
  addFields(batch: FieldBatch): void {
    for (let c = 0; c < this.data.length; c++) (this.data[c] as ColumnData).pushFields(batch, c);
    const width = this.data.length;
    for (let r = 0; r < batch.rows; r++) {
      const fields = (batch.rowFields[r + 1] as number) - (batch.rowFields[r] as number);
      if (fields <= width) continue;
      const extra: Record<string, unknown> = {};
      for (let c = width; c < fields; c++) {
        const text = cellOf(batch, r, c);
        if (text !== '') extra[`column_${c + 1}`] = text;
      }
      this.extras.set(this.rows + r, extra);
      this.extraBytes += 256;
    }
    this.rows += batch.rows;
  }

  add(cells: readonly unknown[], extra: Record<string, unknown> | undefined): void {
    const columns = this.columns;
    const dateText = this.reading !== 'literal';
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as Column;
      const data = this.data[c] as ColumnData;
      const cell = cells[c] ?? null;
      if (dateText && column.type === 'DATETIME' && data.pushDateText && typeof cell === 'string' && cell !== '') data.pushDateText(cell);
      else data.push(convert(cell as never, column.type, this.reading));
    }
    if (extra) {
      this.extras.set(this.rows, extra);
      this.extraBytes += 256;
    }
    this.rows++;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Makes room for this many rows in all, when the builder can tell (the object's size over its bytes a row). */
  reserve(rows: number): void {
    for (const data of this.data) data.reserve(rows);
  }

  /** Bytes held so far (checked every few thousand rows: it walks the columns). */
  bytes(): number {
    let bytes = this.extraBytes;
    for (const data of this.data) bytes += data.bytes();
    return bytes;
  }

  finish(): ColumnarTable {
    for (const data of this.data) data.seal(this.rows);
    return new ColumnarTable(this.rows, this.data, this.extras, this.bytes(), this.first);
  }
}
