// GraphQL names for column names that are not valid GraphQL names: readable,
// stable (the same columns always give the same fields) and collision-free.
// Hangul is romanised (Revised Romanization, syllable by syllable), so 매출액 is
// `maechulaek`; other characters outside ASCII become their code point (`u4e2d`).

const INITIALS = ['g', 'kk', 'n', 'd', 'tt', 'r', 'm', 'b', 'pp', 's', 'ss', '', 'j', 'jj', 'ch', 'k', 't', 'p', 'h'];
const MEDIALS = [
  'a',
  'ae',
  'ya',
  'yae',
  'eo',
  'e',
  'yeo',
  'ye',
  'o',
  'wa',
  'wae',
  'oe',
  'yo',
  'u',
  'wo',
  'we',
  'wi',
  'yu',
  'eu',
  'ui',
  'i',
];
const FINALS = [
  '',
  'k',
  'k',
  'k',
  'n',
  'n',
  'n',
  't',
  'l',
  'k',
  'm',
  'l',
  'l',
  'l',
  'p',
  'l',
  'm',
  'p',
  'p',
  't',
  't',
  'ng',
  't',
  't',
  'k',
  't',
  'p',
  't',
];

/** Romanises Hangul syllables; leaves everything else as it is. */
export function romanizeHangul(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0xac00 && code <= 0xd7a3) {
      const index = code - 0xac00;
      const initial = Math.floor(index / 588);
      const medial = Math.floor((index % 588) / 28);
      const final = index % 28;
      // A word boundary before each syllable would split words; keep syllables together.
      out += `${INITIALS[initial]}${MEDIALS[medial]}${FINALS[final]}`;
    } else out += ch;
  }
  return out;
}

/** Words of a name: runs of ASCII letters and digits, Hangul romanised, other letters as code points. */
function words(name: string): string[] {
  const romanised = [...romanizeHangul(name)]
    .map((ch) => {
      if (/[A-Za-z0-9]/.test(ch)) return ch;
      if (/[\p{L}\p{N}]/u.test(ch)) return ` u${(ch.codePointAt(0) as number).toString(16)} `;
      return ' ';
    })
    .join('');
  // Split camelCase too, so `unitPrice` and `unit_price` give the same field.
  return romanised
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/\s+/)
    .filter(Boolean);
}

/** A GraphQL field name in camelCase for a column name ("unit_price" → "unitPrice", "매출액" → "maechulaek"). */
export function fieldNameFor(column: string): string {
  const parts = words(column).map((w) => w.toLowerCase());
  let name = parts.map((w, i) => (i === 0 ? w : w[0]?.toUpperCase() + w.slice(1))).join('');
  if (name === '') name = 'column';
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return name;
}

/** A GraphQL type name in PascalCase ("daily sales" → "DailySales"). */
export function typeNameFor(name: string): string {
  const field = fieldNameFor(name);
  return field.replace(/^_/, 'T').replace(/^./, (c) => c.toUpperCase());
}

export const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * Field names for columns, in column order: a valid name is kept as written (unless
 * reserved), others are made readable; a collision gets `_2`, `_3`, ... in column order.
 * `overrides` (from the config) win and must themselves be valid and unique.
 */
export function fieldNamesFor(
  columns: readonly string[],
  overrides: ReadonlyMap<string, string> = new Map(),
  reserved: ReadonlySet<string> = new Set(),
): string[] {
  const taken = new Set<string>([...reserved, ...overrides.values()]);
  return columns.map((column) => {
    const chosen = overrides.get(column);
    if (chosen) return chosen;
    const base = GRAPHQL_NAME.test(column) && !column.startsWith('__') && !reserved.has(column) ? column : fieldNameFor(column);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  });
}
