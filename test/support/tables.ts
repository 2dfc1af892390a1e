// Helpers for the table layer's unit tests: byte sources over Buffers (chunked as a
// test likes), codec events collected, and TableReaders over bytes without S3.
import { Readable } from 'node:stream';
import type { ByteSource, Codec, RawCell, TableEvent, TableReadOptions } from '../../src/codecs/types.js';
import { TableCache } from '../../src/tables/cache.js';
import { readPage } from '../../src/tables/query.js';
import { type TableOptions, TableReader } from '../../src/tables/reader.js';

export interface RecordingSource extends ByteSource {
  /** The `start` of every open(), in order. */
  readonly opens: number[];
  /** Bytes its streams have handed out so far (taken by a reader, or buffered ahead for it). */
  delivered: number;
}

/** A ByteSource over a Buffer whose streams yield `chunkSize`-byte chunks. */
export function bufferSource(bytes: Buffer, chunkSize = 64 * 1024): RecordingSource {
  const opens: number[] = [];
  const source: RecordingSource = {
    size: bytes.length,
    opens,
    delivered: 0,
    async open(start = 0) {
      opens.push(start);
      function* chunks() {
        for (let at = start; at < bytes.length; at += chunkSize) {
          const chunk = bytes.subarray(at, Math.min(at + chunkSize, bytes.length));
          source.delivered += chunk.length;
          yield chunk;
        }
      }
      // Object mode keeps every chunk as cut: a byte stream would merge them when read.
      return Readable.from(chunks());
    },
  };
  return source;
}

/** A ByteSource whose streams (from 0) are cut at these byte positions; from elsewhere, one chunk. */
export function cutSource(bytes: Buffer, cuts: readonly number[]): RecordingSource {
  const opens: number[] = [];
  return {
    size: bytes.length,
    opens,
    delivered: 0,
    async open(start = 0) {
      opens.push(start);
      const edges = [start, ...cuts.filter((c) => c > start && c < bytes.length), bytes.length];
      return Readable.from(edges.slice(1).map((end, i) => bytes.subarray(edges[i], end)));
    },
  };
}

export interface CollectedTable {
  dialect: { encoding: string; delimiter?: string } | null;
  header: string[] | null;
  /** Array rows (CSV, TSV) or records (JSON, NDJSON), in order. */
  rows: (RawCell[] | Record<string, unknown>)[];
  /** offsetAfter of every row, or null where the event had none. */
  offsets: (number | null)[];
  events: TableEvent['type'][];
}

export async function collect(events: AsyncIterable<TableEvent>): Promise<CollectedTable> {
  const out: CollectedTable = { dialect: null, header: null, rows: [], offsets: [], events: [] };
  for await (const event of events) {
    out.events.push(event.type);
    if (event.type === 'dialect') out.dialect = { encoding: event.encoding, ...(event.delimiter ? { delimiter: event.delimiter } : {}) };
    else if (event.type === 'header') out.header = event.names;
    else if (event.type === 'rows' || event.type === 'records') {
      const items = event.type === 'rows' ? event.rows : event.records;
      items.forEach((item, i) => {
        out.rows.push(item);
        out.offsets.push(event.offsetAfter ? event.offsetAfter(i) : null);
      });
    }
  }
  return out;
}

export function readWith(codec: Codec, bytes: Buffer | string, options: Partial<TableReadOptions> = {}, chunkSize?: number) {
  const source = bufferSource(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, chunkSize);
  const readTable = codec.readTable;
  if (!readTable) throw new Error(`${codec.format} has no table reader`);
  return collect(readTable.call(codec, source, { header: true, ...options }));
}

export interface ReaderSetup {
  codec: Codec;
  options?: Partial<TableOptions>;
  inferRows?: number;
  /** Objects up to this size are read whole and cached; 0 streams every read. */
  cacheTableBytes?: number;
  chunkSize?: number;
  cache?: TableCache;
  etag?: string;
}

/** A TableReader over bytes, as the objects service builds one over S3, with a fresh cache unless given. */
export function tableOf(bytes: Buffer | string, setup: ReaderSetup): TableReader & { source: RecordingSource } {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const source = bufferSource(data, setup.chunkSize);
  const reader = new TableReader(
    {
      bucket: 'unit',
      key: `table${setup.codec.extensions[0]}`,
      etag: setup.etag ?? 'etag',
      size: data.length,
      compression: 'NONE',
      codec: setup.codec,
      open: (start) => source.open(start),
      openStored: (start) => source.open(start),
    },
    { format: setup.codec.format, header: true, ...setup.options },
    { inferRows: setup.inferRows ?? 1000, cacheTableBytes: setup.cacheTableBytes ?? 16 * 1024 * 1024 },
    setup.cache ?? new TableCache(64 * 1024 * 1024),
    new AbortController().signal,
  );
  return Object.assign(reader, { source });
}

/** Every row of a table as `values` objects, paging through it with cursors. */
export async function allValues(reader: TableReader, pageSize = 10_000): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let after: string | null = null;
  while (true) {
    const page = await readPage(reader, { first: pageSize, after });
    out.push(...page.rows.map((r) => r.values));
    if (!page.hasNextPage) return out;
    after = page.endCursor;
  }
}
