// Which columns aggregates offer a sum and an average for: numbers that are amounts,
// not identifiers. An INT or FLOAT column whose name ends in an identifier word
// (`id`, `order_id`, `orderId`, `zip_code`, `phone_no`, `sku`, ...) is a key: its sum
// means nothing, so typed aggregates leave it out of `sum`/`avg` (min/max keep it).
import type { ColumnType } from '../tables/types.js';

const IDENTIFIER_WORDS = new Set([
  'id',
  'ids',
  'uuid',
  'guid',
  'key',
  'code',
  'no',
  'nr',
  'number',
  'num',
  'zip',
  'zipcode',
  'postcode',
  'phone',
  'sku',
  'index',
]);

/** The words of a column name: snake_case, kebab-case, spaces and camelCase split, lower-cased. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** True for a column named like an identifier (its last word is id, code, no, key, ...). */
export function isIdentifierName(name: string): boolean {
  return IDENTIFIER_WORDS.has(words(name).at(-1) ?? '');
}

/** True when a column's sum and average mean something: INT or FLOAT, not named like an identifier. */
export function offersSumAndAvg(name: string, type: ColumnType): boolean {
  return (type === 'INT' || type === 'FLOAT') && !isIdentifierName(name);
}
