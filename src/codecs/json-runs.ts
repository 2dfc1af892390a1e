// A JSON array of records in UTF-8, cut into runs of whole records as its bytes arrive:
// one pass over the bytes skips strings, counts nesting and checks what lies between
// the records; each run (about 32 KiB) is then decoded and parsed on its own with
// JSON.parse. Parsing the whole text at once made an 11 MB string (22 MB as UTF-16)
// and 100k records that all lived to the end, on fresh memory pages; runs this size
// are born and die in the young generation, and parsing starts before the download
// ends. Anything but a plain array of objects nesting within the limit is refused
// (`RecordRuns.failed`): the caller then reads the bytes again with the streaming
// parser, which says exactly what is wrong.

/** Bytes a run holds before it is cut at the next record's end: its text stays a young-generation string (V8 puts strings over 128 KiB in large-object space). */
const RUN_BYTES = 32 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** Where the scan stands between records (depth 0 and 1). */
enum Between {
  /** Before the array: a BOM, then whitespace, then `[`. */
  Start,
  /** After `[`: a record or `]`. */
  Open,
  /** After a record: `,` or `]`. */
  Record,
  /** After `,`: a record. */
  Comma,
  /** After `]`: whitespace only. */
  Closed,
}

/** The records of a run, and the bytes read through its last one. */
export interface Run {
  records: Record<string, unknown>[];
  bytesRead: number;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export class RecordRuns {
  /** True once the bytes are not a plain array of records nesting at most `maxDepth` deep (the array one level). */
  failed = false;
  private between = Between.Start;
  private depth = 0;
  private inString = false;
  /** The last chunk ended with a backslash inside a string: the next byte is escaped. */
  private escaped = false;
  /** The bytes of a record still open, from earlier chunks. */
  private carry: Buffer[] = [];
  private bytesSeen = 0;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(private readonly maxDepth: number) {}

  /**
   * Scans a chunk; returns the records of the runs it completes, each with the bytes read
   * through its last record (none once failed, not even those before the failure in this chunk).
   */
  push(chunk: Buffer): Run[] {
    const runs: Run[] = [];
    if (this.failed) return runs;
    const n = chunk.length;
    const maxDepth = this.maxDepth;
    let depth = this.depth;
    let inString = this.inString;
    let between = this.between;
    let i = 0;
    const before = this.bytesSeen;
    if (before === 0 && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    this.bytesSeen += n;
    if (this.escaped && n > 0) {
      this.escaped = false;
      i++;
    }
    /** Where the run being gathered starts in this chunk (-1: none); a record carried over from earlier chunks starts at 0. */
    let runStart = this.carry.length > 0 ? 0 : -1;
    /** Where the open record starts in this chunk. */
    let recordStart = 0;
    /** The end of the last whole record of the run, in this chunk (-1: none). */
    let lastEnd = -1;
    let runRecords = 0;
    const cut = (end: number): boolean => {
      const bytes = this.carry.length > 0 ? Buffer.concat([...this.carry, chunk.subarray(0, end)]) : chunk.subarray(runStart, end);
      this.carry = [];
      const records = this.parse(bytes, runRecords);
      runStart = -1;
      lastEnd = -1;
      runRecords = 0;
      if (!records) return false;
      runs.push({ records, bytesRead: before + end });
      return true;
    };
    for (; i < n; i++) {
      const c = chunk[i] as number;
      if (inString) {
        if (c === QUOTE) inString = false;
        else if (c === BACKSLASH) {
          if (i + 1 < n) i++;
          else this.escaped = true;
        }
        continue;
      }
      if (depth >= 2) {
        if (c === QUOTE) inString = true;
        else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          if (++depth > maxDepth) return this.fail();
        } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
          if (--depth === 1) {
            // A record ends: the run is cut here when it is large enough (or carried over).
            runRecords++;
            between = Between.Record;
            if (this.carry.length > 0 || i + 1 - runStart >= RUN_BYTES) {
              if (!cut(i + 1)) return this.fail();
            } else lastEnd = i + 1;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (between === Between.Start && c === OPEN_ARRAY) {
        between = Between.Open;
        depth = 1;
      } else if ((between === Between.Open || between === Between.Comma) && c === OPEN_OBJECT) {
        depth = 2;
        recordStart = i;
        if (runStart < 0) runStart = i;
      } else if (between === Between.Record && c === COMMA) between = Between.Comma;
      else if ((between === Between.Open || between === Between.Record) && c === CLOSE_ARRAY) {
        between = Between.Closed;
        depth = 0;
      } else return this.fail();
    }
    if (lastEnd > runStart && runStart >= 0 && !cut(lastEnd)) return this.fail();
    if (depth >= 2) this.carry.push(this.carry.length > 0 ? chunk : chunk.subarray(recordStart));
    this.depth = depth;
    this.inString = inString;
    this.between = between;
    return runs;
  }

  /** Whether the bytes ended where a whole array does. */
  end(): boolean {
    if (this.between !== Between.Closed) this.fail();
    return !this.failed;
  }

  /** A run's records, or null when JSON.parse refuses it (or finds other than `count` records). */
  private parse(bytes: Buffer, count: number): Record<string, unknown>[] | null {
    let records: unknown;
    try {
      records = JSON.parse(`[${this.decoder.decode(bytes)}]`);
    } catch {
      return null;
    }
    if (!Array.isArray(records) || records.length !== count) return null;
    return records as Record<string, unknown>[];
  }

  private fail(): Run[] {
    this.failed = true;
    this.carry = [];
    return [];
  }
}
