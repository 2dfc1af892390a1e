// pandas in a pickle: DataFrame, Series, their block managers and blocks, Index kinds
// and the extension arrays (datetime, timedelta, categorical, string, nullable
// masked), rebuilt from the reduce forms pandas 1.x and 2.x write, and turned into a
// TableModel: named columns whose readers give JSON values or table cells. Nothing
// here runs pandas code: each global is a TypeScript stand-in that only records what
// the pickle says, and the shapes are checked when the table is assembled.
import { type ArrayView, NDArray, type ReadContext, rowView, viewReader, wholeView } from './numpy.js';
import { datetime64ToInstant, NANOS_PER_UNIT } from './time.js';
import {
  type GlobalSpec,
  type GlobalTable,
  InertObject,
  PickleError,
  PY_MISSING,
  PyGlobal,
  PySlice,
  PyTimeDelta,
  pythonTypeName,
} from './values.js';

/** numpy's NPY_DATETIMEUNIT codes, as pandas 2 passes `reso` when it unpickles a Timestamp. */
const NPY_UNITS = ['Y', 'M', 'W', '', 'D', 'h', 'm', 's', 'ms', 'us', 'ns'];
const NS_RESO = 10;

type ArrayKind = 'datetime' | 'timedelta' | 'categorical' | 'numpy' | 'masked';

/** An extension array: the ndarray it is backed by, its dtype and (nullable types) its mask. */
export class PdArray {
  readonly pythonType: string;
  ndarray: NDArray | null = null;
  mask: NDArray | null = null;
  dtype: unknown = null;
  constructor(
    readonly kind: ArrayKind,
    qualifiedName: string,
  ) {
    this.pythonType = qualifiedName;
  }

  /** NDArrayBacked's state: (dtype, ndarray, attrs) in either order, or a dict of attributes. */
  setState(state: unknown): void {
    if (state instanceof Map) {
      const data = state.get('_ndarray') ?? state.get('_data') ?? state.get('_codes');
      if (!(data instanceof NDArray)) throw new PickleError(`${this.pythonType} state has no array`);
      this.ndarray = data;
      const mask = state.get('_mask');
      if (mask !== undefined) {
        if (!(mask instanceof NDArray)) throw new PickleError(`${this.pythonType} mask is not an array`);
        this.mask = mask;
      }
      this.dtype = state.get('_dtype') ?? (state.has('_categories') ? categoricalDtype(state.get('_categories')) : null);
      return;
    }
    if (Array.isArray(state)) {
      if (state.length === 1 && state[0] instanceof Map) {
        this.setState(state[0]);
        return;
      }
      const [a, b] = state;
      if (a instanceof NDArray) {
        this.ndarray = a;
        this.dtype = b;
      } else if (b instanceof NDArray) {
        this.ndarray = b;
        this.dtype = a;
      } else {
        throw new PickleError(`${this.pythonType} state has no array`);
      }
      return;
    }
    throw new PickleError(`${this.pythonType} state is malformed`);
  }
}

/** A pandas dtype object (CategoricalDtype, DatetimeTZDtype, Int64Dtype, ...): its attributes. */
export class PdDtype {
  readonly pythonType: string;
  state: Map<unknown, unknown> = new Map();
  constructor(qualifiedName: string) {
    this.pythonType = qualifiedName;
  }
  setState(state: unknown): void {
    if (state instanceof Map) this.state = state;
  }
  get categories(): unknown {
    return this.state.get('categories') ?? this.state.get('_categories');
  }
}

function categoricalDtype(categories: unknown): PdDtype {
  const dtype = new PdDtype('pandas.core.dtypes.dtypes.CategoricalDtype');
  dtype.state.set('categories', categories);
  return dtype;
}

type IndexKind = 'values' | 'range' | 'multi';

