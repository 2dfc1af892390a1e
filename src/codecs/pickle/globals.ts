// The allow-list: every GLOBAL / STACK_GLOBAL a pickle names is looked up here, by its
// exact `module.name`, and only these TypeScript implementations are ever called by
// REDUCE, NEWOBJ, INST, OBJ and BUILD. Anything else (os.system, builtins.eval,
// subprocess.Popen, ...) is refused when it is named, before any argument is read.
// Plain Python types live here; numpy.ts and pandas.ts contribute their own tables.
import { NUMPY_GLOBALS } from './numpy.js';
import { PANDAS_GLOBALS } from './pandas.js';
import { ZoneTz } from './time.js';
import {
  type CallContext,
  FixedOffsetTz,
  type GlobalSpec,
  type GlobalTable,
  InertObject,
  makeTuple,
  PickleError,
  PyBytes,
  PyComplex,
  PyDate,
  PyDateTime,
  PyDecimal,
  type PyDict,
  PyFrozenSet,
  PyGlobal,
  PyRange,
  PySlice,
  PyTime,
  PyTimeDelta,
  PyUuid,
  type TzInfo,
} from './values.js';

function expectBytes(value: unknown, what: string): Uint8Array {
  if (value instanceof PyBytes) return value.bytes;
  // Python 2 str (and Python 3 pickles read with encoding='latin1') carry bytes as latin-1 text.
  if (typeof value === 'string') return Buffer.from(value, 'latin1');
  throw new PickleError(`${what} expects bytes`);
}

function expectInt(value: unknown, what: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new PickleError(`${what} expects an int`);
}

function optionalTz(value: unknown): TzInfo | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && value !== null && typeof (value as TzInfo).utcOffsetSeconds === 'function') return value as TzInfo;
  throw new PickleError('datetime tzinfo is not a time zone bucketql reads');
}

function iterableItems(value: unknown, context: CallContext): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) {
    context.charge(value.length);
    return value.slice();
  }
  if (value instanceof Set) {
    context.charge(value.size);
    return [...value];
  }
  if (value instanceof Map) {
    context.charge(value.size);
    return [...value.keys()];
  }
  if (typeof value === 'string') {
    context.charge(value.length);
    return [...value];
  }
  throw new PickleError('expected an iterable');
}

function makeDict(args: readonly unknown[], context: CallContext): PyDict {
  const [source] = args;
  const dict: PyDict = new Map();
  if (source instanceof Map) {
    context.charge(source.size);
    for (const [key, value] of source) dict.set(key, value);
  } else if (source !== undefined) {
    for (const pair of iterableItems(source, context)) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new PickleError('dict() expects key/value pairs');
      dict.set(pair[0], pair[1]);
    }
  }
  return dict;
}

function bytesFrom(args: readonly unknown[], mutable: boolean, context: CallContext): PyBytes {
  const [source, encoding] = args;
  if (source === undefined) return new PyBytes(new Uint8Array(0), mutable);
  if (source instanceof PyBytes) return new PyBytes(source.bytes, mutable);
  if (typeof source === 'string' && typeof encoding === 'string') return encodeText(source, encoding, mutable);
  if (Array.isArray(source)) {
    context.charge(source.length);
    const bytes = Uint8Array.from(source, (item) => {
      const n = expectInt(item, 'bytes()');
      if (n < 0 || n > 255) throw new PickleError('bytes() item out of range');
      return n;
    });
    return new PyBytes(bytes, mutable);
  }
  // bytearray(n) would allocate n bytes from one small int: refused.
  throw new PickleError(`${mutable ? 'bytearray' : 'bytes'}() is only read from bytes, a list of ints or a string and its encoding`);
}

