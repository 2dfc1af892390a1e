// numpy in a pickle: dtypes, ndarrays (numpy's `_reconstruct` + state and the
// protocol-5 `_frombuffer` forms, numpy 1 `numpy.core.*` and numpy 2 `numpy._core.*`
// names) and scalars, rebuilt as TypeScript objects over the pickle's raw bytes, plus
// the element readers that turn those bytes into JSON values or table cells.
// Numbers are read through typed arrays over one aligned copy, never per byte.
import { datetime64ToInstant, formatDuration, formatInstant, instantCell, splitNanoseconds, timedelta64ToNanos } from './time.js';
import { type CallContext, type GlobalTable, PickleError, PyBytes, PyComplex } from './values.js';

/** Largest element count an array may claim before its data is even looked at. */
const MAX_ELEMENTS = 2 ** 40;

const DATETIME_UNITS = new Set(['Y', 'M', 'W', 'D', 'h', 'm', 's', 'ms', 'us', 'μs', 'ns']);

function decodeText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof PyBytes) return Buffer.from(value.bytes.buffer, value.bytes.byteOffset, value.bytes.byteLength).toString('latin1');
  return undefined;
}

/** numpy.dtype: kind, item size and byte order; datetimes carry their unit. */
export class DType {
  readonly pythonType = 'numpy.dtype';
  kind: string;
  itemsize: number;
  littleEndian = true;
  unit = '';
  unitCount = 1;
  /** Structured or sub-array dtypes, which bucketql does not read. */
  structured = false;

  constructor(spec: string) {
    const match = /^([?bBhHiIlLqQpPeEfdgFDGSaUVOMmcu])(\d*)(?:\[(\d*)(\w+)\])?$/.exec(spec) ?? /^([biufcOMmSUV])(\d*)$/.exec(spec);
    if (!match) throw new PickleError(`numpy dtype '${spec}' is not supported`);
    const code = match[1] as string;
    const size = match[2] ? Number(match[2]) : 0;
    // numpy's own reduce writes kind + size ('i8', 'U4'); single-letter codes are accepted too.
    const single: Record<string, [string, number]> = {
      '?': ['b', 1],
      b: ['i', 1],
      B: ['u', 1],
      h: ['i', 2],
      H: ['u', 2],
      l: ['i', 8],
      L: ['u', 8],
      q: ['i', 8],
      Q: ['u', 8],
      e: ['f', 2],
      d: ['f', 8],
      g: ['f', 16],
    };
    if (match[2] === '' && code in single && code !== 'b') {
      const [kind, itemsize] = single[code] as [string, number];
      this.kind = kind;
      this.itemsize = itemsize;
    } else {
      // In numpy's reduce form 'b1' is bool, 'i1' int8, 'u1' uint8.
      this.kind = code === 'b' ? 'b' : code === 'a' ? 'S' : code;
      this.itemsize = this.kind === 'U' ? size * 4 : size;
      if (this.kind === 'O') this.itemsize = 8;
    }
    if (match[4]) {
      this.unit = match[4];
      this.unitCount = match[3] ? Number(match[3]) : 1;
    }
    if (!'biufcOMmSUV'.includes(this.kind)) throw new PickleError(`numpy dtype '${spec}' is not supported`);
  }

  /** numpy's dtype state: (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]). */
  setState(state: unknown): void {
    if (!Array.isArray(state) || state.length < 5) throw new PickleError('numpy dtype state is malformed');
    const hasVersion = typeof state[0] === 'number' && typeof state[1] === 'string';
    const fields = hasVersion ? state.slice(1) : state;
    const [byteorder, subarray, names, fieldMap, elsize] = fields as unknown[];
    if (byteorder === '>') this.littleEndian = false;
    else if (byteorder === '<' || byteorder === '|' || byteorder === '=') this.littleEndian = true;
    if (subarray !== null && subarray !== undefined) this.structured = true;
    if ((names !== null && names !== undefined) || (fieldMap !== null && fieldMap !== undefined)) this.structured = true;
    if (typeof elsize === 'number' && elsize > 0 && 'SUV'.includes(this.kind)) this.itemsize = elsize;
    const metadata = fields[fields.length - 1];
    if ((this.kind === 'M' || this.kind === 'm') && Array.isArray(metadata) && metadata.length === 2 && Array.isArray(metadata[1])) {
      const [unit, count] = metadata[1] as unknown[];
      const text = decodeText(unit);
      if (text !== undefined) {
        if (text !== 'generic' && !DATETIME_UNITS.has(text)) throw new PickleError(`numpy datetime unit '${text}' is not supported`);
        this.unit = text === 'generic' ? '' : text;
      }
      if (typeof count === 'number' && count > 0) this.unitCount = count;
    }
  }

