// Column names: every column has a unique, non-empty name, derived from the header
// as written (`name`, `name_2`, `column_3`), or `column_i` without a header.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extendColumnNames, uniqueColumnNames } from '../../src/tables/columns.js';

describe('uniqueColumnNames', () => {
  it('keeps unique names as written', () => {
    expect(uniqueColumnNames(['id', 'Name', 'name', '이름'])).toEqual(['id', 'Name', 'name', '이름']);
  });

  it('names duplicates name_2, name_3, ... and empty names column_<position>', () => {
    expect(uniqueColumnNames(['name', 'name', ''])).toEqual(['name', 'name_2', 'column_3']);
    expect(uniqueColumnNames(['a', 'a', 'a'])).toEqual(['a', 'a_2', 'a_3']);
    expect(uniqueColumnNames(['', 'x', ''])).toEqual(['column_1', 'x', 'column_3']);
  });

  it('treats names of only spaces as empty', () => {
    expect(uniqueColumnNames(['  ', 'b'])).toEqual(['column_1', 'b']);
  });

  it('never takes a suffix that a later header already uses', () => {
    expect(uniqueColumnNames(['a', 'a', 'a_2'])).toEqual(['a', 'a_3', 'a_2']);
    expect(uniqueColumnNames(['column_2', ''])).toEqual(['column_2', 'column_2_2']);
  });

  it('always gives as many unique, non-empty names as it is given (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('', 'a', 'a_2', 'column_1', 'column_2', ' '), fc.string()), { maxLength: 12 }),
        (names) => {
          const out = uniqueColumnNames(names);
          expect(out).toHaveLength(names.length);
          expect(new Set(out).size).toBe(out.length);
          for (const [i, name] of out.entries()) {
            expect(name.trim()).not.toBe('');
            // A name written in the header and seen for the first time is kept.
            const written = names[i] as string;
            if (written.trim() !== '' && names.indexOf(written) === i) expect(name).toBe(written);
          }
        },
      ),
    );
  });
});

describe('extendColumnNames', () => {
  it('names columns without a header column_1, column_2, ...', () => {
    expect(extendColumnNames([], 3)).toEqual(['column_1', 'column_2', 'column_3']);
  });

  it('names the columns of rows longer than the header by their position', () => {
    expect(extendColumnNames(['a', 'b'], 4)).toEqual(['a', 'b', 'column_3', 'column_4']);
  });

  it('avoids names the header already uses', () => {
    expect(extendColumnNames(['column_3', 'b'], 3)).toEqual(['column_3', 'b', 'column_3_2']);
  });

  it('leaves the names alone when the rows are not wider', () => {
    expect(extendColumnNames(['a', 'b'], 1)).toEqual(['a', 'b']);
  });
});
