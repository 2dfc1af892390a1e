// Column names: header names made unique, and names for header-less columns.

/**
 * Makes header names unique and non-empty, as the contract spells out: an empty
 * name at position i (1-based) becomes `column_i`; a repeated name gets `_2`, `_3`, ...
 * (skipping suffixes already taken).
 */
export function uniqueColumnNames(names: readonly string[]): string[] {
  const empty = names.map((name) => name.trim() === '');
  // Names as written win over generated ones: the first of each claims its name
  // before any `column_i` or `_n` suffix is made (["", "column_1"] keeps "column_1").
  const taken = new Set<string>();
  const out: (string | null)[] = names.map((name, i) => {
    if (empty[i] || taken.has(name)) return null;
    taken.add(name);
    return name;
  });
  const written = new Set(names);
  return out.map((name, i) => {
    if (name !== null) return name;
    const base = empty[i] ? `column_${i + 1}` : (names[i] as string);
    if (empty[i] && !taken.has(base)) {
      taken.add(base);
      return base;
    }
    let n = 2;
    while (taken.has(`${base}_${n}`) || written.has(`${base}_${n}`)) n++;
    taken.add(`${base}_${n}`);
    return `${base}_${n}`;
  });
}

/** Extends a name list to `width` columns, naming the new ones `column_i`. */
export function extendColumnNames(names: string[], width: number): string[] {
  if (names.length >= width) return names;
  const taken = new Set(names);
  const out = [...names];
  for (let i = names.length; i < width; i++) {
    let name = `column_${i + 1}`;
    for (let n = 2; taken.has(name); n++) name = `column_${i + 1}_${n}`;
    taken.add(name);
    out.push(name);
  }
  return out;
}
