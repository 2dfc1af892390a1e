// Parquet columns for hyparquet-writer in tests and benches: with or without page
// indexes (column index and offset index), which DuckDB does not write.
import type { ColumnSource } from 'hyparquet-writer';

/** A column of `data` as `type`, with page indexes when `indexes`; nullable unless told otherwise (hyparquet-writer's own default when `nullable` is left out). */
export function indexedColumn(
  name: string,
  data: unknown[],
  type: ColumnSource['type'],
  indexes: boolean,
  nullable?: boolean,
): ColumnSource {
  return {
    name,
    data: data as ColumnSource['data'],
    type,
    ...(nullable === undefined ? {} : { nullable }),
    columnIndex: indexes,
    offsetIndex: indexes,
  };
}
