// What putObject takes for .csv/.tsv/.xlsx: row objects (columns: the union of their
// own keys, first seen first) or { columns, rows }; anything else, and text UTF-8
// cannot hold, is BAD_USER_INPUT.
import { describe, expect, it } from 'vitest';
import { normaliseRowsInput } from '../../src/codecs/rows-input.js';
import { thrown } from '../support/failure.js';

const refused = (content: unknown) => thrown(() => normaliseRowsInput(content, '.csv'));

describe('normaliseRowsInput', () => {
  it('takes row objects: columns are the union of their keys in first-seen order, missing cells null', () => {
    expect(normaliseRowsInput([{ b: 1, a: 'x' }, { c: true }, { a: null }], '.csv')).toEqual({
      columns: ['b', 'a', 'c'],
      rows: [
        [1, 'x', null],
        [null, null, true],
        [null, null, null],
      ],
    });
  });

  it('reads only a row’s own keys, even when they are named like Object.prototype members', () => {
    const rows = JSON.parse('[{"constructor": "c", "id": 1}, {"id": 2, "toString": "t"}, {"__proto__": "p"}]');
    expect(normaliseRowsInput(rows, '.csv')).toEqual({
      columns: ['constructor', 'id', 'toString', '__proto__'],
      rows: [
        ['c', 1, null, null],
        [null, 2, 't', null],
        [null, null, null, 'p'],
      ],
    });
  });

  it('takes { columns, rows }, padding short rows with null', () => {
    expect(normaliseRowsInput({ columns: ['a', 'b'], rows: [[1], [2, 3]] }, '.csv')).toEqual({
      columns: ['a', 'b'],
      rows: [
        [1, null],
        [2, 3],
      ],
    });
  });

  it('refuses other shapes', () => {
    for (const content of [null, 5, 'rows', [1], [[1, 2]], { columns: ['a'] }, { columns: ['a'], rows: [1] }, { columns: [1], rows: [] }]) {
      expect(refused(content).extensions.code, JSON.stringify(content)).toBe('BAD_USER_INPUT');
    }
    expect(refused({ columns: ['a'], rows: [[1, 2]] }).message).toMatch(/2 cells but there are 1 columns/);
    expect(refused({ columns: ['a'], rows: [], extra: true }).message).toMatch(/unexpected field "extra"/);
  });

  it('refuses unpaired surrogates in names or cells (UTF-8 cannot hold them), and keeps paired ones', () => {
    expect(refused([{ a: 'x\uD800y' }]).message).toMatch(/row 0, column "a".*unpaired surrogate/);
    expect(refused({ columns: ['\uDC00'], rows: [] }).message).toMatch(/columns\[0\]/);
    expect(refused({ columns: ['a'], rows: [['ok'], ['\uDBFF']] }).message).toMatch(/row 1/);
    expect(normaliseRowsInput([{ emoji: '😀', text: '한글' }], '.csv').rows).toEqual([['😀', '한글']]);
  });
});