/** An Index of any kind: values (backed by an array), a range, or a MultiIndex of levels and codes. */
export class PdIndex {
  readonly pythonType: string;
  data: unknown = null;
  start = 0;
  stop = 0;
  step = 1;
  levels: PdIndex[] = [];
  codes: NDArray[] = [];
  names: unknown[] = [];
  constructor(
    readonly kind: IndexKind,
    qualifiedName: string,
    readonly name: unknown,
  ) {
    this.pythonType = qualifiedName;
  }
}

const INDEX_CLASSES: Readonly<Record<string, IndexKind>> = {
  'pandas.core.indexes.base.Index': 'values',
  'pandas.core.indexes.numeric.Int64Index': 'values',
  'pandas.core.indexes.numeric.UInt64Index': 'values',
  'pandas.core.indexes.numeric.Float64Index': 'values',
  'pandas.core.indexes.numeric.NumericIndex': 'values',
  'pandas.core.indexes.datetimes.DatetimeIndex': 'values',
  'pandas.core.indexes.timedeltas.TimedeltaIndex': 'values',
  'pandas.core.indexes.category.CategoricalIndex': 'values',
  'pandas.core.indexes.range.RangeIndex': 'range',
  'pandas.core.indexes.multi.MultiIndex': 'multi',
};

function expectInt(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new PickleError(`${what} is not an int`);
}

function asArrayData(value: unknown): unknown {
  if (Array.isArray(value)) {
    // Very old pickles hold index data as a plain list: read it as an object array.
    const array = new NDArray();
    array.objects = value;
    array.raw = null;
    array.shape = [value.length];
    return array;
  }
  return value;
}

/** `pandas.core.indexes.base._new_Index(cls, d)` (and `_new_DatetimeIndex`). */
function newIndex([cls, d]: readonly unknown[]): PdIndex {
  if (!(cls instanceof PyGlobal)) throw new PickleError('_new_Index() expects an Index class');
  const kind = INDEX_CLASSES[cls.qualifiedName];
  if (!kind) throw new PickleError(`${cls.qualifiedName} is not read`);
  if (!(d instanceof Map)) throw new PickleError(`${cls.qualifiedName} state is malformed`);
  const index = new PdIndex(kind, cls.qualifiedName, d.get('name') ?? null);
  if (kind === 'range') {
    index.start = expectInt(d.get('start') ?? 0, 'RangeIndex start');
    index.stop = expectInt(d.get('stop') ?? 0, 'RangeIndex stop');
    index.step = expectInt(d.get('step') ?? 1, 'RangeIndex step');
    if (index.step === 0) throw new PickleError('RangeIndex step is zero');
  } else if (kind === 'multi') {
    const levels = d.get('levels');
    const codes = d.get('codes') ?? d.get('labels');
    const names = d.get('names');
    if (!Array.isArray(levels) || !Array.isArray(codes) || levels.length !== codes.length || levels.length === 0) {
      throw new PickleError('MultiIndex state is malformed');
    }
    index.levels = levels.map((level) => {
      if (!(level instanceof PdIndex) || level.kind === 'multi') throw new PickleError('MultiIndex level is not an Index');
      return level;
    });
    index.codes = codes.map((code) => {
      if (!(code instanceof NDArray) || code.ndim !== 1) throw new PickleError('MultiIndex codes are not an array');
      return code;
    });
    index.names = Array.isArray(names) ? names : [];
  } else {
    index.data = asArrayData(d.get('data'));
  }
  return index;
}

/** A DataFrame or Series: `cls.__new__` then BUILD with its attribute dict. */
export class PdFrame {
  state: unknown = null;
  constructor(readonly pythonType: 'pandas.DataFrame' | 'pandas.Series') {}
  setState(state: unknown): void {
    this.state = state;
  }
}

export class PdBlock {
  readonly pythonType = 'pandas.Block';
  constructor(
    readonly values: unknown,
    readonly placement: unknown,
  ) {}
}

/** BlockManager / SingleBlockManager: blocks and axes, by `__reduce__` args or the 0.14.1 state. */
export class PdManager {
  readonly pythonType: string;
  blocks: PdBlock[] = [];
  axes: PdIndex[] = [];
  constructor(readonly single: boolean) {
    this.pythonType = single ? 'pandas.SingleBlockManager' : 'pandas.BlockManager';
  }

