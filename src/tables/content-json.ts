// `content` of a table as JSON bytes: the array of row objects that JSON.stringify
// would write, byte for byte, written either straight from column arrays (CSV/TSV:
// field batches typed into columns as the cold scan types them, or a table the cache
// already holds) or from row objects (every other table format).
import { JsonBytes, type WordMemo, wordMemo } from '../codecs/json-bytes.js';
import { JsonArrayWriter, type SerialisedJson } from '../codecs/serialised-json.js';
import { ColumnarBuilder, type ColumnarTable } from './columnar.js';
import { rowValues } from './query.js';
import type { TableReader } from './reader.js';
import type { Column } from './types.js';

/**
 * Whether a key is an array index (a canonical uint32 below 2^32 - 1): JSON.stringify,
 * like every walk of an object's keys, writes those first, in ascending order.
 */
function isArrayIndex(key: string): boolean {
  if (!/^(?:0|[1-9][0-9]{0,9})$/.test(key)) return false;
  return Number(key) < 2 ** 32 - 1;
}

/** Writes rows of columnar tables as the JSON of their row objects (`rowValues` with the extra cells). */
export class RowsJson {
  /** Columns in the order JSON.stringify writes a row object's keys. */
  private readonly order: number[];
  /** `{"name":` for the first key, `,"name":` for the others. */
  private readonly keys: Buffer[];
  private readonly memos: WordMemo[];
  private readonly names: Set<string>;
  private rows = 0;

  constructor(
    columns: readonly Column[],
    private readonly out: JsonBytes,
  ) {
    const indexed = columns.filter((c) => isArrayIndex(c.name)).sort((a, b) => Number(a.name) - Number(b.name));
    const named = columns.filter((c) => !isArrayIndex(c.name));
    this.order = [...indexed, ...named].map((c) => c.index);
    this.keys = this.order.map((c, k) => Buffer.from(`${k === 0 ? '{' : ','}${JSON.stringify((columns[c] as Column).name)}:`, 'utf8'));
    this.memos = columns.map(() => wordMemo());
    this.names = new Set(columns.map((c) => c.name));
    out.ascii('[');
  }

  /** Rows `from` to `to` (exclusive) of `table`. */
  write(table: ColumnarTable, from: number, to: number): void {
    const { out, order, keys, memos } = this;
    const width = order.length;
    for (let r = from; r < to; r++) {
      if (this.rows++ > 0) out.ascii(',');
      for (let k = 0; k < width; k++) {
        const c = order[k] as number;
        out.raw(keys[k] as Buffer);
        out.memo = memos[c] as WordMemo;
        table.writeJson(r, c, out);
      }
      const extra = table.extra(r);
      let first = width === 0;
      if (extra) {
        // Cells beyond the columns (`column_N`), unless a column has that name. A row of
        // strings carries only non-empty ones; a table built after a small read's sample
        // may hold empty ones too, which content never wrote.
        for (const key in extra) {
          const value = extra[key];
          if (value === '' || value === null || value === undefined || this.names.has(key)) continue;
          out.ascii(first ? '{' : ',');
          first = false;
          out.string(key);
          out.ascii(':');
          out.value(value);
        }
      }
      out.ascii(first ? '{}' : '}');
    }
  }

  finish(): SerialisedJson {
    this.out.ascii(']');
    return this.out.finish();
  }
}

/**
 * Rows a builder of `columnsJson` holds before the next batch goes to a new one: the
 * columns of the whole object are never held at once (a 64 MiB CSV's would take about
 * as much again), and a part is large enough that its text columns leave the
 * dictionary form as a table's would. `tableJson` writes this many rows a turn.
 */
const PART_ROWS = 65_536;

/**
 * A whole columnar table's rows as JSON (a table the cache holds), PART_ROWS rows at a
 * time with a turn of the event loop between them: a large table would otherwise
 * hold up every other request while it is written.
 */
export async function tableJson(columns: readonly Column[], table: ColumnarTable): Promise<SerialisedJson> {
  const rows = new RowsJson(columns, new JsonBytes());
  for (let from = 0; from < table.rowCount; from += PART_ROWS) {
    if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    rows.write(table, from, Math.min(table.rowCount, from + PART_ROWS));
  }
  return rows.finish();
}

/**
 * Every row of a CSV/TSV reader as JSON, written from columns: each batch (field
 * batches where the codec gives them, rows of text where it does not) is typed into a
 * builder, as the cold scan types a table, and its rows written from the builder's
 * arrays before the next batch is read. The reader's schema and rows are those
 * `rowsJson` reads.
 */
export async function columnsJson(reader: TableReader): Promise<SerialisedJson> {
  const schema = await reader.schema();
  const rows = new RowsJson(schema.columns, new JsonBytes());
  let builder = new ColumnarBuilder(schema.columns, schema.reading);
  /** Rows the object holds, estimated from the bytes the first field batch's rows take (0: not known). */
  let expected = 0;
  let written = 0;
  for await (const batch of reader.scan({ index: 0 }, undefined, { fields: true })) {
    const count = batch.fields ? batch.fields.batch.rows : batch.rows.length;
    if (builder.rowCount > 0 && builder.rowCount + count > PART_ROWS) {
      builder = new ColumnarBuilder(schema.columns, schema.reading, written);
      if (expected > 0) builder.reserve(Math.min(PART_ROWS, Math.max(count, expected - written)));
    }
    if (batch.fields) {
      const { batch: fields, first } = batch.fields;
      // Columns sized once from the bytes the first batch's rows take (as the cold scan sizes them).
      if (expected === 0 && fields.rows > 0 && batch.offsetAfter) {
        const bytes = batch.offsetAfter(fields.rows - 1);
        if (bytes > 0) {
          expected = Math.ceil((reader.object.size / bytes) * (first + fields.rows) * 1.02);
          builder.reserve(Math.min(PART_ROWS, Math.max(count, expected - builder.first)));
        }
      }
      builder.addFields(fields);
    } else {
      for (const row of batch.rows) builder.add(row.cells, row.extra);
    }
    const end = builder.first + builder.rowCount;
    rows.write(builder.view(), written, end);
    written = end;
  }
  return rows.finish();
}

/** Every row of a reader as JSON, from its row objects: 64 of them to a JSON.stringify. */
export async function rowsJson(reader: TableReader): Promise<SerialisedJson> {
  // The rows are written as JSON while they are read (the same objects JSON.stringify
  // would have met in the whole array): the answer holds their bytes, and the row
  // objects die young instead of 100k of them living until the response is written.
  const schema = await reader.schema();
  const json = new JsonArrayWriter();
  for await (const batch of reader.scan({ index: 0 })) {
    for (const row of batch.rows) json.push(rowValues(reader, schema, schema.columns, row, true));
  }
  return json.finish();
}
