// The unpickling machine: reads opcodes as opcodes.ts describes them and builds the
// Python object model of values.ts, calling nothing but the allow-listed TypeScript
// implementations of globals.ts. It mirrors CPython's pickle.py `_Unpickler` (stack,
// metastack for MARK, memo) with bounds: memo size, work done by constructors, and a
// pickle must end in STOP. Nesting depth and output size are bounded where values are
// expanded (convert.ts), since a small DAG of shared references is cheap to build
// here and only explodes when shown.
import { DecodeFailed } from '../../errors.js';
import { createInstance, finishBuilt, lookupGlobal, qualifiedName } from './globals.js';
import { NDArray } from './numpy.js';
import { type ArgKind, HIGHEST_PROTOCOL, OPCODE_BY_BYTE, type OpcodeName } from './opcodes.js';
import {
  type CallContext,
  isBuildable,
  isTuple,
  makeTuple,
  PickleError,
  PyBytes,
  type PyDict,
  PyFrozenSet,
  PyGlobal,
  pythonTypeName,
} from './values.js';

export interface UnpickleLimits {
  /** Memo entries (Python memoizes every str, tuple, list, dict and object). */
  maxMemo: number;
  /**
   * Containers nested in containers, as far as the machine can see while building:
   * Python's pickler stops near 1000 levels; objects built by REDUCE add a few more.
   */
  maxNesting: number;
  /** Units of work constructors may do (bytes of array data, items copied), beyond the opcodes themselves. */
  maxWork: number;
}

export function defaultUnpickleLimits(inputBytes: number): UnpickleLimits {
  return { maxMemo: 10_000_000, maxNesting: 1100, maxWork: 64 * 1024 * 1024 + 8 * inputBytes };
}

/** Python's int → number when it is exact, else bigint. */
function normaliseInt(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** Python's repr-quoted py2 str (protocol 0 STRING) → its bytes, as latin-1 text. */
function unquoteString(line: string): string {
  const quote = line[0];
  if (line.length < 2 || (quote !== "'" && quote !== '"') || line[line.length - 1] !== quote) {
    throw new PickleError('the STRING opcode argument must be quoted');
  }
  const body = line.slice(1, -1);
  const simple: Record<string, string> = {
    '\\': '\\',
    "'": "'",
    '"': '"',
    n: '\n',
    t: '\t',
    r: '\r',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
    '\n': '',
  };
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.|\n)/g, (_match, sequence: string) => {
    if (sequence[0] === 'x') return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
    if (/^[0-7]/.test(sequence)) return String.fromCharCode(Number.parseInt(sequence, 8) & 0xff);
    return simple[sequence] ?? `\\${sequence}`;
  });
}

/** Protocol 0 UNICODE: raw-unicode-escape, where only \uXXXX and \UXXXXXXXX are escapes. */
function rawUnicodeEscape(latin1: string): string {
  return latin1.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_match, u4: string | undefined, u8: string | undefined) => {
    const code = Number.parseInt((u4 ?? u8) as string, 16);
    if (code > 0x10ffff) throw new PickleError('UNICODE escape out of range');
    return String.fromCodePoint(code);
  });
}

/**
 * UTF-8 with Python's 'surrogatepass', as pickle writes str: Node decodes the common
 * case natively; only text that decoded with U+FFFD is decoded again by hand, so
 * lone surrogates survive instead of turning into replacement characters.
 */
function decodeUtf8(data: Buffer, start: number, end: number): string {
  const text = data.toString('utf8', start, end);
  if (!text.includes('\ufffd')) return text;
  let out = '';
  let i = start;
  while (i < end) {
    const b0 = data[i] as number;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    const need = b0 >= 0xf0 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc0 ? 1 : -1;
    if (need < 0 || i + need >= end) throw new PickleError('str is not valid UTF-8');
    let code = b0 & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const b = data[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) throw new PickleError('str is not valid UTF-8');
      code = (code << 6) | (b & 0x3f);
    }
    out += String.fromCodePoint(code);
    i += need + 1;
  }
  return out;
}