  static fromArgs(single: boolean, args: readonly unknown[]): PdManager {
    const [blocks, axes] = args;
    const manager = new PdManager(single);
    if (blocks instanceof PdBlock) {
      // The Cython __reduce__ writes (block, axis) for one-dimensional managers.
      manager.blocks = [blocks];
      manager.axes = [expectIndex(axes)];
      return manager;
    }
    if (!Array.isArray(blocks) || !Array.isArray(axes)) throw new PickleError('BlockManager arguments are malformed');
    manager.blocks = blocks.map((block) => {
      if (!(block instanceof PdBlock)) throw new PickleError('BlockManager block is not a Block');
      return block;
    });
    manager.axes = axes.map(expectIndex);
    return manager;
  }

  /** `(axes, values, items, {'0.14.1': {'axes': [...], 'blocks': [{'values', 'mgr_locs'}]}})`. */
  setState(state: unknown): void {
    const extra = Array.isArray(state) && state.length >= 4 ? state[3] : undefined;
    const layout = extra instanceof Map ? extra.get('0.14.1') : undefined;
    if (!(layout instanceof Map)) throw new PickleError('this pandas pickle layout (before pandas 0.14.1) is not read');
    const axes = layout.get('axes');
    const blocks = layout.get('blocks');
    if (!Array.isArray(axes) || !Array.isArray(blocks)) throw new PickleError('BlockManager state is malformed');
    this.axes = axes.map(expectIndex);
    this.blocks = blocks.map((block) => {
      if (!(block instanceof Map)) throw new PickleError('BlockManager block state is malformed');
      return new PdBlock(block.get('values'), block.get('mgr_locs'));
    });
  }
}

function expectIndex(value: unknown): PdIndex {
  if (value instanceof PdIndex) return value;
  // Old pickles may hold an axis as a bare array of labels.
  if (value instanceof NDArray || Array.isArray(value)) {
    const index = new PdIndex('values', 'pandas.core.indexes.base.Index', null);
    index.data = asArrayData(value);
    return index;
  }
  throw new PickleError(`an axis of ${pythonTypeName(value)} is not an Index`);
}

/** `__pyx_unpickle_NDArrayBacked(cls, checksum, state)`: Cython's reduce for NDArrayBacked arrays. */
function unpickleNDArrayBacked([cls, , state]: readonly unknown[]): PdArray {
  if (!(cls instanceof PyGlobal)) throw new PickleError('__pyx_unpickle_NDArrayBacked() expects a class');
  const kind = ARRAY_CLASSES[cls.qualifiedName];
  if (!kind || kind === 'masked') throw new PickleError(`${cls.qualifiedName} is not read`);
  const array = new PdArray(kind, cls.qualifiedName);
  if (state !== null && state !== undefined) array.setState(state);
  return array;
}

const ARRAY_CLASSES: Readonly<Record<string, ArrayKind>> = {
  'pandas.core.arrays.datetimes.DatetimeArray': 'datetime',
  'pandas.core.arrays.timedeltas.TimedeltaArray': 'timedelta',
  'pandas.core.arrays.categorical.Categorical': 'categorical',
  'pandas.core.arrays.string_.StringArray': 'numpy',
  'pandas.core.arrays.numpy_.PandasArray': 'numpy',
  'pandas.core.arrays.numpy_.NumpyExtensionArray': 'numpy',
  'pandas.core.arrays.integer.IntegerArray': 'masked',
  'pandas.core.arrays.floating.FloatingArray': 'masked',
  'pandas.core.arrays.boolean.BooleanArray': 'masked',
};

