// The Python object model the unpickler builds: how each Python value it can meet
// is held in JavaScript before it is turned into JSON or table cells. Plain data maps
// onto JS types where that loses nothing (str → string, list → array, dict → Map);
// everything else gets a small class, so later stages can tell a date from a string.

/**
 * A failure while unpickling, thrown by the machine and by the allow-listed
 * constructors. The unpickler turns it into DecodeFailed with the byte offset.
 */
export class PickleError extends Error {
  constructor(
    message: string,
    readonly where: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Python bytes or bytearray: a view into the pickle's own buffer, never copied. */
export class PyBytes {
  constructor(
    readonly bytes: Uint8Array,
    readonly mutable = false,
  ) {}
}

/** frozenset; a plain Set is a Python set. */
export class PyFrozenSet extends Set<unknown> {}

/** A Python dict (also OrderedDict, defaultdict): keys are Python values, in insertion order. */
export type PyDict = Map<unknown, unknown>;

/**
 * Tuples are frozen JS arrays, lists are ordinary ones: freezing is the cheapest
 * mark that survives memo sharing, and it stops APPEND on a tuple for free.
 */
export function makeTuple(items: unknown[]): readonly unknown[] {
  return Object.freeze(items);
}

export function isTuple(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && Object.isFrozen(value);
}

/** A time zone as far as bucketql needs one: the UTC offset of a wall-clock time. */
export interface TzInfo {
  readonly name: string;
  /** Seconds east of UTC for the given local wall time (fold picks the later of two). */
  utcOffsetSeconds(wall: WallTime, fold: number): number;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export class FixedOffsetTz implements TzInfo {
  constructor(
    readonly offsetSeconds: number,
    readonly name: string,
  ) {}
  utcOffsetSeconds(): number {
    return this.offsetSeconds;
  }
}

export class PyDateTime {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
    readonly microsecond: number,
    readonly tz: TzInfo | null,
    readonly fold: number,
  ) {}
}

export class PyDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}
}

export class PyTime {
  constructor(
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
    readonly microsecond: number,
    readonly tz: TzInfo | null,
  ) {}
}

/** datetime.timedelta and pandas Timedelta / numpy timedelta64, as a count of nanoseconds. */
export class PyTimeDelta {
  constructor(readonly nanoseconds: bigint) {}
}

/**
 * An instant (Python datetime, pandas Timestamp, numpy datetime64 scalar): whole
 * milliseconds since the epoch, as Date counts them, plus the nanoseconds below them,
 * so datetime64[ns] keeps its precision.
 */
export class Instant {
  constructor(
    readonly epochMs: number,
    readonly subMsNanos: number,
  ) {}
}

export class PyDecimal {
  constructor(readonly text: string) {}
}

export class PyComplex {
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {}
}

export class PyUuid {
  constructor(readonly value: bigint) {}
}

/** Missing-value singletons (pandas NA, NaT) that become null. */
export const PY_MISSING = Object.freeze({ missing: true as const });

/**
 * A Python object bucketql keeps but does not read (a pandas frequency such as Day(1),
 * a tz-naive dtype flag): it may sit in a state dict, and turns into its name if shown.
 */
export class InertObject {
  state: unknown = undefined;
  constructor(
    readonly qualifiedName: string,
    readonly args: readonly unknown[],
  ) {}
  setState(state: unknown): void {
    this.state = state;
  }
}

/** Objects that accept the BUILD opcode implement this, as Python's __setstate__. */
export interface Buildable {
  setState(state: unknown): void;
}

export function isBuildable(value: unknown): value is Buildable {
  return typeof value === 'object' && value !== null && typeof (value as { setState?: unknown }).setState === 'function';
}

/** The Python type name of a value, for messages ("it holds a list"). */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined || value === PY_MISSING) return 'None';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return isTuple(value) ? 'tuple' : 'list';
  if (value instanceof Map) return 'dict';
  if (value instanceof PyFrozenSet) return 'frozenset';
  if (value instanceof Set) return 'set';
  if (value instanceof PyBytes) return value.mutable ? 'bytearray' : 'bytes';
  if (value instanceof PyDateTime) return 'datetime.datetime';
  if (value instanceof PyDate) return 'datetime.date';
  if (value instanceof PyTime) return 'datetime.time';
  if (value instanceof PyTimeDelta) return 'datetime.timedelta';
  if (value instanceof Instant) return 'pandas.Timestamp';
  if (value instanceof PyDecimal) return 'decimal.Decimal';
  if (value instanceof PyComplex) return 'complex';
  if (value instanceof PyUuid) return 'uuid.UUID';
  if (value instanceof InertObject) return value.qualifiedName;
  const named = value as { pythonType?: unknown };
  if (typeof named.pythonType === 'string') return named.pythonType;
  return 'object';
}

/** What an allow-listed constructor may ask of the machine that calls it. */
export interface CallContext {
  /** Counts work proportional to the data a call touches; throws once the pickle's budget is spent. */
  charge(units: number): void;
  /** Another allow-listed global by qualified name (for builtins.getattr); throws if it is not one. */
  resolve(qualifiedName: string): unknown;
}

export interface GlobalSpec {
  /** REDUCE, INST, OBJ: `callable(*args)`. NEWOBJ falls back to it when `create` is absent. */
  call?(args: readonly unknown[], context: CallContext): unknown;
  /** NEWOBJ / NEWOBJ_EX / copyreg: `cls.__new__(cls, *args)`, the object BUILD then fills. */
  create?(args: readonly unknown[], kwargs: PyDict | null, context: CallContext): unknown;
  /** Globals that are values rather than callables (pandas.NA). */
  value?: unknown;
}

/** A reference to an allow-listed class or function, as the stack holds it. */
export class PyGlobal {
  readonly pythonType: string;
  constructor(
    readonly qualifiedName: string,
    readonly spec: GlobalSpec,
  ) {
    this.pythonType = qualifiedName;
  }
}

export type GlobalTable = Readonly<Record<string, GlobalSpec>>;

/** builtins.slice, as pandas uses it for a block's column placement. */
export class PySlice {
  readonly pythonType = 'slice';
  constructor(
    readonly start: unknown,
    readonly stop: unknown,
    readonly step: unknown,
  ) {}
}

/** builtins.range, kept lazy: it becomes a list only when shown, against the output budget. */
export class PyRange {
  readonly pythonType = 'range';
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {}
  get length(): number {
    return Math.max(0, Math.ceil((this.stop - this.start) / this.step));
  }
}