/** Little-endian two's complement bytes (LONG1 / LONG4) → int. */
function decodeLong(data: Buffer, start: number, length: number): number | bigint {
  if (length === 0) return 0;
  if (length <= 6) return data.readIntLE(start, length);
  let hex = '';
  for (let i = start + length - 1; i >= start; i--) hex += (data[i] as number).toString(16).padStart(2, '0');
  let value = BigInt(`0x${hex}`);
  if (((data[start + length - 1] as number) & 0x80) !== 0) value -= 1n << BigInt(8 * length);
  return normaliseInt(value);
}

/** Python's own limit on decimal int text (sys.int_info.default_max_str_digits). */
const MAX_INT_DIGITS = 4300;
/** Binary ints beyond this many bytes (~20,000 digits) are refused rather than converted. */
const MAX_LONG_BYTES = 8192;

/**
 * The nesting depth of a container, kept on the container itself (1 when absent).
 * A chain of 100,000 nested lists is cheap to read but slow for V8's garbage collector
 * to walk, so it is refused while it is built. Depths grow as items are put in; a
 * container filled after it was itself put somewhere is caught later, by the converter.
 */
const DEPTH: unique symbol = Symbol('bucketql.pickleNesting');

type Nested = { [DEPTH]?: number };

class Machine implements CallContext {
  private pos = 0;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo: unknown[] = [];
  private memoSize = 0;
  private work = 0;
  /** Objects pushed again from the memo or by DUP: the only ones a bomb can repeat. */
  readonly shared = new Set<object>();

  constructor(
    private readonly data: Buffer,
    private readonly limits: UnpickleLimits,
  ) {}

  charge(units: number): void {
    this.work += units;
    if (this.work > this.limits.maxWork) {
      throw new PickleError(`pickle needs more work than its ${this.data.length} bytes allow (a pickle bomb?)`);
    }
  }

  resolve(qualified: string): unknown {
    return lookupGlobal(qualified);
  }

  run(): Unpickled {
    const { data } = this;
    let opStart = 0;
    let opName: OpcodeName | 'unknown' = 'unknown';
    try {
      while (true) {
        opStart = this.pos;
        const byte = data[this.pos++];
        if (byte === undefined) throw new PickleError('pickle data was truncated (no STOP opcode)');
        const spec = OPCODE_BY_BYTE[byte];
        if (!spec) throw new PickleError(`invalid opcode byte 0x${byte.toString(16).padStart(2, '0')}`);
        opName = spec.name;
        const arg = this.readArg(spec.arg);
        if (spec.name === 'STOP') return { value: this.pop(), shared: this.shared };
        HANDLERS[spec.name](this, arg);
      }
    } catch (error) {
      const where = { offset: opStart, opcode: opName };
      if (error instanceof PickleError) {
        if (error.where.global) throw new DecodeFailed(error.message, { ...where, ...error.where });
        throw new DecodeFailed(`pickle cannot be read: ${error.message} (byte ${opStart}, ${opName})`, { ...where, ...error.where });
      }
      if (error instanceof DecodeFailed) throw error;
      const reason = error instanceof RangeError ? 'it is too large or too deeply nested' : (error as Error).message;
      throw new DecodeFailed(`pickle cannot be read: ${reason} (byte ${opStart}, ${opName})`, where);
    }
  }

  // -- reading arguments ---------------------------------------------------

  private need(length: number): number {
    const start = this.pos;
    if (length < 0 || start + length > this.data.length) throw new PickleError('pickle data was truncated');
    this.pos = start + length;
    return start;
  }