const DTYPE_CLASSES = [
  'pandas.core.dtypes.dtypes.CategoricalDtype',
  'pandas.core.dtypes.dtypes.DatetimeTZDtype',
  'pandas.core.arrays.integer.Int8Dtype',
  'pandas.core.arrays.integer.Int16Dtype',
  'pandas.core.arrays.integer.Int32Dtype',
  'pandas.core.arrays.integer.Int64Dtype',
  'pandas.core.arrays.integer.UInt8Dtype',
  'pandas.core.arrays.integer.UInt16Dtype',
  'pandas.core.arrays.integer.UInt32Dtype',
  'pandas.core.arrays.integer.UInt64Dtype',
  'pandas.core.arrays.floating.Float32Dtype',
  'pandas.core.arrays.floating.Float64Dtype',
  'pandas.core.arrays.boolean.BooleanDtype',
  'pandas.core.arrays.string_.StringDtype',
];

/** Frequencies a DatetimeIndex may carry: kept as inert names, never evaluated. */
const OFFSET_CLASSES = [
  'Day',
  'Hour',
  'Minute',
  'Second',
  'Milli',
  'Micro',
  'Nano',
  'Week',
  'BusinessDay',
  'BusinessHour',
  'MonthEnd',
  'MonthBegin',
  'BusinessMonthEnd',
  'BusinessMonthBegin',
  'SemiMonthEnd',
  'SemiMonthBegin',
  'QuarterEnd',
  'QuarterBegin',
  'BQuarterEnd',
  'BQuarterBegin',
  'YearEnd',
  'YearBegin',
  'BYearEnd',
  'BYearBegin',
  'Tick',
  'DateOffset',
];

function bigintOf(value: unknown, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new PickleError(`${what} is not an int`);
}

function unitOfReso(reso: unknown): string {
  const unit = NPY_UNITS[typeof reso === 'number' ? reso : NS_RESO];
  if (!unit) throw new PickleError(`pandas time resolution ${String(reso)} is not read`);
  return unit;
}

const inert = (qualifiedName: string): GlobalSpec => ({
  call: (args) => new InertObject(qualifiedName, args),
  create: (args) => new InertObject(qualifiedName, args),
});

export const PANDAS_GLOBALS: GlobalTable = {
  'pandas.core.frame.DataFrame': { create: () => new PdFrame('pandas.DataFrame') },
  'pandas.core.series.Series': { create: () => new PdFrame('pandas.Series') },
  'pandas.core.internals.managers.BlockManager': {
    call: (args) => PdManager.fromArgs(false, args),
    create: () => new PdManager(false),
  },
  'pandas.core.internals.managers.SingleBlockManager': {
    call: (args) => PdManager.fromArgs(true, args),
    create: () => new PdManager(true),
  },
  'pandas._libs.internals._unpickle_block': { call: ([values, placement]) => new PdBlock(values, placement) },
  'pandas.core.indexes.base._new_Index': { call: newIndex },
  'pandas.core.indexes.datetimes._new_DatetimeIndex': { call: newIndex },
  ...Object.fromEntries(Object.keys(INDEX_CLASSES).map((name): [string, GlobalSpec] => [name, {}])),
  'pandas._libs.arrays.__pyx_unpickle_NDArrayBacked': { call: unpickleNDArrayBacked },
  ...Object.fromEntries(
    Object.entries(ARRAY_CLASSES).map(([name, kind]): [string, GlobalSpec] => [
      name,
      {
        create: () => new PdArray(kind, name),
        // Nullable arrays may also be rebuilt by calling the class with (values, mask).
        call: ([values, mask]) => {
          const array = new PdArray(kind, name);
          if (kind !== 'masked' || !(values instanceof NDArray) || !(mask instanceof NDArray))
            throw new PickleError(`calling ${name} is not read`);
          array.ndarray = values;
          array.mask = mask;
          return array;
        },
      },
    ]),
  ),
  ...Object.fromEntries(
    DTYPE_CLASSES.map((name): [string, GlobalSpec] => [
      name,
      {
        create: () => new PdDtype(name),
        call: () => new PdDtype(name),
      },
    ]),
  ),
  'pandas._libs.missing.NA': { value: PY_MISSING },
  'pandas._libs.tslibs.nattype.__nat_unpickle': { call: () => PY_MISSING },
  'pandas._libs.tslibs.timestamps._unpickle_timestamp': {
    // The value counts `reso` units since the epoch in UTC, whatever the zone.
    call: ([value, , , reso]) => datetime64ToInstant(bigintOf(value, 'Timestamp value'), unitOfReso(reso), 1),
  },
  'pandas._libs.tslibs.timedeltas._timedelta_unpickle': {
    call: ([value, reso]) => {
      const perUnit = NANOS_PER_UNIT[unitOfReso(reso)];
      if (perUnit === undefined) throw new PickleError('Timedelta resolution is not read');
      return new PyTimeDelta(bigintOf(value, 'Timedelta value') * perUnit);
    },
  },
  ...Object.fromEntries(
    OFFSET_CLASSES.map((name): [string, GlobalSpec] => [
      `pandas._libs.tslibs.offsets.${name}`,
      inert(`pandas._libs.tslibs.offsets.${name}`),
    ]),
  ),
};

