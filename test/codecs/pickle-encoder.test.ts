// What writing `.pkl` promises: any JSON value becomes a protocol-4 pickle that real
// Python's pickle.loads reads back equal, with ints as int and other numbers as float;
// and bucketql's own decoder reads it back too. Also checks the opcode table against
// CPython's pickletools. Needs /usr/bin/python3 (no pandas): skipped without it
// locally, required in CI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickleCodec } from '../../src/codecs/pickle/index.js';
import { OPCODES } from '../../src/codecs/pickle/opcodes.js';
import { BadUserInput } from '../../src/errors.js';
import { readWith } from '../support/tables.js';

const PYTHON = '/usr/bin/python3';
const hasPython = existsSync(PYTHON);

// Loads each base64 pickle and writes it back as JSON with every int and float tagged,
// so that 1 and 1.0 stay apart and nothing goes through a lossy number type.
const LOADER = `
import base64, json, pickle, sys
def tag(v):
    if v is None or isinstance(v, bool): return v
    if isinstance(v, int): return {'$int': str(v)}
    if isinstance(v, float): return {'$float': repr(v)}
    if isinstance(v, str): return v
    if isinstance(v, list): return [tag(x) for x in v]
    if isinstance(v, dict): return {'$dict': [[k, tag(x)] for k, x in v.items()]}
    raise TypeError(type(v).__name__)
out = []
for item in json.load(sys.stdin):
    data = base64.b64decode(item)
    assert data[:2] == b'\\x80\\x04', data[:2]
    out.append(tag(pickle.loads(data)))
sys.stdout.write(json.dumps(out))
`;

function pythonLoads(pickles: Buffer[]): unknown[] {
  const result = spawnSync(PYTHON, ['-c', LOADER], {
    input: JSON.stringify(pickles.map((p) => p.toString('base64'))),
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return untagFloats(JSON.parse(result.stdout)) as unknown[];
}

function untagFloats(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untagFloats);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$float === 'string') return { $float: Number(record.$float) };
    if ('$int' in record) return record;
    if (Array.isArray(record.$dict)) return { $dict: record.$dict.map(([k, v]: [string, unknown]) => [k, untagFloats(v)]) };
  }
  return value;
}

/** The same tagged form, from the JSON value given to the encoder. */
function tagJs(value: unknown): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? { $int: BigInt(value).toString() } : { $float: value };
  if (Array.isArray(value)) return value.map(tagJs);
  return {
    $dict: Object.entries(value as object)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, tagJs(v)]),
  };
}

function encode(value: unknown): Buffer {
  const encoder = pickleCodec.encode;
  if (!encoder) throw new Error('no encode');
  return encoder(value, {}) as Buffer;
}

function expectPythonReadsBack(values: unknown[]): void {
  const loaded = pythonLoads(values.map(encode));
  values.forEach((value, i) => {
    expect(loaded[i], JSON.stringify(value)).toEqual(tagJs(value));
  });
}

const EDGE_CASES: unknown[] = [
  null,
  true,
  false,
  0,
  255,
  256,
  65535,
  65536,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 - 1,
  2 ** 53,
  1e20,
  -1e300,
  Number.MAX_VALUE,
  0.1,
  -0.5,
  5e-324,
  '',
  'x'.repeat(255),
  'é'.repeat(128),
  '한글 🎉 \0 \n',
  '\ud800 lone \udfff surrogates',
  [],
  {},
  [[[[]]]],
  JSON.parse('{"__proto__": 1, "constructor": {"prototype": 2}}'),
  { b: 1, a: 2, '10': 3, '2': 4 },
  Array.from({ length: 2500 }, (_, i) => i * 1.5),
  Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`k${i}`, i])),
  [
    { id: 1, name: 'kim', score: 9.5, tags: ['a'] },
    { id: 2, name: null, score: 10, tags: [] },
  ],
];

describe.skipIf(!hasPython && !process.env.CI)('writing .pkl: Python reads back what bucketql writes', () => {
  it('writes protocol-4 pickles of edge-case JSON values that pickle.loads reads back equal, ints as int', () => {
    expectPythonReadsBack(EDGE_CASES);
  });

  it('round-trips random JSON values through real Python (property)', () => {
    const json = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });
    fc.assert(
      fc.property(fc.array(json, { minLength: 40, maxLength: 40 }), (values) => {
        expectPythonReadsBack(values);
      }),
      { numRuns: 8 },
    );
  });

  it('uses the opcode table CPython documents (pickletools)', () => {
    const result = spawnSync(
      PYTHON,
      ['-c', 'import json, pickletools; print(json.dumps([[ord(o.code), o.name, o.proto] for o in pickletools.opcodes]))'],
      { encoding: 'utf8' },
    );
    const expected = JSON.parse(result.stdout) as [number, string, number][];
    const ours = OPCODES.map((op) => [op.code, op.name, op.proto]);
    expect(new Set(ours.map((op) => JSON.stringify(op)))).toEqual(new Set(expected.map((op) => JSON.stringify(op))));
  });
});

describe('writing .pkl: bucketql reads back what it writes', () => {
  it('decodes its own pickles to the same JSON', () => {
    for (const value of EDGE_CASES) {
      const decoded = pickleCodec.decodeValue?.(encode(value), {});
      const expected = JSON.parse(
        JSON.stringify(value, (_, v) =>
          typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v) ? BigInt(v).toString() : v,
        ),
      );
      expect(decoded).toEqual(expected);
    }
  });

  it('writes rows (a list of dicts) that read back as a table', async () => {
    const rows = [
      { id: 1, name: 'kim' },
      { id: 2, name: 'lee' },
    ];
    expect((await readWith(pickleCodec, encode(rows))).rows).toEqual(rows);
  });

  it('refuses what is not JSON', () => {
    expect(() => encode(Number.NaN)).toThrow(BadUserInput);
    expect(() => encode({ f: () => 1 })).toThrow(BadUserInput);
    expect(() => encode(new Date())).toThrow(BadUserInput);
    let deep: unknown = [];
    for (let i = 0; i < 1001; i++) deep = [deep];
    expect(() => encode(deep)).toThrow(/deeper than 1000/);
  });
});
