// What the table questions (pages, counts, aggregates, summaries) need of a source
// of rows: one object read as a table (TableReader), or a dataset over several.
import type { Column, ScanConsumer, TableRow, TableSchema, TypedValue } from './types.js';

export interface RowSource {
  /** Digest of what the rows come from (objects, versions, options): keys caches, stamps cursors. */
  readonly id: string;
  /** Whether scans can resume at a byte offset (cursors then carry one). */
  readonly resumable: boolean;
  schema(): Promise<TableSchema>;
  /** Runs a consumer over the rows from its start; consumers of one tick share a pass. */
  run(consumer: ScanConsumer): Promise<void>;
  typed(row: TableRow, column: Column, schema: TableSchema): TypedValue;
  cachedCount(filter: string): number | undefined;
  storeCount(filter: string, count: number): void;
}