// ---------------------------------------------------------------------------
// Tables: DataFrames and Series as named columns.

/** One column: its length and a reader that gives row i in the context's form. */
export interface ColumnSource {
  readonly length: number;
  reader(context: ReadContext): (i: number) => unknown;
  /**
   * FLOAT for numpy float columns: their whole-number values (1.0) would otherwise be
   * inferred as INT, since a JS number does not say it was a float.
   */
  readonly declaredType?: 'FLOAT';
}

export interface TableModel {
  readonly pythonType: string;
  /** Column names, already unique (`name`, `name_2`; empty → `column_N`), index columns first. */
  readonly names: string[];
  readonly columns: ColumnSource[];
  readonly rowCount: number;
}

function viewSource(view: ArrayView): ColumnSource {
  const float = view.array.dtype.kind === 'f';
  return { length: view.length, reader: (context) => viewReader(view, context), ...(float ? { declaredType: 'FLOAT' as const } : {}) };
}

function ndarraySource(array: NDArray | null, item: number, items: number): ColumnSource {
  if (!array) throw new PickleError('an array has no data');
  if (array.ndim === 2) {
    if (array.shape[0] !== items) throw new PickleError(`a block of ${array.shape[0]} columns is placed at ${items}`);
    return viewSource(rowView(array, item));
  }
  if (array.ndim === 1) {
    if (items !== 1) throw new PickleError(`a one-dimensional block is placed at ${items} columns`);
    return viewSource(wholeView(array));
  }
  throw new PickleError(`a ${array.ndim}-dimensional array is not a column`);
}

/** Column `item` of `items` in block values of any kind pandas stores. */
function valuesSource(values: unknown, item: number, items: number): ColumnSource {
  if (values instanceof NDArray) return ndarraySource(values, item, items);
  if (values instanceof PdIndex && values.kind === 'values') return valuesSource(values.data, item, items);
  if (values instanceof PdArray) {
    if (values.kind === 'categorical') {
      const codes = ndarraySource(values.ndarray, item, items);
      const dtype = values.dtype;
      if (!(dtype instanceof PdDtype) || !(dtype.categories instanceof PdIndex)) throw new PickleError('Categorical has no categories');
      const categories = dtype.categories;
      return {
        length: codes.length,
        reader: (context) => {
          const labels = indexValues(categories, context);
          const code = codes.reader(context.withMode('cell'));
          return (i) => {
            const c = code(i);
            if (typeof c !== 'number') throw new PickleError('Categorical codes are not integers');
            if (c < 0) return null;
            if (c >= labels.length) throw new PickleError('Categorical code out of range');
            const label = labels[c];
            if (typeof label === 'string') context.spend(label.length);
            return label;
          };
        },
      };
    }
    if (values.kind === 'masked') {
      const data = ndarraySource(values.ndarray, item, items);
      if (!values.mask) throw new PickleError(`${values.pythonType} has no mask`);
      const mask = ndarraySource(values.mask, item, items);
      if (mask.length !== data.length) throw new PickleError(`${values.pythonType} mask length differs from its data`);
      return {
        length: data.length,
        reader: (context) => {
          const read = data.reader(context);
          const masked = mask.reader(context.withMode('cell'));
          return (i) => (masked(i) ? null : read(i));
        },
      };
    }
    return ndarraySource(values.ndarray, item, items);
  }
  throw new PickleError(`a block of ${pythonTypeName(values)} is not read`);
}

