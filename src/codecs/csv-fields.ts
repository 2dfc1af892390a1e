// The cold scan's CSV parser: finds the fields of complete rows in UTF-8 bytes and
// records where they start and end in reused typed arrays, making no string and no
// array a row. It reads the common dialect only (one-byte delimiter, LF or CRLF line
// ends, RFC 4180 quotes) and says so when a row is anything else (text after a
// closing quote, an unterminated quote at the end): csv.ts then hands the rest of the
// object to papaparse, which reads it, and words its errors, as it always has.
import type { FieldBatch } from './types.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface FieldScan {
  /** The rows found, blank lines left out (its arrays are reused by the next scan). */
  batch: FieldBatch;
  /** Where (in `bytes`) the line after each row of the batch starts. */
  rowEnds: Int32Array;
  /** Records read, blank lines included (row numbers in messages count them). */
  records: number;
  /** Where the first record not read starts. */
  consumed: number;
  /**
   * True when the record at `consumed` is complete but not of the common dialect (or,
   * at the end of the input, an unterminated quote): the caller parses from there on
   * another way. False when it is merely incomplete (or the input was read to its end).
   */
  unusual: boolean;
}

function grown<T extends Int32Array | Uint8Array>(array: T, length: number): T {
  return array.length >= length ? array : (new (array.constructor as new (n: number) => T)(length + (length >> 1)) as T);
}

export class FieldScanner {
  private starts = new Int32Array(4096);
  private ends = new Int32Array(4096);
  private quoted = new Uint8Array(4096);
  private rowFields = new Int32Array(1024);

  constructor(private readonly delimiter: number) {}

  /**
   * Reads the complete records of `bytes[from..]`; with `end`, the bytes run to the end
   * of the input, so the last record needs no line break.
   */
  scan(bytes: Buffer, from: number, end: boolean): FieldScan {
    const length = bytes.length;
    // A field takes at least a byte (its delimiter or line end), but one more at the end.
    const most = length - from + 2;
    this.starts = grown(this.starts, most);
    this.ends = grown(this.ends, most);
    this.quoted = grown(this.quoted, most);
    this.rowFields = grown(this.rowFields, most + 1);
    const { starts, ends, quoted, rowFields, delimiter } = this;
    // Kept by the rows' offsetAfter: a new array a scan, grown as rows come.
    let rowEndsArray = new Int32Array(Math.min(most, 256 + ((length - from) >> 5)));
    let rowEndsLength = rowEndsArray.length;
    let f = 0;
    let complete = 0;
    let rows = 0;
    let records = 0;
    let i = from;
    let consumed = from;
    let unusual = false;
    outer: while (i < length) {
      const rowField = f;
      let rowEnd: number;
      // One field a turn, until the record ends.
      while (true) {
        if (i < length && bytes[i] === QUOTE) {
          let j = i + 1;
          let escaped = false;
          while (true) {
            j = bytes.indexOf(QUOTE, j);
            if (j === -1) {
              unusual = end; // unterminated at the end; else more bytes may close it
              break outer;
            }
            if (j + 1 < length && bytes[j + 1] === QUOTE) {
              escaped = true;
              j += 2;
              continue;
            }
            if (j + 1 === length && !end) break outer; // a doubled quote may follow
            break;
          }
          starts[f] = i + 1;
          ends[f] = j;
          quoted[f] = escaped ? 2 : 1;
          f++;
          const k = j + 1;
          if (k === length) {
            rowEnd = length;
            break;
          }
          const b = bytes[k];
          if (b === delimiter) {
            i = k + 1;
            continue;
          }
          if (b === LF) {
            rowEnd = k + 1;
            break;
          }
          if (b === CR && k + 1 < length && bytes[k + 1] === LF) {
            rowEnd = k + 2;
            break;
          }
          if (b === CR && k + 1 === length && !end) break outer;
          unusual = true;
          break outer;
        }
        // Unquoted: to the next delimiter or line break, one comparison chain a byte.
        let j = i;
        let b = -1;
        while (j < length) {
          b = bytes[j] as number;
          if (b === delimiter || b === LF) break;
          j++;
        }
        if (j === length) {
          if (!end) break outer;
          b = -1;
        }
        starts[f] = i;
        quoted[f] = 0;
        if (b === delimiter) {
          ends[f++] = j;
          i = j + 1;
          continue;
        }
        // The record's last field: a CR before its line break (or the end) is the CRLF's.
        ends[f++] = j > i && bytes[j - 1] === CR ? j - 1 : j;
        rowEnd = j < length ? j + 1 : j;
        break;
      }
      records++;
      i = rowEnd;
      consumed = rowEnd;
      if (f - rowField === 1 && quoted[rowField] === 0 && starts[rowField] === ends[rowField]) {
        f = rowField; // a blank line
        complete = f;
        continue;
      }
      rowFields[rows] = rowField;
      if (rows === rowEndsLength) {
        const next = new Int32Array(rowEndsLength * 2 + 16);
        next.set(rowEndsArray);
        rowEndsArray = next;
        rowEndsLength = next.length;
      }
      rowEndsArray[rows++] = rowEnd;
      complete = f;
    }
    // Fields of an incomplete record (after `complete`) are not the last row's.
    rowFields[rows] = complete;
    return {
      batch: { bytes, rows, rowFields, starts, ends, quoted },
      rowEnds: rowEndsArray.subarray(0, rows),
      records,
      consumed,
      unusual,
    };
  }
}

/** A field's text: UTF-8 decoded, doubled quotes of a quoted field made single. */
export function fieldText(batch: FieldBatch, field: number): string {
  const text = batch.bytes.toString('utf8', batch.starts[field] as number, batch.ends[field] as number);
  return batch.quoted[field] === 2 ? text.replaceAll('""', '"') : text;
}
