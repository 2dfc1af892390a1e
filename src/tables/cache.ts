// The cross-request table cache: parsed small tables, table schemas and row counts.
// Every entry is keyed by a digest that includes the object's ETag, and every
// request looks the ETag up afresh (HEAD), so a changed object is never served
// from here. Bounded by bytes (BUCKETQL_CACHE_BYTES), least recently used first out.
import { LRUCache } from 'lru-cache';
import { metrics } from '../metrics.js';
import type { TableRow, TableSchema } from './reader.js';

type Entry = { kind: 'schema'; schema: TableSchema } | { kind: 'rows'; rows: TableRow[]; bytes: number } | { kind: 'count'; count: number };

export class TableCache {
  private readonly lru: LRUCache<string, Entry>;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, Entry>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (entry) =>
        entry.kind === 'rows' ? Math.max(1, entry.bytes) : entry.kind === 'schema' ? 1024 + entry.schema.columns.length * 128 : 64,
      dispose: (entry, _key, reason) => {
        if (reason === 'evict') metrics.cacheEvictions.inc({ kind: entry.kind });
      },
    });
  }

  /** Looks an entry up, counting the hit or miss. */
  private get(key: string, kind: Entry['kind']): Entry | undefined {
    const entry = this.lru.get(key);
    (entry?.kind === kind ? metrics.cacheHits : metrics.cacheMisses).inc({ kind });
    return entry;
  }

  private set(key: string, entry: Entry): void {
    this.lru.set(key, entry);
    metrics.cacheBytes.set(this.lru.calculatedSize);
  }

  getSchema(table: string): TableSchema | undefined {
    const entry = this.get(`s:${table}`, 'schema');
    return entry?.kind === 'schema' ? entry.schema : undefined;
  }
  setSchema(table: string, schema: TableSchema): void {
    this.set(`s:${table}`, { kind: 'schema', schema });
  }

  getRows(table: string): TableRow[] | undefined {
    const entry = this.get(`r:${table}`, 'rows');
    return entry?.kind === 'rows' ? entry.rows : undefined;
  }
  setRows(table: string, rows: TableRow[], bytes: number): void {
    this.set(`r:${table}`, { kind: 'rows', rows, bytes });
  }

  getCount(table: string, filter: string): number | undefined {
    const entry = this.get(`c:${table}:${filter}`, 'count');
    return entry?.kind === 'count' ? entry.count : undefined;
  }
  setCount(table: string, filter: string, count: number): void {
    this.set(`c:${table}:${filter}`, { kind: 'count', count });
  }

  clear(): void {
    this.lru.clear();
    metrics.cacheBytes.set(0);
  }
}
