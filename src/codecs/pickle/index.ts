// The pickle codec (`.pkl`, `.pickle`): a safe unpickler that runs no code, for
// `json` / `content` values and `table` reads of DataFrames, Series, lists of dicts
// and dicts of columns, and a protocol-4 encoder for putObject.
//
// JSON forms of decoded values (`decodeValue`):
//   dict → object (str keys as they are; other keys as their JSON text: 1 → "1",
//   (1, "a") → "[1,\"a\"]"); list, tuple, set, frozenset → array; str → string;
//   bytes, bytearray → base64 string; int → number, or a decimal string beyond ±2^53;
//   float → number, NaN and ±Infinity → null; bool; None → null;
//   datetime → ISO-8601 UTC ("2024-01-15T09:30:00.000Z": naive taken as UTC, aware
//   converted; 6 or 9 fraction digits only when there are micro- or nanoseconds);
//   date → "2024-01-15"; time → "09:30:00[.ffffff][+09:00]"; timedelta → ISO-8601
//   duration ("P1DT2H3M4.5S", "-PT1S"); Decimal → its exact string ("1.10");
//   complex → { real, imag }; UUID → its canonical string;
//   numpy arrays → nested arrays; numpy scalars → their value;
//   DataFrame → array of row objects { column: value } (the index first when it is not
//   the default RangeIndex: named after it, else "index"; MultiIndex levels by name or
//   "level_N"); Series → rows { index?, <series name or "value">: value };
//   Index, Categorical and other pandas arrays → arrays; NaT, pd.NA → null.
// Column names follow the contract's header rule: non-str labels as JSON text, empty
// names `column_N`, repeats `name_2`.
//
// Table cells (`readTable`): int → number, or bigint beyond ±2^53; float → number
// (NaN, ±Infinity → null); bool → boolean; datetime64 (naive taken as UTC, zoned as
// its instant), Timestamp, datetime → Date (milliseconds; the JSON form keeps the
// rest); date → Date at midnight UTC; str → string; None, NaN, NaT, pd.NA, masked →
// null; Categorical → its category's value; time, timedelta, Decimal, UUID, bytes →
// their JSON text;
// lists, dicts and other containers → nested JSON. A list of dicts is read as
// `records`; a DataFrame, a Series or a dict of equal-length lists as header + rows.
import { BadUserInput, DecodeFailed, PayloadTooLarge } from '../../errors.js';
import type { ByteSource, Codec, RawCell, TableEvent, TableReadOptions } from '../types.js';
import { Converter, defaultOutputLimits, type OutputLimits, pickleTable } from './convert.js';
import { encodePickle } from './encoder.js';
import { defaultUnpickleLimits, type UnpickleLimits, unpickle } from './unpickler.js';
import { PickleError, pythonTypeName } from './values.js';

export interface PickleCodecOptions {
  /** Largest pickle `table` reads whole (pickles cannot be streamed); beyond it PAYLOAD_TOO_LARGE. */
  maxTableBytes?: number;
  /** Rows per `rows` event. */
  batchRows?: number;
  /** Overrides of the limits derived from the pickle's size. */
  unpickleLimits?: (inputBytes: number) => UnpickleLimits;
  outputLimits?: (inputBytes: number) => OutputLimits;
}

const DEFAULT_MAX_TABLE_BYTES = 1024 * 1024 * 1024;
const DEFAULT_BATCH_ROWS = 1000;

function asDecodeFailed(error: unknown): unknown {
  if (error instanceof PickleError) return new DecodeFailed(`pickle cannot be read: ${error.message}`, error.where);
  if (error instanceof RangeError) return new DecodeFailed('pickle cannot be read: it is too large or too deeply nested');
  return error;
}

async function readWhole(source: ByteSource, maxBytes: number, signal: AbortSignal | undefined): Promise<Buffer> {
  const tooLarge = () =>
    new PayloadTooLarge(`pickles are read whole; this one is larger than the ${maxBytes}-byte limit for pickled tables`, {
      limit: maxBytes,
    });
  if (source.size > maxBytes) throw tooLarge();
  const stream = await source.open();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > maxBytes) throw tooLarge();
      chunks.push(buffer);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}

export function createPickleCodec(options: PickleCodecOptions = {}): Codec {
  const maxTableBytes = options.maxTableBytes ?? DEFAULT_MAX_TABLE_BYTES;
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const unpickleLimits = options.unpickleLimits ?? defaultUnpickleLimits;
  const outputLimits = options.outputLimits ?? defaultOutputLimits;

  function decode(bytes: Uint8Array): { value: unknown; converter: Converter } {
    const { value, shared } = unpickle(bytes, unpickleLimits(bytes.byteLength));
    return { value, converter: new Converter(outputLimits(bytes.byteLength), shared) };
  }

  async function* readTable(source: ByteSource, options: TableReadOptions): AsyncIterable<TableEvent> {
    const bytes = await readWhole(source, maxTableBytes, options.signal);
    const { value, converter } = decode(bytes);
    let table: ReturnType<typeof pickleTable>;
    try {
      table = pickleTable(value, converter);
    } catch (error) {
      throw asDecodeFailed(error);
    }
    if (!table) throw new BadUserInput(`this pickle is not a table: it holds a ${pythonTypeName(value)}`);
    if (table.kind === 'records') {
      let records: Record<string, unknown>[];
      try {
        records = table.read(converter);
      } catch (error) {
        throw asDecodeFailed(error);
      }
      for (let start = 0; start < records.length; start += batchRows) {
        if (options.signal?.aborted) return;
        yield { type: 'records', records: records.slice(start, start + batchRows) };
      }
      return;
    }
    const { model } = table;
    const declared = model.columns.map((column) => column.declaredType ?? null);
    yield { type: 'header', names: model.names, ...(declared.some(Boolean) ? { types: declared } : {}) };
    let row = 0;
    try {
      const readers = model.columns.map((column) => column.reader(converter.cell));
      const width = readers.length;
      while (row < model.rowCount) {
        if (options.signal?.aborted) return;
        const end = Math.min(model.rowCount, row + batchRows);
        converter.spend(8 * (width + 1) * (end - row));
        const rows = new Array<RawCell[]>(end - row);
        for (let i = row; i < end; i++) {
          const cells = new Array<RawCell>(width);
          for (let c = 0; c < width; c++) cells[c] = (readers[c] as (i: number) => RawCell)(i);
          rows[i - row] = cells;
        }
        row = end;
        yield { type: 'rows', rows };
      }
    } catch (error) {
      const failed = asDecodeFailed(error);
      if (failed instanceof DecodeFailed) throw new DecodeFailed(failed.message, { ...failed.extensions, row });
      throw failed;
    }
  }

  return {
    format: 'PICKLE',
    extensions: ['.pkl', '.pickle'],
    contentType: 'application/python-pickle',
    supportsOffsets: false,
    readTable,
    decodeValue(bytes) {
      const { value, converter } = decode(bytes);
      try {
        return converter.toJson(value);
      } catch (error) {
        throw asDecodeFailed(error);
      }
    },
    encode: (content) => encodePickle(content),
  };
}

/** The pickle codec with default limits. */
export const pickleCodec: Codec = createPickleCodec();