  get description(): string {
    if (this.kind === 'M' || this.kind === 'm') return `${this.kind === 'M' ? 'datetime64' : 'timedelta64'}[${this.unit || 'generic'}]`;
    return `${this.kind}${this.itemsize}`;
  }
}

function checkShape(shape: unknown): number[] {
  if (typeof shape === 'number') return checkShape([shape]);
  if (!Array.isArray(shape)) throw new PickleError('numpy array shape is not a tuple');
  let size = 1;
  const dims = shape.map((dim) => {
    const n = typeof dim === 'bigint' ? Number(dim) : dim;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new PickleError('numpy array shape is malformed');
    size *= n;
    return n;
  });
  if (size > MAX_ELEMENTS) throw new PickleError(`numpy array claims ${size} elements`);
  return dims;
}

function toBytes(raw: unknown): Uint8Array {
  if (raw instanceof PyBytes) return raw.bytes;
  // Python 2 pickles hold array data as a str of bytes, which the unpickler reads as latin-1.
  if (typeof raw === 'string') return Buffer.from(raw, 'latin1');
  throw new PickleError('numpy array data is not bytes');
}

/** numpy.ndarray: shape, dtype, memory order and the raw bytes (or the objects of an object array). */
export class NDArray {
  readonly pythonType = 'numpy.ndarray';
  dtype: DType = new DType('f8');
  shape: number[] = [0];
  fortran = false;
  raw: Uint8Array | null = new Uint8Array(0);
  objects: readonly unknown[] | null = null;
  private alignedCopy: ArrayBuffer | null = null;