  private readLine(): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleError('pickle data was truncated (no end of line)');
    const line = this.data.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return line;
  }

  private readLength(width: 1 | 4 | 8): number {
    const start = this.need(width);
    if (width === 1) return this.data[start] as number;
    if (width === 4) return this.data.readUInt32LE(start);
    const length = this.data.readBigUInt64LE(start);
    if (length > BigInt(this.data.length)) throw new PickleError('pickle data was truncated');
    return Number(length);
  }

  private readArg(kind: ArgKind): unknown {
    const { data } = this;
    switch (kind) {
      case 'none':
        return undefined;
      case 'uint1':
        return data[this.need(1)];
      case 'uint2':
        return data.readUInt16LE(this.need(2));
      case 'int4':
        return data.readInt32LE(this.need(4));
      case 'uint4':
        return data.readUInt32LE(this.need(4));
      case 'uint8':
        return Number(data.readBigUInt64LE(this.need(8)));
      case 'float8':
        return data.readDoubleBE(this.need(8));
      case 'long1':
      case 'long4': {
        const length = kind === 'long1' ? this.readLength(1) : data.readInt32LE(this.need(4));
        if (length < 0) throw new PickleError('LONG4 length is negative');
        if (length > MAX_LONG_BYTES) throw new PickleError(`an int of ${length} bytes is too large to read`);
        return decodeLong(data, this.need(length), length);
      }
      case 'string1':
      case 'string4': {
        const length = kind === 'string1' ? this.readLength(1) : data.readInt32LE(this.need(4));
        if (length < 0) throw new PickleError('BINSTRING length is negative');
        const start = this.need(length);
        // Python 2 str: bytes with no declared encoding, read as latin-1 so no byte is lost.
        return data.toString('latin1', start, start + length);
      }
      case 'bytes1':
      case 'bytes4':
      case 'bytes8':
      case 'bytearray8': {
        const length = this.readLength(kind === 'bytes1' ? 1 : kind === 'bytes4' ? 4 : 8);
        const start = this.need(length);
        return new PyBytes(data.subarray(start, start + length), kind === 'bytearray8');
      }
      case 'unicode1':
      case 'unicode4':
      case 'unicode8': {
        const length = this.readLength(kind === 'unicode1' ? 1 : kind === 'unicode4' ? 4 : 8);
        const start = this.need(length);
        return decodeUtf8(data, start, start + length);
      }
      case 'decimalnl_short':
      case 'decimalnl_long': {
        const line = this.readLine().trim();
        if (kind === 'decimalnl_short' && line === '00') return false;
        if (kind === 'decimalnl_short' && line === '01') return true;
        const digits = line.endsWith('L') ? line.slice(0, -1) : line;
        if (!/^[-+]?\d+$/.test(digits)) throw new PickleError(`'${digits.slice(0, 20)}' is not an int`);
        if (digits.length > MAX_INT_DIGITS) throw new PickleError(`an int of ${digits.length} digits is too large to read`);
        return normaliseInt(BigInt(digits));
      }
      case 'floatnl': {
        const line = this.readLine().trim().toLowerCase();
        if (line === 'nan' || line === '-nan') return Number.NaN;
        if (line === 'inf') return Number.POSITIVE_INFINITY;
        if (line === '-inf') return Number.NEGATIVE_INFINITY;
        const value = Number(line);
        if (line === '' || Number.isNaN(value)) throw new PickleError('FLOAT argument is not a number');
        return value;
      }
      case 'stringnl':
        return unquoteString(this.readLine().replace(/\r$/, ''));
      case 'stringnl_noescape':
        return this.readLine();
      case 'stringnl_noescape_pair': {
        const module = this.readLine();
        const name = this.readLine();
        return [Buffer.from(module, 'latin1').toString('utf8'), Buffer.from(name, 'latin1').toString('utf8')];
      }
      case 'unicodestringnl':
        return rawUnicodeEscape(this.readLine());
    }
  }

  // -- the stack ----------------------------------------------------------------

  push(value: unknown): void {
    this.stack.push(value);
  }

  pop(): unknown {
    if (this.stack.length === 0) throw new PickleError('unpickling stack underflow');
    return this.stack.pop();
  }

  top(): unknown {
    if (this.stack.length === 0) throw new PickleError('unpickling stack underflow');
    return this.stack[this.stack.length - 1];
  }

  replaceTop(value: unknown): void {
    if (this.stack.length === 0) throw new PickleError('unpickling stack underflow');
    this.stack[this.stack.length - 1] = value;
  }

  mark(): void {
    this.metastack.push(this.stack);
    this.stack = [];
  }

  /** The items pushed since the last MARK, which is removed. */
  popMark(): unknown[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (!previous) throw new PickleError('could not find MARK');
    this.stack = previous;
    return items;
  }

  memoGet(index: unknown): unknown {
    const value = typeof index === 'number' ? this.memo[index] : undefined;
    if (value === undefined) throw new PickleError(`memo key ${String(index)} is not defined`);
    if (typeof value === 'object' && value !== null) this.shared.add(value);
    return value;
  }

  memoPut(index: unknown): void {
    if (typeof index !== 'number' || index < 0 || index >= this.limits.maxMemo) {
      throw new PickleError(`memo key ${String(index)} is out of bounds (at most ${this.limits.maxMemo} entries)`);
    }
    if (this.memo[index] === undefined) this.memoSize++;
    this.memo[index] = this.top();
  }

  memoize(): void {
    this.memoPut(this.memoSize);
  }

  setProto(proto: number): void {
    if (proto > HIGHEST_PROTOCOL) throw new PickleError(`unsupported pickle protocol: ${proto}`);
  }

  // -- calling allow-listed globals -------------------------------------------

  global(module: unknown, name: unknown): unknown {
    if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError('STACK_GLOBAL requires str');
    return lookupGlobal(qualifiedName(module, name));
  }

  call(callable: unknown, args: unknown): unknown {
    if (!(callable instanceof PyGlobal)) throw new PickleError(`a ${pythonTypeName(callable)} is not callable`);
    if (!Array.isArray(args)) throw new PickleError('call arguments are not a tuple');
    if (!callable.spec.call) throw new PickleError(`calling ${callable.qualifiedName} is not read`);
    const result = callable.spec.call(args, this);
    this.nest(result, args);
    return result;
  }

  newObject(cls: unknown, args: unknown, kwargs: unknown): unknown {
    if (!(cls instanceof PyGlobal)) throw new PickleError(`NEWOBJ on a ${pythonTypeName(cls)}`);
    if (!Array.isArray(args)) throw new PickleError('NEWOBJ arguments are not a tuple');
    const result = createInstance(cls, args, kwargs instanceof Map ? kwargs : null, this);
    this.nest(result, args);
    return result;
  }

  /** Records that `target` now holds `items`, refusing nesting beyond the limit. */
  nest(target: unknown, items: readonly unknown[]): void {
    let deepest = 0;
    for (const item of items) {
      if (typeof item === 'object' && item !== null) {
        const depth = (item as Nested)[DEPTH] ?? 1;
        if (depth > deepest) deepest = depth;
      }
    }
    if (deepest === 0 || typeof target !== 'object' || target === null) return;
    const depth = deepest + 1;
    if (depth > this.limits.maxNesting) throw new PickleError(`pickle nests deeper than ${this.limits.maxNesting} levels`);
    if (depth > ((target as Nested)[DEPTH] ?? 1) && Object.isExtensible(target)) (target as Nested)[DEPTH] = depth;
  }

  /** A tuple of items, its depth recorded before it is frozen. */
  tuple(items: unknown[]): readonly unknown[] {
    this.nest(items, items);
    return makeTuple(items);
  }

  build(): void {
    const state = this.pop();
    const target = this.top();
    if (!isBuildable(target)) throw new PickleError(`cannot set the state of a ${pythonTypeName(target)}`);
    this.nest(target, [state]);
    target.setState(state);
    if (target instanceof NDArray) this.charge(target.raw?.byteLength ?? target.objects?.length ?? 0);
    this.replaceTop(finishBuilt(target));
  }
}

