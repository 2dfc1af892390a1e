// The pickle opcode table, protocols 0–5, as CPython's pickletools documents it: one
// row per opcode with its byte, name, the protocol that introduced it and how its
// inline argument is encoded. The unpickler reads arguments by `arg` and dispatches
// by `name`, so adding or auditing an opcode is reading one row here.

export type ArgKind =
  | 'none'
  | 'uint1'
  | 'uint2'
  | 'int4'
  | 'uint4'
  | 'uint8'
  | 'long1'
  | 'long4'
  | 'float8'
  | 'string1'
  | 'string4'
  | 'bytes1'
  | 'bytes4'
  | 'bytes8'
  | 'bytearray8'
  | 'unicode1'
  | 'unicode4'
  | 'unicode8'
  | 'decimalnl_short'
  | 'decimalnl_long'
  | 'floatnl'
  | 'stringnl'
  | 'stringnl_noescape'
  | 'stringnl_noescape_pair'
  | 'unicodestringnl';

export interface OpcodeSpec {
  readonly code: number;
  readonly name: OpcodeName;
  readonly proto: number;
  readonly arg: ArgKind;
}

const TABLE = [
  // protocol 0 and 1
  ['(', 'MARK', 0, 'none'],
  ['.', 'STOP', 0, 'none'],
  ['0', 'POP', 0, 'none'],
  ['1', 'POP_MARK', 1, 'none'],
  ['2', 'DUP', 0, 'none'],
  ['F', 'FLOAT', 0, 'floatnl'],
  ['I', 'INT', 0, 'decimalnl_short'],
  ['J', 'BININT', 1, 'int4'],
  ['K', 'BININT1', 1, 'uint1'],
  ['L', 'LONG', 0, 'decimalnl_long'],
  ['M', 'BININT2', 1, 'uint2'],
  ['N', 'NONE', 0, 'none'],
  ['P', 'PERSID', 0, 'stringnl_noescape'],
  ['Q', 'BINPERSID', 1, 'none'],
  ['R', 'REDUCE', 0, 'none'],
  ['S', 'STRING', 0, 'stringnl'],
  ['T', 'BINSTRING', 1, 'string4'],
  ['U', 'SHORT_BINSTRING', 1, 'string1'],
  ['V', 'UNICODE', 0, 'unicodestringnl'],
  ['X', 'BINUNICODE', 1, 'unicode4'],
  ['a', 'APPEND', 0, 'none'],
  ['b', 'BUILD', 0, 'none'],
  ['c', 'GLOBAL', 0, 'stringnl_noescape_pair'],
  ['d', 'DICT', 0, 'none'],
  ['}', 'EMPTY_DICT', 1, 'none'],
  ['e', 'APPENDS', 1, 'none'],
  ['g', 'GET', 0, 'decimalnl_short'],
  ['h', 'BINGET', 1, 'uint1'],
  ['i', 'INST', 0, 'stringnl_noescape_pair'],
  ['j', 'LONG_BINGET', 1, 'uint4'],
  ['l', 'LIST', 0, 'none'],
  [']', 'EMPTY_LIST', 1, 'none'],
  ['o', 'OBJ', 1, 'none'],
  ['p', 'PUT', 0, 'decimalnl_short'],
  ['q', 'BINPUT', 1, 'uint1'],
  ['r', 'LONG_BINPUT', 1, 'uint4'],
  ['s', 'SETITEM', 0, 'none'],
  ['t', 'TUPLE', 0, 'none'],
  [')', 'EMPTY_TUPLE', 1, 'none'],
  ['u', 'SETITEMS', 1, 'none'],
  ['G', 'BINFLOAT', 1, 'float8'],
  // protocol 2
  ['\x80', 'PROTO', 2, 'uint1'],
  ['\x81', 'NEWOBJ', 2, 'none'],
  ['\x82', 'EXT1', 2, 'uint1'],
  ['\x83', 'EXT2', 2, 'uint2'],
  ['\x84', 'EXT4', 2, 'int4'],
  ['\x85', 'TUPLE1', 2, 'none'],
  ['\x86', 'TUPLE2', 2, 'none'],
  ['\x87', 'TUPLE3', 2, 'none'],
  ['\x88', 'NEWTRUE', 2, 'none'],
  ['\x89', 'NEWFALSE', 2, 'none'],
  ['\x8a', 'LONG1', 2, 'long1'],
  ['\x8b', 'LONG4', 2, 'long4'],
  // protocol 3
  ['B', 'BINBYTES', 3, 'bytes4'],
  ['C', 'SHORT_BINBYTES', 3, 'bytes1'],
  // protocol 4
  ['\x8c', 'SHORT_BINUNICODE', 4, 'unicode1'],
  ['\x8d', 'BINUNICODE8', 4, 'unicode8'],
  ['\x8e', 'BINBYTES8', 4, 'bytes8'],
  ['\x8f', 'EMPTY_SET', 4, 'none'],
  ['\x90', 'ADDITEMS', 4, 'none'],
  ['\x91', 'FROZENSET', 4, 'none'],
  ['\x92', 'NEWOBJ_EX', 4, 'none'],
  ['\x93', 'STACK_GLOBAL', 4, 'none'],
  ['\x94', 'MEMOIZE', 4, 'none'],
  ['\x95', 'FRAME', 4, 'uint8'],
  // protocol 5
  ['\x96', 'BYTEARRAY8', 5, 'bytearray8'],
  ['\x97', 'NEXT_BUFFER', 5, 'none'],
  ['\x98', 'READONLY_BUFFER', 5, 'none'],
] as const;

export type OpcodeName = (typeof TABLE)[number][1];

export const OPCODES: readonly OpcodeSpec[] = TABLE.map(([char, name, proto, arg]) => ({
  code: char.charCodeAt(0),
  name,
  proto,
  arg,
}));

/** Opcode specs indexed by their byte; undefined for bytes that are no opcode. */
export const OPCODE_BY_BYTE: readonly (OpcodeSpec | undefined)[] = (() => {
  const table: (OpcodeSpec | undefined)[] = new Array(256).fill(undefined);
  for (const spec of OPCODES) table[spec.code] = spec;
  return table;
})();

/** The highest protocol bucketql reads (and Python 3.8+ writes). */
export const HIGHEST_PROTOCOL = 5;
