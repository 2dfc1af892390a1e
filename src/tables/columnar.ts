// A table kept column by column: what the first full scan of an object leaves in the
// cache, so that every later question on the same ETag runs without S3 and without
// parsing. Numbers, booleans and date-times are typed arrays; strings are a dictionary
// while they repeat, else segments of joined text with end offsets; nulls and
// misfits (cells returned as written) are a state byte a row, misfits kept aside.
// A column's value for a row is exactly what `convert` gives for its raw cell.
import { convert, isoDateTimeMs, type StringReading } from './infer.js';
import type { Column, TypedValue } from './types.js';

/** Values a row of a column can be in, beside holding a value of the column's type. */
const VALUE = 0;
const NULL = 1;
const MISFIT = 2;

/** Rows a text segment holds: one joined string and its end offsets. */
const SEGMENT_SHIFT = 12;
const SEGMENT_ROWS = 1 << SEGMENT_SHIFT;
/** Distinct strings a column may have and still be kept as a dictionary. */
const MAX_DICTIONARY = 4096;

/** A copy of a string that does not hold on to the text it was sliced from. */
function detached(s: string): string {
  return s.length > 12 ? (JSON.parse(JSON.stringify(s)) as string) : s;
}

function grow<T extends Float64Array | Uint8Array | Int32Array>(array: T, length: number): T {
  if (length <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(length, array.length * 2, 1024));
  next.set(array);
  return next;
}

interface ColumnData {
  push(value: TypedValue): void;
  /** Dates spelled as text: stored without making a Date (a scan types a million of them). */
  pushDateText?(text: string): void;
  get(row: number): TypedValue;
  /** Ends building: trims spare capacity. */
  seal(rows: number): void;
  bytes(): number;
  /** The sealed column in the neutral form the disk tier writes (see ColumnPart). */
  part(): ColumnPart;
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
  | { kind: 'text'; chunks: readonly { text: string; ends: Uint32Array }[]; nulls: Uint8Array<ArrayBuffer> }
  | { kind: 'values'; values: readonly TypedValue[] };

/** A whole ColumnarTable in neutral form: what the disk tier stores. */
export interface TableParts {
  rowCount: number;
  /** Estimated bytes in memory, as `ColumnarTable.bytes`. */
  bytes: number;
  columns: ColumnPart[];
  extras: ReadonlyMap<number, Record<string, unknown>>;
}

/** INT, FLOAT, DATETIME (epoch milliseconds) and BOOLEAN (0/1) as Float64Array / Uint8Array with a state byte. */
class NumberColumn implements ColumnData {
  private values = new Float64Array(1024);
  private state = new Uint8Array(1024);
  private readonly misfits = new Map<number, TypedValue>();
  private length = 0;
  private misfitBytes = 0;

  constructor(private readonly kind: 'number' | 'date' | 'boolean') {}

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

  seal(rows: number): void {
    this.values = this.values.slice(0, rows);
    this.state = this.state.slice(0, rows);
  }

  bytes(): number {
    return this.values.byteLength + this.state.byteLength + this.misfitBytes;
  }

  part(): ColumnPart {
    return { kind: this.kind, values: this.values, state: this.state, misfits: this.misfits };
  }