function encodeText(text: string, encoding: string, mutable = false): PyBytes {
  const name = encoding.toLowerCase().replace(/_/g, '-');
  if (name === 'latin1' || name === 'latin-1' || name === 'iso-8859-1') return new PyBytes(Buffer.from(text, 'latin1'), mutable);
  if (name === 'utf-8' || name === 'utf8') return new PyBytes(Buffer.from(text, 'utf8'), mutable);
  if (name === 'ascii') return new PyBytes(Buffer.from(text, 'latin1'), mutable);
  throw new PickleError(`text encoding '${encoding}' is not read`);
}

function makeDateTime(args: readonly unknown[]): PyDateTime {
  const [first, second] = args;
  if (first instanceof PyBytes || typeof first === 'string') {
    const b = expectBytes(first, 'datetime');
    if (b.length !== 10) throw new PickleError('datetime state is malformed');
    const at = (i: number) => b[i] as number;
    return new PyDateTime(
      at(0) * 256 + at(1),
      at(2) & 0x7f,
      at(3),
      at(4),
      at(5),
      at(6),
      (at(7) << 16) | (at(8) << 8) | at(9),
      optionalTz(second),
      at(2) & 0x80 ? 1 : 0,
    );
  }
  const [year, month, day, hour = 0, minute = 0, sec = 0, micro = 0, tz = null] = args;
  return new PyDateTime(
    expectInt(year, 'datetime'),
    expectInt(month, 'datetime'),
    expectInt(day, 'datetime'),
    expectInt(hour, 'datetime'),
    expectInt(minute, 'datetime'),
    expectInt(sec, 'datetime'),
    expectInt(micro, 'datetime'),
    optionalTz(tz),
    0,
  );
}

function makeDate(args: readonly unknown[]): PyDate {
  const [first] = args;
  if (first instanceof PyBytes || typeof first === 'string') {
    const b = expectBytes(first, 'date');
    if (b.length !== 4) throw new PickleError('date state is malformed');
    return new PyDate((b[0] as number) * 256 + (b[1] as number), b[2] as number, b[3] as number);
  }
  const [year, month, day] = args;
  return new PyDate(expectInt(year, 'date'), expectInt(month, 'date'), expectInt(day, 'date'));
}

function makeTime(args: readonly unknown[]): PyTime {
  const [first, second] = args;
  if (first instanceof PyBytes || typeof first === 'string') {
    const b = expectBytes(first, 'time');
    if (b.length !== 6) throw new PickleError('time state is malformed');
    const at = (i: number) => b[i] as number;
    return new PyTime(at(0) & 0x7f, at(1), at(2), (at(3) << 16) | (at(4) << 8) | at(5), optionalTz(second));
  }
  const [hour = 0, minute = 0, sec = 0, micro = 0, tz = null] = args;
  return new PyTime(expectInt(hour, 'time'), expectInt(minute, 'time'), expectInt(sec, 'time'), expectInt(micro, 'time'), optionalTz(tz));
}

function makeTimeDelta(args: readonly unknown[]): PyTimeDelta {
  const [days = 0, seconds = 0, micro = 0] = args;
  const big = (v: unknown) => (typeof v === 'bigint' ? v : BigInt(expectInt(v, 'timedelta')));
  return new PyTimeDelta((big(days) * 86_400_000_000n + big(seconds) * 1_000_000n + big(micro)) * 1000n);
}

function timedeltaSeconds(value: unknown): number {
  if (!(value instanceof PyTimeDelta)) throw new PickleError('expected a timedelta offset');
  return Number(value.nanoseconds / 1_000_000_000n);
}

/** dateutil's tzoffset keeps its state in attributes that BUILD sets. */
class DateutilOffsetTz implements TzInfo {
  name = '';
  private offset = 0;
  constructor(args: readonly unknown[]) {
    const [name, offset] = args;
    if (typeof name === 'string') this.name = name;
    if (typeof offset === 'number') this.offset = offset;
    else if (offset instanceof PyTimeDelta) this.offset = timedeltaSeconds(offset);
  }
  setState(state: unknown): void {
    if (!(state instanceof Map)) throw new PickleError('dateutil tzoffset state is malformed');
    const name = state.get('_name');
    if (typeof name === 'string') this.name = name;
    const offset = state.get('_offset');
    if (offset !== undefined) this.offset = timedeltaSeconds(offset);
  }
  utcOffsetSeconds(): number {
    return this.offset;
  }
}

