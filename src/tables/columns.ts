// Column names: header names made unique, and names for header-less columns.

/**
 * Makes header names unique and non-empty, as the contract spells out: an empty
 * name at position i (1-based) becomes `column_i`; a repeated name gets `_2`, `_3`, ...
 * (skipping suffixes already taken).
 */
export function uniqueColumnNames(names: readonly string[]): string[] {
  const out: string[] = [];
  const taken = new Set<string>();
  const wanted = names.map((name, i) => (name.trim() === '' ? `column_${i + 1}` : name));
  // Names as written win over generated ones: reserve them first.
  const written = new Set(wanted);
  for (const name of wanted) {
    if (!taken.has(name)) {
      out.push(name);
      taken.add(name);
      continue;
    }
    let n = 2;
    while (taken.has(`${name}_${n}`) || written.has(`${name}_${n}`)) n++;
    out.push(`${name}_${n}`);
    taken.add(`${name}_${n}`);
  }
  return out;
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