  get size(): number {
    let size = 1;
    for (const dim of this.shape) size *= dim;
    return size;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Sets shape, dtype and data together, checking that they agree as numpy would. */
  assign(shape: unknown, dtype: unknown, fortran: boolean, data: unknown): void {
    if (!(dtype instanceof DType)) throw new PickleError('numpy array dtype is not a numpy.dtype');
    if (dtype.structured) throw new PickleError('numpy structured arrays are not read');
    this.shape = checkShape(shape);
    this.dtype = dtype;
    this.fortran = fortran;
    this.alignedCopy = null;
    const size = this.size;
    if (dtype.kind === 'O') {
      if (!Array.isArray(data)) throw new PickleError('numpy object array data is not a list');
      if (data.length !== size) throw new PickleError(`numpy object array holds ${data.length} items for shape (${this.shape.join(', ')})`);
      // numpy lists object items in C order even when the array is flagged Fortran.
      this.fortran = false;
      this.objects = data;
      this.raw = null;
      return;
    }
    const bytes = toBytes(data);
    if (bytes.byteLength !== size * dtype.itemsize) {
      throw new PickleError(`numpy array data has ${bytes.byteLength} bytes for ${size} items of ${dtype.description}`);
    }
    this.raw = bytes;
    this.objects = null;
  }

  /** numpy's ndarray state: ([version,] shape, dtype, is_fortran, rawdata). */
  setState(state: unknown): void {
    if (!Array.isArray(state)) throw new PickleError('numpy array state is malformed');
    const fields = state.length === 5 ? state.slice(1) : state;
    if (fields.length !== 4) throw new PickleError('numpy array state is malformed');
    const [shape, dtype, fortran, data] = fields;
    this.assign(shape, dtype, fortran === true || fortran === 1, data);
  }

  /** The bytes copied once to an aligned, little-endian buffer that typed arrays can view. */
  aligned(): ArrayBuffer {
    if (this.alignedCopy) return this.alignedCopy;
    const raw = this.raw ?? new Uint8Array(0);
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    const width = this.dtype.kind === 'c' ? this.dtype.itemsize / 2 : this.dtype.itemsize;
    if (!this.dtype.littleEndian && width > 1 && this.dtype.kind !== 'S') {
      const unit = this.dtype.kind === 'U' ? 4 : width;
      for (let i = 0; i + unit <= copy.length; i += unit) copy.subarray(i, i + unit).reverse();
    }
    this.alignedCopy = copy.buffer;
    return copy.buffer;
  }
}

/** `numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')`: an empty array that BUILD fills. */
export function reconstructArray(args: readonly unknown[]): NDArray {
  const [subtype] = args;
  const name = (subtype as { qualifiedName?: unknown } | undefined)?.qualifiedName;
  if (name !== 'numpy.ndarray') throw new PickleError(`numpy array subclass ${String(name ?? 'unknown')} is not read`);
  return new NDArray();
}

/** Protocol 5: `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)`. */
export function arrayFromBuffer(args: readonly unknown[], context: CallContext): NDArray {
  const [buffer, dtype, shape, order] = args;
  const array = new NDArray();
  array.assign(shape, dtype, order === 'F', buffer);
  // A memoized buffer may back many arrays: each one counts, so sharing cannot multiply work for free.
  context.charge(array.raw?.byteLength ?? 0);
  return array;
}

/** `numpy.core.multiarray.scalar(dtype, bytes)`: one numpy scalar, read as its Python value. */
export function numpyScalar(args: readonly unknown[]): unknown {
  const [dtype, data] = args;
  if (!(dtype instanceof DType)) throw new PickleError('numpy scalar dtype is not a numpy.dtype');
  if (dtype.kind === 'O') return data;
  const array = new NDArray();
  array.assign([], dtype, false, data);
  return new NumpyScalar(array);
}

/** A numpy scalar (np.int64(5), np.datetime64(...)): a 0-d array, read like one. */
export class NumpyScalar {
  readonly pythonType: string;
  constructor(readonly array: NDArray) {
    this.pythonType = `numpy.${array.dtype.description}`;
  }
}

export type ReadMode = 'json' | 'cell';

/**
 * How values are read: as JSON values (`json`: big ints as decimal strings, datetimes
 * as ISO text) or as table cells (`cell`: bigint, Date); `convert` turns a Python
 * object (an object-array element) into the same form, and `spend` charges the
 * output budget for what is produced.
 */
export interface ReadContext {
  readonly mode: ReadMode;
  convert(value: unknown): unknown;
  spend(cost: number): void;
  /** The same budget, reading in another mode (labels are always read as JSON). */
  withMode(mode: ReadMode): ReadContext;
}

/** A run of elements in memory: element i of the view is raw element base + i·stride. */
export interface ArrayView {
  readonly array: NDArray;
  readonly base: number;
  readonly stride: number;
  readonly length: number;
}

export function wholeView(array: NDArray): ArrayView {
  return { array, base: 0, stride: 1, length: array.size };
}

/** Row `row` of a 2-D array (pandas stores a block as items × rows). */
export function rowView(array: NDArray, row: number): ArrayView {
  const [rows = 0, columns = 0] = array.shape;
  if (row < 0 || row >= rows) throw new PickleError('block row out of range');
  return array.fortran ? { array, base: row, stride: rows, length: columns } : { array, base: row * columns, stride: 1, length: columns };
}

const TWO_32 = 4_294_967_296;

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** A reader for the elements of a view, in the context's mode. NaN, infinities and NaT read as null. */
export function viewReader(view: ArrayView, context: ReadContext): (i: number) => unknown {
  const { mode } = context;
  const { array, base, stride } = view;
  const { dtype } = array;
  const at = (i: number) => base + i * stride;
  if (dtype.kind === 'O') {
    const objects = array.objects ?? [];
    return (i) => context.convert(objects[at(i)]);
  }
  const buffer = array.aligned();
  switch (dtype.kind) {
    case 'b': {
      const bytes = new Uint8Array(buffer);
      return (i) => bytes[at(i)] !== 0;
    }
    case 'i':
    case 'u': {
      const signed = dtype.kind === 'i';
      if (dtype.itemsize === 1) {
        const values = signed ? new Int8Array(buffer) : new Uint8Array(buffer);
        return (i) => values[at(i)];
      }
      if (dtype.itemsize === 2) {
        const values = signed ? new Int16Array(buffer) : new Uint16Array(buffer);
        return (i) => values[at(i)];
      }
      if (dtype.itemsize === 4) {
        const values = signed ? new Int32Array(buffer) : new Uint32Array(buffer);
        return (i) => values[at(i)];
      }
      if (dtype.itemsize === 8) {
        const lows = new Uint32Array(buffer);
        const highs = signed ? new Int32Array(buffer) : new Uint32Array(buffer);
        const wide = signed ? new BigInt64Array(buffer) : new BigUint64Array(buffer);
        return (i) => {
          const k = at(i);
          const hi = highs[2 * k + 1] as number;
          // Within ±2^53 the two halves give the exact number; beyond, a bigint.
          if (hi >= -0x200000 && hi < 0x200000) return hi * TWO_32 + (lows[2 * k] as number);
          const big = wide[k] as bigint;
          return mode === 'json' ? big.toString() : big;
        };
      }
      break;
    }
    case 'f': {
      if (dtype.itemsize === 8) {
        const values = new Float64Array(buffer);
        return (i) => finiteOrNull(values[at(i)] as number);
      }
      if (dtype.itemsize === 4) {
        const values = new Float32Array(buffer);
        // float32 read as the shortest decimal that is the same float32, as numpy prints it.
        return (i) => {
          const value = values[at(i)] as number;
          return Number.isFinite(value) ? shortestFloat32(value) : null;
        };
      }
      if (dtype.itemsize === 2) {
        const values = new Uint16Array(buffer);
        return (i) => finiteOrNull(halfToFloat(values[at(i)] as number));
      }
      break;
    }
    case 'c': {
      const parts = dtype.itemsize === 16 ? new Float64Array(buffer) : dtype.itemsize === 8 ? new Float32Array(buffer) : null;
      if (!parts) break;
      return (i) => complexValue(new PyComplex(parts[2 * at(i)] as number, parts[2 * at(i) + 1] as number));
    }
    case 'M': {
      if (dtype.itemsize !== 8) break;
      const lows = new Uint32Array(buffer);
      const highs = new Int32Array(buffer);
      const wide = new BigInt64Array(buffer);
      const split = new Float64Array(2);
      const { unit, unitCount } = dtype;
      if (unit === '') return () => null;
      const nsFast = unit === 'ns' && unitCount === 1;
      return (i) => {
        const k = at(i);
        const hi = highs[2 * k + 1] as number;
        const lo = lows[2 * k] as number;
        if (hi === -0x80000000 && lo === 0) return null; // NaT
        let epochMs: number;
        let subMs: number;
        if (nsFast) {
          splitNanoseconds(lo, hi, split);
          epochMs = split[0] as number;
          subMs = split[1] as number;
        } else {
          const instant = datetime64ToInstant(wide[k] as bigint, unit, unitCount);
          epochMs = instant.epochMs;
          subMs = instant.subMsNanos;
        }
        return mode === 'json' ? formatInstant(epochMs, subMs) : instantCell(epochMs, subMs);
      };
    }
    case 'm': {
      if (dtype.itemsize !== 8) break;
      const wide = new BigInt64Array(buffer);
      const { unit, unitCount } = dtype;
      return (i) => {
        const value = wide[at(i)] as bigint;
        if (value === -0x8000000000000000n || unit === '') return null; // NaT
        return formatDuration(timedelta64ToNanos(value, unit, unitCount));
      };
    }
    case 'U': {
      const chars = dtype.itemsize / 4;
      const codes = new Uint32Array(buffer);
      return (i) => {
        const start = at(i) * chars;
        let end = start + chars;
        while (end > start && codes[end - 1] === 0) end--;
        let text = '';
        for (let k = start; k < end; k++) text += String.fromCodePoint(codes[k] as number);
        return text;
      };
    }
    case 'S': {
      const bytes = new Uint8Array(buffer);
      const width = dtype.itemsize;
      return (i) => {
        const start = at(i) * width;
        let end = start + width;
        while (end > start && bytes[end - 1] === 0) end--;
        return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('base64');
      };
    }
  }
  throw new PickleError(`numpy dtype ${dtype.description} is not read`);
}

/**
 * float32 → the shortest decimal that is the same float32 (1.1 stays 1.1, not
 * 1.100000023841858). Rounding to 6 digits already gives any shorter form, so the
 * search starts there.
 */
function shortestFloat32(value: number): number {
  for (let digits = 6; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

export function complexValue(value: PyComplex): { real: number | null; imag: number | null } {
  return { real: finiteOrNull(value.real), imag: finiteOrNull(value.imag) };
}

/** Element i of an array of any shape in logical (C) order, as a nested JSON value. */
export function arrayToNested(array: NDArray, context: ReadContext): unknown {
  const read = viewReader(wholeView(array), context);
  const { shape } = array;
  if (shape.length === 0) return read(0);
  const strides = new Array<number>(shape.length);
  let step = 1;
  if (array.fortran) {
    for (let d = 0; d < shape.length; d++) {
      strides[d] = step;
      step *= shape[d] as number;
    }
  } else {
    for (let d = shape.length - 1; d >= 0; d--) {
      strides[d] = step;
      step *= shape[d] as number;
    }
  }
  const build = (dim: number, offset: number): unknown[] => {
    const length = shape[dim] as number;
    const stride = strides[dim] as number;
    context.spend(8 * length);
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      out[i] = dim === shape.length - 1 ? read(offset + i * stride) : build(dim + 1, offset + i * stride);
    }
    return out;
  };
  return build(0, 0);
}

function makeDType([spec]: readonly unknown[]): DType {
  if (typeof spec !== 'string') throw new PickleError('numpy dtype is only read from its type string');
  return new DType(spec);
}

/** numpy 1 writes `numpy.core.*`, numpy 2 `numpy._core.*`: both name the same functions. */
export const NUMPY_GLOBALS: GlobalTable = {
  'numpy.core.multiarray._reconstruct': { call: reconstructArray },
  'numpy._core.multiarray._reconstruct': { call: reconstructArray },
  'numpy.core.multiarray.scalar': { call: numpyScalar },
  'numpy._core.multiarray.scalar': { call: numpyScalar },
  'numpy.core.numeric._frombuffer': { call: arrayFromBuffer },
  'numpy._core.numeric._frombuffer': { call: arrayFromBuffer },
  'numpy.ndarray': { create: () => new NDArray() },
  'numpy.dtype': { call: makeDType },
};