function appendTo(vm: Machine, target: unknown, items: readonly unknown[]): void {
  if (!Array.isArray(target) || isTuple(target)) throw new PickleError(`cannot append to a ${pythonTypeName(target)}`);
  vm.nest(target, items);
  const list = target as unknown[];
  for (const item of items) list.push(item);
}

function setItems(vm: Machine, target: unknown, items: readonly unknown[]): void {
  if (!(target instanceof Map)) throw new PickleError(`cannot set items of a ${pythonTypeName(target)}`);
  if (items.length % 2 !== 0) throw new PickleError('odd number of items for SETITEMS');
  vm.nest(target, items);
  for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
}

function dictFromPairs(vm: Machine, items: readonly unknown[]): PyDict {
  const dict: PyDict = new Map();
  setItems(vm, dict, items);
  return dict;
}

type Handler = (vm: Machine, arg: unknown) => void;

/** What each opcode does, by name (STOP is handled by the loop). */
const HANDLERS: Record<OpcodeName, Handler> = {
  MARK: (vm) => vm.mark(),
  STOP: () => {},
  POP: (vm) => {
    // CPython pops a MARK when the current stack is empty.
    try {
      vm.pop();
    } catch {
      vm.popMark();
    }
  },
  POP_MARK: (vm) => void vm.popMark(),
  DUP: (vm) => {
    const top = vm.top();
    if (typeof top === 'object' && top !== null) vm.shared.add(top);
    vm.push(top);
  },
  FLOAT: (vm, arg) => vm.push(arg),
  INT: (vm, arg) => vm.push(arg),
  BININT: (vm, arg) => vm.push(arg),
  BININT1: (vm, arg) => vm.push(arg),
  LONG: (vm, arg) => vm.push(arg),
  BININT2: (vm, arg) => vm.push(arg),
  NONE: (vm) => vm.push(null),
  PERSID: () => {
    throw new PickleError('pickle uses persistent IDs, which need the program that wrote it');
  },
  BINPERSID: () => {
    throw new PickleError('pickle uses persistent IDs, which need the program that wrote it');
  },
  REDUCE: (vm) => {
    const args = vm.pop();
    vm.replaceTop(vm.call(vm.top(), args));
  },
  STRING: (vm, arg) => vm.push(arg),
  BINSTRING: (vm, arg) => vm.push(arg),
  SHORT_BINSTRING: (vm, arg) => vm.push(arg),
  UNICODE: (vm, arg) => vm.push(arg),
  BINUNICODE: (vm, arg) => vm.push(arg),
  APPEND: (vm) => {
    const value = vm.pop();
    appendTo(vm, vm.top(), [value]);
  },
  BUILD: (vm) => vm.build(),
  GLOBAL: (vm, arg) => {
    const [module, name] = arg as [string, string];
    vm.push(vm.global(module, name));
  },
  DICT: (vm) => vm.push(dictFromPairs(vm, vm.popMark())),
  EMPTY_DICT: (vm) => vm.push(new Map()),
  APPENDS: (vm) => {
    const items = vm.popMark();
    appendTo(vm, vm.top(), items);
  },
  GET: (vm, arg) => vm.push(vm.memoGet(arg)),
  BINGET: (vm, arg) => vm.push(vm.memoGet(arg)),
  INST: (vm, arg) => {
    const [module, name] = arg as [string, string];
    const cls = vm.global(module, name);
    const args = vm.popMark();
    vm.push(vm.call(cls, args));
  },
  LONG_BINGET: (vm, arg) => vm.push(vm.memoGet(arg)),
  LIST: (vm) => {
    const items = vm.popMark();
    vm.nest(items, items);
    vm.push(items);
  },
  EMPTY_LIST: (vm) => vm.push([]),
  OBJ: (vm) => {
    const [cls, ...args] = vm.popMark();
    vm.push(vm.call(cls, args));
  },
  PUT: (vm, arg) => vm.memoPut(arg),
  BINPUT: (vm, arg) => vm.memoPut(arg),
  LONG_BINPUT: (vm, arg) => vm.memoPut(arg),
  SETITEM: (vm) => {
    const value = vm.pop();
    const key = vm.pop();
    setItems(vm, vm.top(), [key, value]);
  },
  TUPLE: (vm) => vm.push(vm.tuple(vm.popMark())),
  EMPTY_TUPLE: (vm) => vm.push(makeTuple([])),
  SETITEMS: (vm) => {
    const items = vm.popMark();
    setItems(vm, vm.top(), items);
  },
  BINFLOAT: (vm, arg) => vm.push(arg),
  PROTO: (vm, arg) => vm.setProto(arg as number),
  NEWOBJ: (vm) => {
    const args = vm.pop();
    const cls = vm.pop();
    vm.push(vm.newObject(cls, args, null));
  },
  EXT1: () => {
    throw new PickleError('pickle uses the copyreg extension registry, which bucketql does not load');
  },
  EXT2: () => {
    throw new PickleError('pickle uses the copyreg extension registry, which bucketql does not load');
  },
  EXT4: () => {
    throw new PickleError('pickle uses the copyreg extension registry, which bucketql does not load');
  },
  TUPLE1: (vm) => vm.push(vm.tuple([vm.pop()])),
  TUPLE2: (vm) => {
    const b = vm.pop();
    const a = vm.pop();
    vm.push(vm.tuple([a, b]));
  },
  TUPLE3: (vm) => {
    const c = vm.pop();
    const b = vm.pop();
    const a = vm.pop();
    vm.push(vm.tuple([a, b, c]));
  },
  NEWTRUE: (vm) => vm.push(true),
  NEWFALSE: (vm) => vm.push(false),
  LONG1: (vm, arg) => vm.push(arg),
  LONG4: (vm, arg) => vm.push(arg),
  BINBYTES: (vm, arg) => vm.push(arg),
  SHORT_BINBYTES: (vm, arg) => vm.push(arg),
  SHORT_BINUNICODE: (vm, arg) => vm.push(arg),
  BINUNICODE8: (vm, arg) => vm.push(arg),
  BINBYTES8: (vm, arg) => vm.push(arg),
  EMPTY_SET: (vm) => vm.push(new Set()),
  ADDITEMS: (vm) => {
    const items = vm.popMark();
    const target = vm.top();
    if (!(target instanceof Set) || target instanceof PyFrozenSet) throw new PickleError(`cannot add items to a ${pythonTypeName(target)}`);
    vm.nest(target, items);
    for (const item of items) target.add(item);
  },
  FROZENSET: (vm) => {
    const items = vm.popMark();
    const set = new PyFrozenSet(items);
    vm.nest(set, items);
    vm.push(set);
  },
  NEWOBJ_EX: (vm) => {
    const kwargs = vm.pop();
    const args = vm.pop();
    const cls = vm.pop();
    vm.push(vm.newObject(cls, args, kwargs));
  },
  STACK_GLOBAL: (vm) => {
    const name = vm.pop();
    const module = vm.pop();
    vm.push(vm.global(module, name));
  },
  MEMOIZE: (vm) => vm.memoize(),
  // Frames only group opcodes for buffered reading; the whole pickle is already in memory.
  FRAME: () => {},
  BYTEARRAY8: (vm, arg) => vm.push(arg),
  NEXT_BUFFER: () => {
    throw new PickleError('pickle expects out-of-band buffers (protocol 5), which a stored object cannot carry');
  },
  READONLY_BUFFER: (vm) => {
    const top = vm.top();
    if (!(top instanceof PyBytes)) throw new PickleError('READONLY_BUFFER on a non-buffer');
    vm.replaceTop(new PyBytes(top.bytes, false));
  },
};

export interface Unpickled {
  value: unknown;
  /** Objects the pickle refers to more than once (memo gets, DUP). */
  shared: ReadonlySet<object>;
}

/**
 * Unpickles bytes into the Python object model. Throws DecodeFailed naming the global
 * for anything outside the allow-list, and for malformed or oversized pickles.
 */
export function unpickle(bytes: Uint8Array, limits: UnpickleLimits = defaultUnpickleLimits(bytes.byteLength)): Unpickled {
  const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Machine(data, limits).run();
}
