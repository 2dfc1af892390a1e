// The Parquet codec: tables read through ranged reads of the footer and of the column
// chunks a question needs (./read.ts), typed from the schema (./columns.ts), and
// rows written as typed columns (./write.ts). On hyparquet, hyparquet-compressors
// and hyparquet-writer: pure JavaScript, no native code, and byte-range reads.
import type { Codec } from '../types.js';
import { describeParquet, readParquetTable } from './read.js';
import { encodeParquet } from './write.js';

export const parquetCodec: Codec = {
  format: 'PARQUET',
  extensions: ['.parquet', '.parq'],
  contentType: 'application/vnd.apache.parquet',
  supportsOffsets: false,
  seeksRows: true,
  readTable: readParquetTable,
  describeTable: (source) => describeParquet(source),
  encode: (content) => encodeParquet(content),
};
