// From the Python object model to what bucketql serves: JSON values for `json` /
// `content`, typed cells for `table`, and the TableModel of anything tabular. This is
// where a pickle's shared references are expanded, so this is where bombs are
// stopped: every value produced is charged to an output budget, and nesting deeper
// than the limit (a cycle included) fails instead of recursing on.
import type { RawCell } from '../types.js';
import { arrayToNested, complexValue, NDArray, NumpyScalar, type ReadContext, type ReadMode, viewReader, wholeView } from './numpy.js';
import { arrayValues, frameModel, indexValues, PdArray, PdDtype, PdFrame, PdIndex, type TableModel, uniqueNames } from './pandas.js';
import { daysFromCivil, formatDate, formatDuration, formatInstantValue, formatTime, instantCell, wallToInstant } from './time.js';
import {
  InertObject,
  Instant,
  PickleError,
  PY_MISSING,
  PyBytes,
  PyComplex,
  PyDate,
  PyDateTime,
  PyDecimal,
  PyGlobal,
  PyRange,
  PySlice,
  PyTime,
  PyTimeDelta,
  PyUuid,
  pythonTypeName,
} from './values.js';

export interface OutputLimits {
  /** Estimated bytes of output (8 per value plus text lengths) a pickle may expand to. */
  maxOutputBytes: number;
  /** Deepest nesting of containers; Python itself cannot pickle much deeper than 1000. */
  maxDepth: number;
}

export function defaultOutputLimits(inputBytes: number): OutputLimits {
  return { maxOutputBytes: Math.max(16 * 1024 * 1024, 16 * inputBytes), maxDepth: 1000 };
}

class Budget {
  spent = 0;
  depth = 0;
  /** Deepest level reached, for measuring the depth of a shared subtree. */
  peak = 0;
  constructor(readonly limits: OutputLimits) {}
  spend(cost: number): void {
    this.spent += cost;
    if (this.spent > this.limits.maxOutputBytes) {
      throw new PickleError(`pickle expands beyond ${this.limits.maxOutputBytes} bytes of output (a pickle bomb?)`);
    }
  }
  enter(): void {
    if (++this.depth > this.limits.maxDepth) this.tooDeep();
    if (this.depth > this.peak) this.peak = this.depth;
  }
  tooDeep(): never {
    throw new PickleError(`pickle nests deeper than ${this.limits.maxDepth} levels (or refers to itself)`);
  }
  leave(): void {
    this.depth--;
  }
}

