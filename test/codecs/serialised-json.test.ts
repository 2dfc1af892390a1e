// JSON written ahead as bytes (what `content` of a table answers with): JsonArrayWriter
// gives exactly JSON.stringify's text of the whole array, and stringifyWithSerialised
// puts such bytes where they stand in a response, as JSON.stringify would have written
// the value itself, as pieces (the bytes between them and their own blocks, not copied).
import { describe, expect, it } from 'vitest';
import { JsonArrayWriter, SerialisedJson, stringifyWithSerialised } from '../../src/codecs/serialised-json.js';

function written(items: unknown[]): SerialisedJson {
  const writer = new JsonArrayWriter();
  for (const item of items) writer.push(item);
  return writer.finish();
}
const text = (value: SerialisedJson) => Buffer.concat(value.chunks).toString('utf8');

const row = (i: number) => ({
  id: i,
  name: i % 5 === 0 ? `서울 "${i}"\n` : `user_${i}`,
  amount: i % 7 === 0 ? null : i * 1.37,
  active: i % 3 === 0,
  odd: i % 11 === 0 ? '\ud800 lone' : '',
});

describe('JsonArrayWriter', () => {
  it('writes what JSON.stringify writes for the whole array, whatever the number of items', () => {
    for (const count of [0, 1, 63, 64, 65, 128, 1000, 30_000]) {
      const items = Array.from({ length: count }, (_, i) => row(i));
      expect(text(written(items)), `${count} items`).toBe(JSON.stringify(items));
    }
  });

  it('writes items of every kind as JSON.stringify does (own __proto__, dates, nested values, undefined)', () => {
    const withProto = JSON.parse('{"__proto__": 1, "a": [1, {"b": "c"}]}');
    const items = [withProto, new Date(Date.UTC(2024, 0, 2)), 'x', 1.5, true, null, undefined, [[], {}], { u: undefined, 2: 'two' }];
    expect(text(written(items))).toBe(JSON.stringify(items));
  });

  it('writes items too long for one block', () => {
    const items = [{ big: 'x'.repeat(3_000_000) }, { big: '가'.repeat(400_000) }, 1];
    expect(text(written(items))).toBe(JSON.stringify(items));
  });
});

describe('SerialisedJson', () => {
  it('is its value wherever something else serialises it', () => {
    const value = written([{ a: 1 }, { a: '서울' }]);
    expect(JSON.parse(JSON.stringify({ data: value }))).toEqual({ data: [{ a: 1 }, { a: '서울' }] });
  });
});

describe('stringifyWithSerialised', () => {
  it('is JSON.stringify, as a string, when the value holds no SerialisedJson', () => {
    const value = { data: { a: [1, 'b', null], c: new Date(0) }, errors: undefined };
    expect(stringifyWithSerialised(value)).toBe(JSON.stringify(value));
  });

  it('writes each SerialisedJson as its bytes where JSON.stringify would have written its value', () => {
    const first = Array.from({ length: 200 }, (_, i) => row(i));
    const second = [{ 서울: '"quoted"' }];
    const response = { data: { object: { a: written(first), b: 'between', c: [written(second), written([])] } } };
    const expected = JSON.stringify({ data: { object: { a: first, b: 'between', c: [second, []] } } });
    const out = stringifyWithSerialised(response);
    expect(out).toBeInstanceOf(SerialisedJson);
    expect(text(out as SerialisedJson)).toBe(expected);
  });

  it('gives the pieces in order without copying the SerialisedJson bytes (a 13 MB answer is not concatenated)', () => {
    const big = written(Array.from({ length: 30_000 }, (_, i) => row(i)));
    expect(big.chunks.length).toBeGreaterThan(1);
    const out = stringifyWithSerialised({ data: { a: big, b: 'after' } }) as SerialisedJson;
    const own = out.chunks.slice(1, 1 + big.chunks.length);
    expect(own.every((chunk, i) => chunk === big.chunks[i])).toBe(true);
    expect(out.chunks.map((c) => c.toString()).join('')).toBe(`{"data":{"a":${text(big)},"b":"after"}}`);
  });

  it('leaves strings of the data that look like its placeholders alone', () => {
    const sneaky = { a: 'bucketql-serialised-json-00000000-0000-0000-0000-000000000000-0', b: written([1]) };
    expect(text(stringifyWithSerialised(sneaky) as SerialisedJson)).toBe(JSON.stringify({ a: sneaky.a, b: [1] }));
  });
});
