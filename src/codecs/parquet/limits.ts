// The limits a Parquet file must keep within to be read: a hostile or broken file
// (a footer length pointing outside the file, a page declaring gigabytes, a schema
// nested a thousand deep, a decompression bomb) is refused quickly, naming the limit.

/** The footer (file metadata) may be at most this large. */
export const PARQUET_MAX_FOOTER_BYTES = 64 * 1024 * 1024;
/** A page may decompress to at most this many bytes (Parquet writers use about 1 MiB). */
export const PARQUET_MAX_PAGE_BYTES = 256 * 1024 * 1024;
/** The column chunks one read of a row group needs may together be at most this large, compressed or not. */
export const PARQUET_MAX_ROW_GROUP_BYTES = 1024 * 1024 * 1024;
/** Schema nesting (structs in lists in maps ...) may be at most this deep. */
export const PARQUET_MAX_NESTING = 64;
/** The first ranged read of the footer: the end of the file, which holds it most times. */
export const PARQUET_FOOTER_GUESS_BYTES = 64 * 1024;
/** A column chunk's column index or offset index may be at most this large (a page's entry takes tens of bytes). */
export const PARQUET_MAX_PAGE_INDEX_BYTES = 16 * 1024 * 1024;