const UTC = new FixedOffsetTz(0, 'UTC');

function pytzZone(args: readonly unknown[], context: CallContext): TzInfo {
  const [zone, utcoffset, , tzname] = args;
  if (typeof zone !== 'string') throw new PickleError('pytz zone name is not a string');
  // A localized pytz zone pins the offset of the datetime it belongs to.
  if (typeof utcoffset === 'number') return new FixedOffsetTz(utcoffset, typeof tzname === 'string' ? tzname : zone);
  return zoneInfo(zone, context);
}

class UuidBuilder {
  readonly pythonType = 'uuid.UUID';
  value: bigint | null = null;
  setState(state: unknown): void {
    const value = state instanceof Map ? state.get('int') : undefined;
    if (typeof value === 'number') this.value = BigInt(value);
    else if (typeof value === 'bigint') this.value = value;
    else throw new PickleError('uuid state is malformed');
  }
}

const inert = (qualifiedName: string): GlobalSpec => ({
  call: (args) => new InertObject(qualifiedName, args),
  create: (args) => new InertObject(qualifiedName, args),
});

const BUILTIN_GLOBALS: GlobalTable = {
  'builtins.set': { call: ([items], context) => new Set(iterableItems(items, context)) },
  'builtins.frozenset': { call: ([items], context) => new PyFrozenSet(iterableItems(items, context)) },
  'builtins.list': { call: ([items], context) => iterableItems(items, context) },
  'builtins.tuple': { call: ([items], context) => makeTuple(iterableItems(items, context)) },
  'builtins.dict': { call: (args, context) => makeDict(args, context) },
  'builtins.bytes': { call: (args, context) => bytesFrom(args, false, context) },
  'builtins.bytearray': { call: (args, context) => bytesFrom(args, true, context) },
  'builtins.complex': {
    call: ([real = 0, imag = 0]) => {
      if (typeof real !== 'number' || typeof imag !== 'number') throw new PickleError('complex() expects two numbers');
      return new PyComplex(real, imag);
    },
  },
  'builtins.slice': {
    call: ([a, b, c]) => (b === undefined ? new PySlice(null, a ?? null, null) : new PySlice(a ?? null, b ?? null, c ?? null)),
  },
  'builtins.range': {
    call: (args) => {
      const ints = args.map((v) => expectInt(v, 'range'));
      const [start, stop, step] = ints.length === 1 ? [0, ints[0] as number, 1] : [ints[0] as number, ints[1] as number, ints[2] ?? 1];
      if (step === 0) throw new PickleError('range() step is zero');
      return new PyRange(start, stop, step);
    },
  },
  'builtins.int': {
    call: ([value = 0], context) => {
      if (typeof value === 'number') return Math.trunc(value);
      if (typeof value === 'bigint' || typeof value === 'boolean') return value === true ? 1 : value === false ? 0 : value;
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) && value.trim().length <= 4300) {
        // Decimal parsing is superlinear, and one memoized string may be parsed many times.
        context.charge(value.length + (value.length * value.length) / 64);
        const big = BigInt(value.trim());
        return Number.isSafeInteger(Number(big)) ? Number(big) : big;
      }
      throw new PickleError('int() argument is not read');
    },
  },
  'builtins.float': {
    call: ([value = 0]) => {
      if (typeof value === 'number') return value;
      if (typeof value === 'string') {
        const text = value.trim().toLowerCase();
        if (text === 'nan' || text === '-nan') return Number.NaN;
        if (text === 'inf' || text === 'infinity') return Number.POSITIVE_INFINITY;
        if (text === '-inf' || text === '-infinity') return Number.NEGATIVE_INFINITY;
        const parsed = Number(text);
        if (!Number.isNaN(parsed)) return parsed;
      }
      throw new PickleError('float() argument is not read');
    },
  },
  'builtins.str': {
    call: ([value = '']) => {
      if (typeof value !== 'string') throw new PickleError('str() argument is not read');
      return value;
    },
  },
  'builtins.bool': { call: ([value = false]) => Boolean(value) },
  'builtins.object': { call: () => new InertObject('builtins.object', []) },
  'builtins.getattr': {
    // Only resolves attributes that are themselves on the allow-list (zoneinfo.ZoneInfo._unpickle).
    call: ([target, name], context) => {
      if (!(target instanceof PyGlobal) || typeof name !== 'string')
        throw new PickleError('getattr() is only read on allow-listed classes');
      return context.resolve(`${target.qualifiedName}.${name}`);
    },
  },
  '_codecs.encode': {
    call: ([text, encoding = 'utf-8']) => {
      if (typeof text !== 'string' || typeof encoding !== 'string')
        throw new PickleError('_codecs.encode() expects a string and an encoding');
      return encodeText(text, encoding);
    },
  },
  'copyreg._reconstructor': {
    // Protocols 0–1 spell `object.__new__(cls)` this way; other bases would run their own __new__.
    call: ([cls, base, state], context) => {
      if (!(cls instanceof PyGlobal)) throw new PickleError('copyreg._reconstructor() expects a class');
      if (!(base instanceof PyGlobal) || base.qualifiedName !== 'builtins.object') {
        throw new PickleError(
          `copyreg._reconstructor() with base ${base instanceof PyGlobal ? base.qualifiedName : 'unknown'} is not read`,
        );
      }
      if (state !== null && state !== undefined) throw new PickleError('copyreg._reconstructor() with a state is not read');
      return createInstance(cls, [], null, context);
    },
  },
  'copyreg.__newobj__': {
    call: ([cls, ...args], context) => {
      if (!(cls instanceof PyGlobal)) throw new PickleError('copyreg.__newobj__() expects a class');
      return createInstance(cls, args, null, context);
    },
  },
  'copyreg.__newobj_ex__': {
    call: ([cls, args, kwargs], context) => {
      if (!(cls instanceof PyGlobal) || !Array.isArray(args))
        throw new PickleError('copyreg.__newobj_ex__() expects a class and arguments');
      return createInstance(cls, args, kwargs instanceof Map ? kwargs : null, context);
    },
  },
  'collections.OrderedDict': { call: (args, context) => makeDict(args, context) },
  'collections.defaultdict': {
    // The default factory is only ever a reference here; nothing calls it.
    call: ([factory]) => {
      if (factory !== undefined && factory !== null && !(factory instanceof PyGlobal))
        throw new PickleError('defaultdict factory is not read');
      return new Map();
    },
  },
  'datetime.datetime': { call: (args) => makeDateTime(args) },
  'datetime.date': { call: (args) => makeDate(args) },
  'datetime.time': { call: (args) => makeTime(args) },
  'datetime.timedelta': { call: (args) => makeTimeDelta(args) },
  'datetime.timezone': {
    call: ([offset, name]) => new FixedOffsetTz(timedeltaSeconds(offset), typeof name === 'string' ? name : 'UTC'),
  },
  'decimal.Decimal': {
    call: ([value = '0']) => {
      if (typeof value === 'string') return new PyDecimal(value);
      if (typeof value === 'number' && Number.isInteger(value)) return new PyDecimal(String(value));
      if (typeof value === 'bigint') return new PyDecimal(value.toString());
      throw new PickleError('Decimal() argument is not read');
    },
  },
  'uuid.UUID': {
    create: () => new UuidBuilder(),
    call: ([hex]) => {
      if (typeof hex !== 'string' || !/^[0-9a-f]{32}$/i.test(hex.replace(/[-{}]|urn:uuid:/gi, '')))
        throw new PickleError('UUID() argument is not read');
      return new PyUuid(BigInt(`0x${hex.replace(/[-{}]|urn:uuid:/gi, '')}`));
    },
  },
  'uuid.SafeUUID': inert('uuid.SafeUUID'),
  'pytz._p': { call: (args, context) => pytzZone(args, context) },
  'pytz._UTC': { call: () => UTC },
  'pytz.utc': { value: UTC },
  'zoneinfo.ZoneInfo': { call: ([key], context) => zoneInfo(key, context) },
  'zoneinfo.ZoneInfo._unpickle': { call: ([key], context) => zoneInfo(key, context) },
  'dateutil.tz.tz.tzutc': { create: () => UTC, call: () => UTC },
  'dateutil.tz.tz.tzoffset': { create: (args) => new DateutilOffsetTz(args), call: (args) => new DateutilOffsetTz(args) },
};