  static fromPart(part: Extract<ColumnPart, { kind: 'number' | 'date' | 'boolean' }>): NumberColumn {
    const column = new NumberColumn(part.kind);
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

/** STRING columns: a dictionary while values repeat, else text segments. */
class StringColumn implements ColumnData {
  private length = 0;
  // Dictionary form.
  private dictionary: Map<string, number> | null = new Map();
  private words: string[] = [];
  private codes = new Int32Array(1024);
  // Text form: finished segments, and the one being filled.
  private segments: { text: string; ends: Uint32Array }[] = [];
  private parts: string[] = [];
  private ends = new Uint32Array(SEGMENT_ROWS);
  private end = 0;
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
    this.append(text);
  }

  /** Leaves the dictionary form: rows before `upTo` become text. */
  private toText(upTo: number): void {
    const words = this.words;
    const codes = this.codes;
    this.dictionary = null;
    this.words = [];
    this.codes = new Int32Array(0);
    for (let r = 0; r < upTo; r++) this.append(words[codes[r] as number] as string);
    this.textBytes = 0;
  }

  private append(text: string): void {
    this.parts.push(text);
    this.end += text.length;
    this.ends[this.parts.length - 1] = this.end;
    if (this.parts.length === SEGMENT_ROWS) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.segments.push({ text, ends: this.ends.slice(0, this.parts.length) });
    this.textBytes += text.length * 2;
    this.parts = [];
    this.end = 0;
  }

  get(row: number): TypedValue {
    if (this.nulls[row] === 1) return null;
    if (this.dictionary) return this.words[this.codes[row] as number] as string;
    const segment = this.segments[row >>> SEGMENT_SHIFT] as { text: string; ends: Uint32Array };
    const j = row & (SEGMENT_ROWS - 1);
    return segment.text.slice(j === 0 ? 0 : (segment.ends[j - 1] as number), segment.ends[j] as number);
  }

  seal(rows: number): void {
    this.flush();
    this.nulls = this.nulls.slice(0, rows);
    if (this.dictionary) this.codes = this.codes.slice(0, rows);
    this.ends = new Uint32Array(0);
  }

  bytes(): number {
    const segments = this.segments.reduce((sum, s) => sum + s.ends.byteLength, 0);
    return this.nulls.byteLength + this.codes.byteLength + this.textBytes + segments + this.parts.length * 24;
  }

  part(): ColumnPart {
    if (this.dictionary) return { kind: 'dictionary', words: this.words, codes: this.codes, nulls: this.nulls };
    return { kind: 'text', chunks: this.segments, nulls: this.nulls };
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
    if (part.chunks.every((chunk, i) => chunk.ends.length === SEGMENT_ROWS || i === part.chunks.length - 1)) {
      column.segments = [...part.chunks];
      column.textBytes = part.chunks.reduce((sum, chunk) => sum + chunk.text.length * 2, 0);
      return column;
    }
    // Chunks of another size: cut again into segments.
    column.ends = new Uint32Array(SEGMENT_ROWS);
    for (const chunk of part.chunks) {
      let from = 0;
      for (const end of chunk.ends) {
        column.append(chunk.text.slice(from, end));
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

  push(value: TypedValue): void {
    this.values.push(typeof value === 'string' ? detached(value) : value);
    this.approx += value === null ? 8 : typeof value === 'string' ? 24 + value.length * 2 : 64;
  }
  get(row: number): TypedValue {
    return this.values[row] ?? null;
  }
  seal(): void {}
  bytes(): number {
    return this.approx;
  }
  part(): ColumnPart {
    return { kind: 'values', values: this.values };
  }
  static fromPart(part: Extract<ColumnPart, { kind: 'values' }>): ValueColumn {
    const column = new ValueColumn();
    for (const value of part.values) column.push(value);
    return column;
  }
}

function columnFromPart(part: ColumnPart): ColumnData {
  switch (part.kind) {
    case 'number':
    case 'date':
    case 'boolean':
      return NumberColumn.fromPart(part);
    case 'dictionary':
    case 'text':
      return StringColumn.fromPart(part);
    default:
      return ValueColumn.fromPart(part);
  }
}

function columnFor(column: Column): ColumnData {
  switch (column.type) {
    case 'INT':
    case 'FLOAT':
      return new NumberColumn('number');
    case 'DATETIME':
      return new NumberColumn('date');
    case 'BOOLEAN':
      return new NumberColumn('boolean');
    case 'STRING':
      return new StringColumn();
    default:
      return new ValueColumn();
  }
}

/** Rows a columnar scan hands out at once. */
export const COLUMNAR_BATCH = 4096;

export class ColumnarTable {
  constructor(
    readonly rowCount: number,
    private readonly columns: ColumnData[],
    private readonly extras: Map<number, Record<string, unknown>>,
    readonly bytes: number,
  ) {}

  value(row: number, column: number): TypedValue {
    const data = this.columns[column];
    return data ? data.get(row) : null;
  }

  extra(row: number): Record<string, unknown> | undefined {
    return this.extras.get(row);
  }

  /** The table in neutral form, for the disk tier; the arrays are the table's own (do not change them). */
  parts(): TableParts {
    return { rowCount: this.rowCount, bytes: this.bytes, columns: this.columns.map((c) => c.part()), extras: this.extras };
  }

  /** A table from what `parts()` gave (the arrays are taken, not copied). */
  static fromParts(parts: TableParts): ColumnarTable {
    return new ColumnarTable(parts.rowCount, parts.columns.map(columnFromPart), new Map(parts.extras), parts.bytes);
  }
}

/**
 * Builds a ColumnarTable from raw rows in table order (from row 0), typing each cell
 * once as `convert` does. `bytes` tells how large it has grown, so that a build which
 * outgrows the cache can be dropped.
 */
export class ColumnarBuilder {
  private readonly data: ColumnData[];
  private readonly extras = new Map<number, Record<string, unknown>>();
  private rows = 0;
  private extraBytes = 0;

  constructor(
    private readonly columns: readonly Column[],
    private readonly reading: StringReading,
  ) {
    this.data = columns.map(columnFor);
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

  /** Bytes held so far (checked every few thousand rows: it walks the columns). */
  bytes(): number {
    let bytes = this.extraBytes;
    for (const data of this.data) bytes += data.bytes();
    return bytes;
  }

  finish(): ColumnarTable {
    for (const data of this.data) data.seal(this.rows);
    return new ColumnarTable(this.rows, this.data, this.extras, this.bytes());
  }
}
