// A dataset's rows: one object, or every object under a prefix read as one table in
// key order. Each object's columns are mapped by name onto the dataset's columns
// (fixed when the schema was built), so a file that gained or lost a column still
// reads; a source-key column can tell which object a row came from, and hive-style
// folders (`year=2024/`) give partition columns, whose filters skip whole objects.
import type { RawCell } from '../codecs/types.js';
import type { TableCache } from '../tables/cache.js';
import { digest } from '../tables/cursor.js';
import { convert } from '../tables/infer.js';
import { type RowBatch, SharedPasses } from '../tables/passes.js';
import type { RangeOf } from '../tables/prune.js';
import type { TableReader } from '../tables/reader.js';
import type { RowSource } from '../tables/source.js';
import type { Column, ScanConsumer, ScanNeeds, ScanStart, TableRow, TableSchema, TypedValue } from '../tables/types.js';
import { partitionRange } from './partitions.js';

export interface DatasetPart {
  key: string;
  reader: TableReader;
  /** Partition columns' values (by dataset column name) from the object's `key=value` folders. */
  partition?: ReadonlyMap<string, RawCell> | undefined;
}

export class DatasetReader implements RowSource {
  readonly id: string;
  private readonly passes: SharedPasses;

  constructor(
    private readonly datasetSchema: TableSchema,
    private readonly parts: DatasetPart[],
    /** Index of the source-key column among the dataset's columns, or -1. */
    private readonly sourceKeyColumn: number,
    private readonly cache: TableCache,
  ) {
    this.id = digest(
      'dataset',
      datasetSchema.columns.map((c) => [c.name, c.type]),
      parts.map((p) => p.reader.id),
    );
    this.passes = new SharedPasses((start, _whole, needs) => this.scan(start, needs));
  }

  /** One object resumes at byte offsets like its reader; several resume by row index. */
  get resumable(): boolean {
    return this.parts.length === 1 && this.sourceKeyColumn === -1 && (this.parts[0] as DatasetPart).reader.resumable;
  }

  async schema(): Promise<TableSchema> {
    return this.datasetSchema;
  }

  run(consumer: ScanConsumer): Promise<void> {
    return this.passes.run(consumer);
  }

  typed(row: TableRow, column: Column, schema: TableSchema): TypedValue {
    return convert(row.cells[column.index] ?? null, column.type, schema.reading);
  }

  cachedCount(filter: string): number | undefined {
    return this.cache.getCount(this.id, filter);
  }

  storeCount(filter: string, count: number): void {
    this.cache.setCount(this.id, filter, count);
  }

  private columnIndex(name: string): number {
    return this.datasetSchema.columns.findIndex((c) => c.name === name);
  }

  /** For each dataset column, the column of this part's table that feeds it (or -1). */
  private async mapping(part: DatasetPart): Promise<{ schema: TableSchema; from: number[] }> {
    const schema = await part.reader.schema();
    const byName = new Map(schema.columns.map((c) => [c.name, c.index]));
    return { schema, from: this.datasetSchema.columns.map((c) => byName.get(c.name) ?? -1) };
  }

  /** A part's row count, from the cache or by reading it through once. */
  private async rowCount(part: DatasetPart): Promise<number> {
    await part.reader.schema(); // columnar formats know their count from here
    const known = part.reader.cachedCount('all');
    if (known !== undefined) return known;
    let count = 0;
    for await (const batch of part.reader.scan({ index: 0 })) count += batch.rows.length;
    part.reader.storeCount('all', count);
    return count;
  }

  /** What a part's reader must read: the dataset's needs, with the part's partition values as ranges. */
  private partNeeds(part: DatasetPart, needs: ScanNeeds | undefined): ScanNeeds | undefined {
    const partition = part.partition;
    if (!needs?.mayMatch || !partition || partition.size === 0) return needs;
    const mayMatch = needs.mayMatch;
    return {
      ...needs,
      mayMatch: (inner: RangeOf) => mayMatch((name) => (partition.has(name) ? partitionRange(partition.get(name) ?? null) : inner(name))),
    };
  }

  /** False when the part's partition values rule out every row it holds. */
  private mayHold(part: DatasetPart, needs: ScanNeeds | undefined): boolean {
    const partition = part.partition;
    if (!needs?.mayMatch || !partition || partition.size === 0) return true;
    return needs.mayMatch((name) => (partition.has(name) ? partitionRange(partition.get(name) ?? null) : null));
  }

  private async *scan(start: ScanStart, needs?: ScanNeeds): AsyncGenerator<RowBatch> {
    let base = 0; // global index of the current part's first row
    for (const part of this.parts) {
      if (!this.mayHold(part, needs)) {
        // Partition pruning: the object is not read; its rows are counted only when indexes matter.
        if (needs?.indexes !== false) base += await this.rowCount(part);
        continue;
      }
      if (start.index > base) {
        // Rows before the start: skip whole parts by their counts.
        const count = await this.rowCount(part);
        if (base + count <= start.index) {
          base += count;
          continue;
        }
      }
      const { from } = await this.mapping(part);
      const localStart: ScanStart = { index: Math.max(0, start.index - base), offset: this.resumable ? start.offset : undefined };
      let count = localStart.index;
      const partition = part.partition ? [...part.partition].map(([name, value]) => [this.columnIndex(name), value] as const) : [];
      for await (const batch of part.reader.scan(localStart, this.partNeeds(part, needs))) {
        const rows = batch.rows.map((row) => {
          const cells = from.map((i) => (i === -1 ? null : (row.cells[i] ?? null)));
          if (this.sourceKeyColumn !== -1) cells[this.sourceKeyColumn] = part.key;
          for (const [at, value] of partition) if (at !== -1) cells[at] = value;
          return row.matched ? { index: base + row.index, cells, matched: true } : { index: base + row.index, cells };
        });
        count = ((batch.rows.at(-1) as TableRow | undefined)?.index ?? count - 1) + 1;
        yield { rows, offsetAfter: this.resumable ? batch.offsetAfter : undefined };
      }
      // Read to its end: the part's count is known now (columnar parts knew it, and may have skipped trailing rows).
      const known = part.reader.cachedCount('all');
      if (known === undefined) part.reader.storeCount('all', count);
      base += known ?? count;
    }
  }
}