/** Building an ICU zone formatter is costly: each zone a pickle names counts for much. */
const ZONE_WORK = 10_000;

function zoneInfo(key: unknown, context: CallContext): TzInfo {
  if (typeof key !== 'string') throw new PickleError('zoneinfo key is not a string');
  if (key === 'UTC') return UTC;
  context.charge(ZONE_WORK);
  return new ZoneTz(key);
}

/** `cls.__new__(cls, *args)` for NEWOBJ and copyreg: the class's create, else its call. */
export function createInstance(cls: PyGlobal, args: readonly unknown[], kwargs: PyDict | null, context: CallContext): unknown {
  if (cls.spec.create) return cls.spec.create(args, kwargs, context);
  if (cls.spec.call) return cls.spec.call(args, context);
  throw new PickleError(`${cls.qualifiedName} cannot be instantiated`);
}

/** Finishes objects whose class-specific builders collect state before they become values. */
export function finishBuilt(value: unknown): unknown {
  if (value instanceof UuidBuilder) {
    if (value.value === null) throw new PickleError('uuid has no value');
    return new PyUuid(value.value);
  }
  return value;
}

/**
 * Python 2 and `fix_imports` names (as CPython's _compat_pickle maps them), so that
 * protocol 0–2 pickles name the same allow-listed objects.
 */
