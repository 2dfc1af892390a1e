// Column types and typed values: what the table layer makes of a codec's raw cells.

export const COLUMN_TYPES = ['STRING', 'INT', 'FLOAT', 'BOOLEAN', 'DATETIME', 'JSON', 'NULL'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A cell after typing: what `Row.values` and `Row.cells` hold. DATETIME values are Dates until serialised. */
export type TypedValue = string | number | boolean | Date | null | readonly unknown[] | { readonly [key: string]: unknown };

export interface Column {
  name: string;
  index: number;
  type: ColumnType;
  nullable: boolean;
}
