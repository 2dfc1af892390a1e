// The write path: a JSON value as a protocol-4 pickle that Python's pickle.loads reads
// back as plain data: object → dict, array → list, integral number → int (any size),
// other number → float, string → str, boolean → bool, null → None. It writes only
// the opcodes CPython's own pickler would for such data (no globals, no memo needed
// for a tree), in the same batches of 1000, so nothing in the output can run code.
import { BadUserInput } from '../../errors.js';

const PROTO = 0x80;
const STOP = 0x2e;
const MARK = 0x28;
const NONE = 0x4e;
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;
const BININT = 0x4a;
const BININT1 = 0x4b;
const BININT2 = 0x4d;
const LONG1 = 0x8a;
const LONG4 = 0x8b;
const BINFLOAT = 0x47;
const SHORT_BINUNICODE = 0x8c;
const BINUNICODE = 0x58;
const BINUNICODE8 = 0x8d;
const EMPTY_LIST = 0x5d;
const APPEND = 0x61;
const APPENDS = 0x65;
const EMPTY_DICT = 0x7d;
const SETITEM = 0x73;
const SETITEMS = 0x75;

/** CPython's pickler batches APPENDS / SETITEMS by this many items. */
const BATCH = 1000;
/** Deeper content is refused: Python could read it, but not print or compare it. */
export const MAX_ENCODE_DEPTH = 1000;

class ByteWriter {
  private buffer = Buffer.allocUnsafe(1024);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  uint16(value: number): void {
    this.reserve(2);
    this.buffer.writeUInt16LE(value, this.length);
    this.length += 2;
  }

  int32(value: number): void {
    this.reserve(4);
    this.buffer.writeInt32LE(value, this.length);
    this.length += 4;
  }

  uint32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.length);
    this.length += 4;
  }

  uint64(value: number): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(value), this.length);
    this.length += 8;
  }

  doubleBE(value: number): void {
    this.reserve(8);
    this.buffer.writeDoubleBE(value, this.length);
    this.length += 8;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * UTF-8 as Python's 'surrogatepass' writes it: a lone surrogate (which JSON allows as
 * \ud800) becomes its three-byte form, so pickle.loads returns the same code units.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function utf8(text: string): Uint8Array {
  if (!LONE_SURROGATE.test(text)) return Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Python's encode_long: the shortest little-endian two's complement bytes of an int. */
function encodeLong(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  const bytes: number[] = [];
  let rest = value;
  while (true) {
    const byte = Number(rest & 0xffn);
    bytes.push(byte);
    rest >>= 8n;
    const signClear = (byte & 0x80) === 0;
    if ((rest === 0n && signClear) || (rest === -1n && !signClear)) break;
  }
  return Uint8Array.from(bytes);
}

class PickleWriter {
  readonly out = new ByteWriter();

  int(value: number | bigint): void {
    const { out } = this;
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      if (value >= 0 && value <= 0xff) {
        out.byte(BININT1);
        out.byte(value);
        return;
      }
      if (value >= 0 && value <= 0xffff) {
        out.byte(BININT2);
        out.uint16(value);
        return;
      }
      if (value >= -0x80000000 && value <= 0x7fffffff) {
        out.byte(BININT);
        out.int32(value);
        return;
      }
    }
    const bytes = encodeLong(BigInt(value));
    if (bytes.length < 256) {
      out.byte(LONG1);
      out.byte(bytes.length);
    } else {
      out.byte(LONG4);
      out.int32(bytes.length);
    }
    out.bytes(bytes);
  }

  string(text: string): void {
    const { out } = this;
    const bytes = utf8(text);
    if (bytes.length < 256) {
      out.byte(SHORT_BINUNICODE);
      out.byte(bytes.length);
    } else if (bytes.length <= 0xffffffff) {
      out.byte(BINUNICODE);
      out.uint32(bytes.length);
    } else {
      out.byte(BINUNICODE8);
      out.uint64(bytes.length);
    }
    out.bytes(bytes);
  }

  value(value: unknown, depth: number, path: string): void {
    const { out } = this;
    if (value === null || value === undefined) {
      out.byte(NONE);
      return;
    }
    switch (typeof value) {
      case 'boolean':
        out.byte(value ? NEWTRUE : NEWFALSE);
        return;
      case 'number':
        if (!Number.isFinite(value)) throw new BadUserInput(`pickle content at ${path} is not a finite number`);
        if (Number.isInteger(value)) {
          this.int(value);
          return;
        }
        out.byte(BINFLOAT);
        out.doubleBE(value);
        return;
      case 'bigint':
        this.int(value);
        return;
      case 'string':
        this.string(value);
        return;
      case 'object':
        break;
      default:
        throw new BadUserInput(`pickle content at ${path} is a ${typeof value}, which JSON has no value for`);
    }
    if (depth >= MAX_ENCODE_DEPTH) throw new BadUserInput(`pickle content nests deeper than ${MAX_ENCODE_DEPTH} levels`);
    if (Array.isArray(value)) {
      out.byte(EMPTY_LIST);
      this.batched(value.length, APPEND, APPENDS, (i) => this.value(value[i], depth + 1, `${path}[${i}]`));
      return;
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new BadUserInput(`pickle content at ${path} is not a JSON value`);
    }
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    out.byte(EMPTY_DICT);
    this.batched(entries.length, SETITEM, SETITEMS, (i) => {
      const [key, item] = entries[i] as [string, unknown];
      this.string(key);
      this.value(item, depth + 1, `${path}.${key}`);
    });
  }

  /** One item with the single opcode, more between MARK and the batch opcode, as CPython does. */
  private batched(count: number, single: number, many: number, write: (i: number) => void): void {
    for (let start = 0; start < count; start += BATCH) {
      const end = Math.min(count, start + BATCH);
      if (end - start === 1) {
        write(start);
        this.out.byte(single);
        continue;
      }
      this.out.byte(MARK);
      for (let i = start; i < end; i++) write(i);
      this.out.byte(many);
    }
  }
}

/** A JSON value as protocol-4 pickle bytes. Throws BadUserInput for anything that is not JSON. */
export function encodePickle(content: unknown): Buffer {
  const writer = new PickleWriter();
  writer.out.byte(PROTO);
  writer.out.byte(4);
  writer.value(content, 0, '$');
  writer.out.byte(STOP);
  return writer.out.result();
}