function indexLength(index: PdIndex): number {
  if (index.kind === 'range') return Math.max(0, Math.ceil((index.stop - index.start) / index.step));
  if (index.kind === 'multi') return index.codes[0]?.size ?? 0;
  return valuesSource(index.data, 0, 1).length;
}

/** One column per level of an index. */
function indexColumns(index: PdIndex): ColumnSource[] {
  if (index.kind === 'range') {
    const { start, step } = index;
    return [{ length: indexLength(index), reader: () => (i) => start + i * step }];
  }
  if (index.kind === 'multi') {
    const length = indexLength(index);
    return index.levels.map((level, k) => {
      const codes = ndarraySource(index.codes[k] ?? null, 0, 1);
      if (codes.length !== length) throw new PickleError('MultiIndex codes differ in length');
      return {
        length,
        reader: (context) => {
          const labels = indexValues(level, context);
          const code = codes.reader(context.withMode('cell'));
          return (i) => {
            const c = code(i);
            if (typeof c !== 'number' || c >= labels.length) throw new PickleError('MultiIndex code out of range');
            return c < 0 ? null : labels[c];
          };
        },
      };
    });
  }
  return [valuesSource(index.data, 0, 1)];
}

/** All values of an index, read in the context's form (one level; a MultiIndex gives tuples). */
export function indexValues(index: PdIndex, context: ReadContext): unknown[] {
  const length = indexLength(index);
  context.spend(8 * length);
  const columns = indexColumns(index);
  const readers = columns.map((column) => column.reader(context));
  const out = new Array<unknown>(length);
  for (let i = 0; i < length; i++)
    out[i] = readers.length === 1 ? (readers[0] as (i: number) => unknown)(i) : readers.map((read) => read(i));
  return out;
}

/** Values of a bare extension array (a Categorical, a DatetimeArray) in the context's form. */
export function arrayValues(array: PdArray, context: ReadContext): unknown[] {
  const source = valuesSource(array, 0, 1);
  context.spend(8 * source.length);
  const read = source.reader(context);
  return Array.from({ length: source.length }, (_, i) => read(i));
}

/** A label as a column name: strings as they are, anything else as its JSON text. */
export function labelText(label: unknown): string {
  return typeof label === 'string' ? label : JSON.stringify(label ?? null);
}

/** The contract's header rule: empty names become `column_N`, repeats `name_2`, `name_3`. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw, i) => {
    let name = raw === '' ? `column_${i + 1}` : raw;
    if (seen.has(name)) {
      let n = 2;
      while (seen.has(`${name}_${n}`)) n++;
      name = `${name}_${n}`;
    }
    seen.add(name);
    return name;
  });
}

function isDefaultRange(index: PdIndex, length: number): boolean {
  return index.kind === 'range' && index.start === 0 && index.step === 1 && index.name === null && indexLength(index) === length;
}

/** Names of the index columns, as DataFrame.reset_index() would give them. */
function indexNames(index: PdIndex, context: ReadContext, taken: ReadonlySet<string>): string[] {
  const convert = (label: unknown) => labelText(context.convert(label));
  if (index.kind === 'multi') return index.levels.map((_, k) => (index.names[k] == null ? `level_${k}` : convert(index.names[k])));
  if (index.name !== null) return [convert(index.name)];
  return [taken.has('index') ? 'level_0' : 'index'];
}

function managerOf(frame: PdFrame): PdManager {
  const state = frame.state;
  const manager = state instanceof Map ? (state.get('_mgr') ?? state.get('_data')) : state;
  if (!(manager instanceof PdManager)) throw new PickleError(`this ${frame.pythonType} pickle layout is not read`);
  return manager;
}