const MODULE_ALIASES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  'pandas.indexes.base': 'pandas.core.indexes.base',
  'pandas.indexes.range': 'pandas.core.indexes.range',
  'pandas.indexes.numeric': 'pandas.core.indexes.numeric',
  'pandas.indexes.multi': 'pandas.core.indexes.multi',
  'pandas.tseries.index': 'pandas.core.indexes.datetimes',
};

const NAME_ALIASES: Readonly<Record<string, string>> = {
  'builtins.xrange': 'builtins.range',
  'builtins.unicode': 'builtins.str',
  'builtins.long': 'builtins.int',
};

const ALLOW_LIST: ReadonlyMap<string, GlobalSpec> = new Map(Object.entries({ ...BUILTIN_GLOBALS, ...NUMPY_GLOBALS, ...PANDAS_GLOBALS }));

/** The qualified name a module and name refer to, after Python 2 aliases. */
export function qualifiedName(module: string, name: string): string {
  const qualified = `${MODULE_ALIASES[module] ?? module}.${name}`;
  return NAME_ALIASES[qualified] ?? qualified;
}

/**
 * The allow-listed object a global names, or a PickleError naming it. A Map keyed by the
 * whole dotted name: no prototype lookups, no attribute walking.
 */
export function lookupGlobal(qualified: string): unknown {
  const spec = ALLOW_LIST.get(qualified);
  if (!spec) {
    throw new PickleError(`pickle refers to ${qualified}, which bucketql does not load (only plain data, numpy and pandas are read)`, {
      global: qualified,
    });
  }
  if ('value' in spec) return spec.value;
  return new PyGlobal(qualified, spec);
}