function uuidText(value: bigint): string {
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  // A "__proto__" key must become an own property, not the object's prototype.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Values every mode writes the same way, or undefined for containers and cells that differ. */
function scalarText(value: object): string | undefined {
  if (value instanceof PyDate) return formatDate(value.year, value.month, value.day);
  if (value instanceof PyTime) return formatTime(value.hour, value.minute, value.second, value.microsecond, value.tz);
  if (value instanceof PyTimeDelta) return formatDuration(value.nanoseconds);
  if (value instanceof PyDecimal) return value.text;
  if (value instanceof PyUuid) return uuidText(value.value);
  if (value instanceof PyGlobal) return value.qualifiedName;
  if (value instanceof InertObject) return value.qualifiedName;
  if (value instanceof PdDtype) return value.pythonType;
  return undefined;
}

function pyDateTimeInstant(value: PyDateTime): Instant {
  return wallToInstant(value, value.microsecond, value.tz, value.fold);
}

interface SharedResult {
  result: unknown;
  cost: number;
  depth: number;
}

/**
 * Builds the JSON and cell converters over one budget. A subtree the pickle refers to
 * more than once is converted once and reused, charged its full expanded cost each
 * time: a billion-laughs pickle then fails after a few dozen conversions, not after
 * building gigabytes.
 */
export class Converter {
  private readonly budget: Budget;
  private readonly sharedResults = new Map<object, SharedResult>();
  readonly json: ReadContext;
  readonly cell: ReadContext;

  constructor(
    limits: OutputLimits,
    private readonly shared: ReadonlySet<object> = new Set(),
  ) {
    this.budget = new Budget(limits);
    const spend = (cost: number) => this.budget.spend(cost);
    const json: ReadContext = {
      mode: 'json',
      convert: (value) => this.toJson(value),
      spend,
      withMode: (mode) => (mode === 'json' ? json : cell),
    };
    const cell: ReadContext = {
      mode: 'cell',
      convert: (value) => this.toCell(value),
      spend,
      withMode: (mode) => (mode === 'json' ? json : cell),
    };
    this.json = json;
    this.cell = cell;
  }

  context(mode: ReadMode): ReadContext {
    return mode === 'json' ? this.json : this.cell;
  }

  spend(cost: number): void {
    this.budget.spend(cost);
  }

  /**
   * A Python value as JSON: dict → object (non-str keys as their JSON text), list,
   * tuple, set → array, bytes → base64, int → number or decimal string beyond 2^53,
   * NaN/±Infinity/None/NaT/NA → null, datetimes → ISO-8601 UTC, DataFrame → rows.
   */
  toJson(value: unknown): unknown {
    const { budget } = this;
    switch (typeof value) {
      case 'string':
        budget.spend(8 + value.length);
        return value;
      case 'number':
        budget.spend(8);
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        budget.spend(8);
        return value;
      case 'bigint':
        budget.spend(8);
        return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value.toString();
      case 'undefined':
        return null;
      case 'object':
        break;
      default:
        throw new PickleError(`cannot show a ${typeof value}`);
    }
    if (value === null || value === PY_MISSING) {
      budget.spend(8);
      return null;
    }
    if (this.shared.has(value)) return this.sharedToJson(value);
    return this.objectToJson(value);
  }

  private objectToJson(value: object): unknown {
    const { budget } = this;
    const text = scalarText(value);
    if (text !== undefined) {
      budget.spend(8 + text.length);
      return text;
    }
    if (value instanceof PyDateTime) {
      budget.spend(32);
      return formatInstantValue(pyDateTimeInstant(value));
    }
    if (value instanceof Instant) {
      budget.spend(32);
      return formatInstantValue(value);
    }
    if (value instanceof PyBytes) {
      budget.spend(8 + Math.ceil(value.bytes.byteLength / 3) * 4);
      return base64(value.bytes);
    }
    if (value instanceof PyComplex) return complexValue(value);
    if (value instanceof NumpyScalar) return arrayToNested(value.array, this.json);
    budget.enter();
    try {
      return this.containerToJson(value);
    } finally {
      budget.leave();
    }
  }

  private sharedToJson(value: object): unknown {
    const { budget } = this;
    const cached = this.sharedResults.get(value);
    if (cached) {
      budget.spend(cached.cost);
      if (budget.depth + cached.depth > budget.limits.maxDepth) budget.tooDeep();
      return cached.result;
    }
    const spentBefore = budget.spent;
    const peakBefore = budget.peak;
    budget.peak = budget.depth;
    const result = this.objectToJson(value);
    const depth = budget.peak - budget.depth;
    budget.peak = Math.max(peakBefore, budget.peak);
    this.sharedResults.set(value, { result, cost: budget.spent - spentBefore, depth });
    return result;
  }

  private containerToJson(value: object): unknown {
    const { budget } = this;
    if (Array.isArray(value)) {
      budget.spend(8 * (value.length + 1));
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) out[i] = this.toJson(value[i]);
      return out;
    }
    if (value instanceof Map) {
      budget.spend(8 * (value.size + 1));
      const out: Record<string, unknown> = {};
      for (const [key, item] of value) setKey(out, this.keyText(key), this.toJson(item));
      return out;
    }
    if (value instanceof Set) {
      budget.spend(8 * (value.size + 1));
      return Array.from(value, (item) => this.toJson(item));
    }
    if (value instanceof NDArray) return arrayToNested(value, this.json);
    if (value instanceof PdFrame) {
      return this.modelRows(frameModel(value, this.json));
    }
    if (value instanceof PdIndex) return indexValues(value, this.json);
    if (value instanceof PdArray) return arrayValues(value, this.json);
    if (value instanceof PyRange) {
      const { length, start, step } = value;
      budget.spend(8 * length);
      return Array.from({ length }, (_, i) => start + i * step);
    }
    if (value instanceof PySlice) return [value.start, value.stop, value.step].map((part) => this.toJson(part));
    if (typeof (value as { utcOffsetSeconds?: unknown }).utcOffsetSeconds === 'function') return (value as { name: string }).name;
    throw new PickleError(`a ${pythonTypeName(value)} cannot be shown as JSON`);
  }

  /** A dict key or column label as an object key: strings as they are, others as their JSON text. */
  keyText(key: unknown): string {
    const converted = this.toJson(key);
    return typeof converted === 'string' ? converted : JSON.stringify(converted);
  }

  /** A Python value as a table cell: Date for instants, bigint beyond 2^53, nested JSON for containers. */
  toCell(value: unknown): RawCell {
    switch (typeof value) {
      case 'string':
        this.budget.spend(8 + value.length);
        return value;
      case 'number':
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        return value;
      case 'bigint':
        return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
      case 'undefined':
        return null;
      case 'object':
        break;
      default:
        throw new PickleError(`cannot show a ${typeof value}`);
    }
    if (value === null || value === PY_MISSING) return null;
    if (value instanceof PyDateTime) {
      const instant = pyDateTimeInstant(value);
      return instantCell(instant.epochMs, instant.subMsNanos);
    }
    if (value instanceof Instant) return instantCell(value.epochMs, value.subMsNanos);
    // A date is a DATETIME cell at midnight UTC, as an ISO date in a CSV column becomes.
    if (value instanceof PyDate) return instantCell(daysFromCivil(value.year, value.month, value.day) * 86_400_000, 0);
    if (value instanceof NumpyScalar) return viewReader(wholeView(value.array), this.cell)(0) as RawCell;
    return this.toJson(value) as RawCell;
  }

  /** Row objects of a table, each value in JSON form. */
  modelRows(model: TableModel): Record<string, unknown>[] {
    const { names, rowCount } = model;
    const readers = model.columns.map((column) => column.reader(this.json));
    const plainKeys = !names.includes('__proto__');
    const rows = new Array<Record<string, unknown>>(rowCount);
    for (let i = 0; i < rowCount; i++) {
      this.budget.spend(8 * (names.length + 1));
      const row: Record<string, unknown> = {};
      for (let c = 0; c < names.length; c++) {
        const value = (readers[c] as (i: number) => unknown)(i);
        if (plainKeys) row[names[c] as string] = value;
        else setKey(row, names[c] as string, value);
      }
      rows[i] = row;
    }
    return rows;
  }
}