function placementPositions(placement: unknown, count: number, context: ReadContext): number[] {
  if (typeof placement === 'number') return [placement];
  if (placement instanceof PySlice) {
    const int = (v: unknown, fallback: number) => (v === null || v === undefined ? fallback : expectInt(v, 'block placement'));
    const step = int(placement.step, 1);
    if (step === 0) throw new PickleError('block placement step is zero');
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + count : v, step < 0 ? -1 : 0), step < 0 ? count - 1 : count);
    const start = clamp(int(placement.start, step < 0 ? count - 1 : 0));
    const stop = clamp(int(placement.stop, step < 0 ? -1 : count));
    const positions: number[] = [];
    for (let p = start; step > 0 ? p < stop : p > stop; p += step) positions.push(p);
    return positions;
  }
  if (placement instanceof NDArray) {
    const read = viewReader(wholeView(placement), context.withMode('cell'));
    return Array.from({ length: placement.size }, (_, i) => expectInt(read(i), 'block placement'));
  }
  if (Array.isArray(placement)) return placement.map((p) => expectInt(p, 'block placement'));
  throw new PickleError('block placement is malformed');
}

/** A DataFrame as a table: the index first when it is not the default RangeIndex, then the columns. */
export function frameModel(frame: PdFrame, context: ReadContext): TableModel {
  const manager = managerOf(frame);
  if (frame.pythonType === 'pandas.Series') return seriesModel(frame, manager, context);
  const [items, index] = manager.axes;
  if (manager.single || !items || !index || manager.axes.length !== 2) throw new PickleError('DataFrame axes are malformed');
  const columnCount = indexLength(items);
  const rowCount = indexLength(index);
  const columns = new Array<ColumnSource | undefined>(columnCount);
  for (const block of manager.blocks) {
    const positions = placementPositions(block.placement, columnCount, context);
    positions.forEach((position, k) => {
      if (!Number.isInteger(position) || position < 0 || position >= columnCount) throw new PickleError('block placement out of range');
      const source = valuesSource(block.values, k, positions.length);
      if (source.length !== rowCount) throw new PickleError(`a column holds ${source.length} rows where the index has ${rowCount}`);
      columns[position] = source;
    });
  }
  const labels = indexValues(items, context.withMode('json')).map(labelText);
  const dataColumns = Array.from(columns, (column, i) => {
    if (!column) throw new PickleError(`DataFrame column ${labels[i] ?? i} has no block`);
    return column;
  });
  if (isDefaultRange(index, rowCount)) return { pythonType: frame.pythonType, names: uniqueNames(labels), columns: dataColumns, rowCount };
  const keptIndex = indexColumns(index);
  const names = indexNames(index, context.withMode('json'), new Set(labels));
  return { pythonType: frame.pythonType, names: uniqueNames([...names, ...labels]), columns: [...keptIndex, ...dataColumns], rowCount };
}

/** A Series as a table: `index` (when not default) and one column named after the Series ("value" when unnamed). */
function seriesModel(series: PdFrame, manager: PdManager, context: ReadContext): TableModel {
  const [index] = manager.axes;
  const [block] = manager.blocks;
  if (!index || !block || manager.blocks.length !== 1) throw new PickleError('Series manager is malformed');
  const rowCount = indexLength(index);
  const values = valuesSource(block.values, 0, 1);
  if (values.length !== rowCount) throw new PickleError(`a Series holds ${values.length} values where its index has ${rowCount}`);
  // pandas lists the name in `_metadata`: 'name' in 1.x and 2.x, '_name' in older pickles.
  const rawName = series.state instanceof Map ? (series.state.get('name') ?? series.state.get('_name') ?? null) : null;
  const name = rawName === null ? 'value' : labelText(context.withMode('json').convert(rawName));
  if (isDefaultRange(index, rowCount)) return { pythonType: series.pythonType, names: [name], columns: [values], rowCount };
  const names = indexNames(index, context.withMode('json'), new Set([name]));
  return { pythonType: series.pythonType, names: uniqueNames([...names, name]), columns: [...indexColumns(index), values], rowCount };
}
