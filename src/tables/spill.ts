// Tables larger than the memory budget, kept on the disk tier in segments. A full scan
// from the top that finds its table too large for memory (TableReader.scanBuilding)
// goes on building it a segment at a time (SpillBuild): each full segment is written
// (disk-cache.ts SpillWriter) and dropped, and a complete scan publishes the set. Later
// questions on the same ETag read the set back a segment at a time (spilledBatches):
// decode one, hand out its spans, drop it, while the next one's file is read.
import { COLUMNAR_BATCH, ColumnarBuilder } from './columnar.js';
import type { DiskTables, SpillSet, SpillWriter } from './disk-cache.js';
import type { StringReading } from './infer.js';
import type { Column, RowBatch } from './types.js';

/**
 * A spill in progress: rows go into `builder`, the current segment; `roll` writes it
 * once full and starts the next. The first segment is the build that outgrew memory.
 */
export class SpillBuild {
  /** Rows a segment holds, from the bytes a row of the first segment takes. */
  private rowsPerSegment = 0;
  /** Where the current segment's first row starts in the object (resumable formats). */
  private offset: number | undefined = undefined;

  constructor(
    private readonly writer: SpillWriter,
    /** The current segment's builder. */
    public builder: ColumnarBuilder,
    private readonly columns: readonly Column[],
    private readonly reading: StringReading,
    private readonly segmentBytes: number,
  ) {}

  /** Whether field rows numbered from `first` continue the current segment. */
  continues(first: number): boolean {
    return this.builder.first + this.builder.rowCount === first;
  }

  /**
   * After a batch was added: writes the segment when full (waiting for the write before
   * it, so at most one is in flight). `next`: where the next row starts in the object.
   * False when the spill failed (its files are being removed).
   */
  async roll(next: number | undefined): Promise<boolean> {
    if (this.writer.failed) return this.abort();
    const full = this.rowsPerSegment === 0 || this.builder.rowCount >= this.rowsPerSegment;
    if (!full) return true;
    const table = this.builder.finish();
    if (this.rowsPerSegment === 0) {
      const rowBytes = Math.max(1, table.bytes / Math.max(1, table.rowCount));
      this.rowsPerSegment = Math.max(COLUMNAR_BATCH, Math.floor(this.segmentBytes / rowBytes));
    }
    if (!(await this.writer.add(table, this.offset))) return this.abort();
    this.offset = next;
    this.builder = new ColumnarBuilder(this.columns, this.reading, table.first + table.rowCount);
    this.builder.reserve(this.rowsPerSegment + COLUMNAR_BATCH);
    return true;
  }

  /** At the end of a complete scan: writes the last segment and publishes the set. */
  async finish(): Promise<boolean> {
    if (this.writer.failed) return this.abort();
    if (this.builder.rowCount > 0 && !(await this.writer.add(this.builder.finish(), this.offset))) return this.abort();
    return this.writer.publish();
  }

  /** Stops the spill: its files are removed in the background; nothing is published. */
  abort(): false {
    void this.writer.discard();
    return false;
  }
}

/** Where a read of a spilled set stopped short: the rest comes from the object, from this row. */
export interface SpillStop {
  index: number;
  /** Where that row starts in the object, when the set knows it. */
  offset: number | undefined;
}

/**
 * A spilled table's rows from `from`, as spans of one segment at a time; the next
 * segment's file is read while the current one's spans are taken. Returns null when
 * every row was handed out, or where to go on from the object when a segment is
 * missing or damaged (the set is then removed, so the next full scan spills it again).
 */
export async function* spilledBatches(disk: DiskTables, set: SpillSet, from: number): AsyncGenerator<RowBatch, SpillStop | null> {
  const segments = set.segments;
  let n = segments.findIndex((segment) => segment.first + segment.rows > from);
  if (n < 0) return null;
  const read = (k: number) => {
    const bytes = disk.readSegment(set, k);
    bytes.catch(() => {}); // a read left behind by a pass that stopped
    return bytes;
  };
  let bytes = read(n);
  for (; n < segments.length; n++) {
    const segment = segments[n] as SpillSet['segments'][number];
    const table = disk.decodeSegment(set, n, await bytes);
    if (!table) {
      await disk.dropSpill(set, `segment ${n} missing or damaged`);
      return segment.first >= from ? { index: segment.first, offset: segment.offset } : { index: from, offset: undefined };
    }
    if (n + 1 < segments.length) bytes = read(n + 1);
    const end = segment.first + segment.rows;
    for (let at = Math.max(from, segment.first); at < end; at += COLUMNAR_BATCH) {
      yield { rows: [], span: { table, from: at, to: Math.min(end, at + COLUMNAR_BATCH) } };
    }
  }
  return null;
}
