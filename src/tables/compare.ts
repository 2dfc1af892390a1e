// Orderings of typed values: numbers as numbers, DATETIME as instants, strings
// by Unicode code point (not UTF-16 code unit), booleans false < true.
import type { TypedValue } from './types.js';

/** Compares two strings by code point. UTF-16 order differs only around surrogates. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

/** Moves surrogates above the rest of the BMP, where their code points are. */
function fixup(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Compares two non-null values of the same JS type; values of different types compare by type name. */
export function compareValues(a: TypedValue, b: TypedValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareCodePoints(stringForm(a), stringForm(b));
}

/** A value's text: how misfits and JSON values compare. */
export function stringForm(value: TypedValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