/** A table read from a decoded pickle: columns of cells, or records (a list of dicts). */
export type PickleTable =
  | { kind: 'columns'; model: TableModel }
  | { kind: 'records'; pythonType: string; read(converter: Converter): Record<string, unknown>[] };

function isEqualLengthColumns(value: Map<unknown, unknown>): boolean {
  if (value.size === 0) return false;
  let length = -1;
  for (const column of value.values()) {
    const size = Array.isArray(column) ? column.length : column instanceof NDArray && column.ndim === 1 ? column.size : -1;
    if (size < 0 || (length >= 0 && size !== length)) return false;
    length = size;
  }
  return true;
}

/**
 * The table a decoded pickle holds, or null: a DataFrame or Series, a list (or
 * tuple) of dicts, or a dict of equal-length lists (or one-dimensional arrays).
 */
export function pickleTable(value: unknown, converter: Converter): PickleTable | null {
  if (value instanceof PdFrame) return { kind: 'columns', model: frameModel(value, converter.cell) };
  if (Array.isArray(value) && value.length > 0 && value.every((item) => item instanceof Map)) {
    const dicts = value as Map<unknown, unknown>[];
    return {
      kind: 'records',
      pythonType: `list of ${dicts.length} dicts`,
      read: (conv) =>
        dicts.map((dict) => {
          conv.spend(8 * (dict.size + 1));
          const record: Record<string, unknown> = {};
          for (const [key, item] of dict) setKey(record, conv.keyText(key), conv.toCell(item));
          return record;
        }),
    };
  }
  if (value instanceof Map && isEqualLengthColumns(value)) {
    const entries = [...value];
    const names = uniqueNames(entries.map(([key]) => converter.keyText(key)));
    const columns = entries.map(([, column]) => {
      if (column instanceof NDArray) {
        const view = wholeView(column);
        return { length: view.length, reader: (context: ReadContext) => viewReader(view, context) };
      }
      const items = column as unknown[];
      return { length: items.length, reader: (context: ReadContext) => (i: number) => context.convert(items[i]) };
    });
    return { kind: 'columns', model: { pythonType: 'dict of columns', names, columns, rowCount: columns[0]?.length ?? 0 } };
  }
  return null;
}
