// Hive-style partitions: a dataset over a prefix whose folders are named `key=value`
// (`sales/year=2024/month=03/part-0.parquet`, as Spark, DuckDB, Athena and pandas
// write them) gets a column a key, typed from the folder values as CSV text is
// (2024 an INT, 2024-03-01 a DATETIME), and a `where` on them skips whole objects.
// Unlike cells, zero-padded folder numbers (`month=03`) are numbers, as Spark, DuckDB
// and Athena read them: folders are padded to sort, not to keep a code.
import type { RawCell, ValueRange } from '../codecs/types.js';
import { ColumnSample, convert } from '../tables/infer.js';
import type { ColumnType } from '../tables/types.js';

/** The value Hive, Spark and DuckDB write for a null partition. */
const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

/** The `key=value` folders of a key below the prefix, in order: values decoded, null for Hive's null. */
export function partitionsOf(key: string, prefix: string): [string, string | null][] {
  const folders = key.slice(prefix.length).split('/').slice(0, -1);
  const found: [string, string | null][] = [];
  for (const folder of folders) {
    const eq = folder.indexOf('=');
    if (eq <= 0) continue;
    const name = safeDecode(folder.slice(0, eq));
    const value = safeDecode(folder.slice(eq + 1));
    found.push([name, value === HIVE_NULL || value === '' ? null : value]);
  }
  return found;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface PartitionColumn {
  name: string;
  type: ColumnType;
  /** Some object has no folder for it, or Hive's null. */
  nullable: boolean;
}

/** The partition columns of a dataset's keys, in first-seen order, typed from their values. */
export function partitionColumns(keys: readonly string[], prefix: string): PartitionColumn[] {
  const samples = new Map<string, { sample: ColumnSample; objects: number }>();
  for (const key of keys) {
    for (const [name, value] of partitionsOf(key, prefix)) {
      let entry = samples.get(name);
      if (!entry) {
        entry = { sample: new ColumnSample(), objects: 0 };
        samples.set(name, entry);
      }
      entry.sample.add(unpadded(value), 'text');
      entry.objects++;
    }
  }
  return [...samples].map(([name, { sample, objects }]) => ({
    name,
    type: sample.type === 'NULL' ? 'STRING' : sample.type,
    nullable: sample.sawNull || objects < keys.length,
  }));
}

/** A folder value as a cell of its column's type (a value that does not fit stays text). */
export function partitionCell(value: string | null, type: ColumnType): RawCell {
  return convert(type === 'INT' || type === 'FLOAT' ? unpadded(value) : value, type, 'text') as RawCell;
}

/** A zero-padded integer without its padding ("03" → "3"); anything else as it is. */
function unpadded(value: string | null): string | null {
  return value !== null && /^-?0+\d/.test(value) && /^-?\d+$/.test(value) ? value.replace(/^(-?)0+(?=\d)/, '$1') : value;
}

/** A partition value as a range: every row of the object holds it. */
export function partitionRange(value: RawCell): ValueRange {
  if (value === null) return { rows: 1, nulls: 1 };
  const bound = value instanceof Date || typeof value !== 'object' ? (value as string | number | boolean | Date) : undefined;
  return typeof bound === 'bigint' ? { rows: 1, nulls: 0 } : { rows: 1, min: bound, max: bound, nulls: 0 };
}
