// The cross-request table cache: tables kept column by column (ColumnarTable), table
// schemas and row counts. Every entry is keyed by a digest that includes the object's
// ETag, and every request looks the ETag up afresh (HEAD, or a GET whose headers carry
// it), so a changed object is never served from here. Bounded by bytes
// (BUCKETQL_CACHE_BYTES), least recently used first out. Builds in flight are shared:
// a scan that would build a table another request is already building waits for that
// one instead of reading the object again. With a disk tier (BUCKETQL_CACHE_DIR,
// disk-cache.ts), every table kept is also written to disk, and a table not in memory
// is looked for there before the object is read; a table larger than memory is kept
// there in segments (spill.ts) and read back a segment at a time.
import { LRUCache } from 'lru-cache';
import { metrics } from '../metrics.js';
import type { ColumnarBuilder, ColumnarTable } from './columnar.js';
import { type DiskTable, DiskTables, type SpillSet } from './disk-cache.js';
import { SpillBuild, type SpillStop, spilledBatches } from './spill.js';
import type { RowBatch, TableSchema } from './types.js';

/** A read building a table's columnar form, as other readers of the same table see it. */
export interface TableBuild {
  /** 'small': the read of a small object begun with its schema; 'scan': a full scan of a larger one. */
  kind: 'small' | 'scan';
  schema: Promise<TableSchema>;
  /** The table, or null when the read stopped or outgrew the cache. Rejects with the read's error. */
  done: Promise<ColumnarTable | null>;
}

type Entry = { kind: 'schema'; schema: TableSchema } | { kind: 'columns'; table: ColumnarTable } | { kind: 'count'; count: number };

export class TableCache {
  private readonly lru: LRUCache<string, Entry>;
  private readonly building = new Map<string, TableBuild>();
  /** Objects (bucket and key) read as tables lately, whatever their ETag: their next question may find its answer here. */
  private readonly read = new LRUCache<string, true>({ max: 10_000 });

  constructor(
    readonly maxBytes: number,
    /** The disk tier, when BUCKETQL_CACHE_DIR is set. */
    readonly disk: DiskTables | null = null,
    /** False for a cache no user request reads (the start-up warm-up's): its lookups and size stay out of the metrics. */
    private readonly counted = true,
  ) {
    this.lru = new LRUCache<string, Entry>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (entry) =>
        entry.kind === 'columns' ? Math.max(1, entry.table.bytes) : entry.kind === 'schema' ? 1024 + entry.schema.columns.length * 128 : 64,
      dispose: (entry, _key, reason) => {
        if (reason === 'evict' && this.counted) metrics.cacheEvictions.inc({ kind: entry.kind });
      },
    });
  }

  /** Looks an entry up, counting the hit or miss. */
  private get(key: string, kind: Entry['kind']): Entry | undefined {
    const entry = this.lru.get(key);
    if (this.counted) (entry?.kind === kind ? metrics.cacheHits : metrics.cacheMisses).inc({ kind });
    return entry;
  }

  private set(key: string, entry: Entry): void {
    this.lru.set(key, entry);
    if (this.counted) metrics.cacheBytes.set(this.lru.calculatedSize);
  }

  getSchema(table: string): TableSchema | undefined {
    const entry = this.get(`s:${table}`, 'schema');
    return entry?.kind === 'schema' ? entry.schema : undefined;
  }
  setSchema(table: string, schema: TableSchema): void {
    this.set(`s:${table}`, { kind: 'schema', schema });
  }

  getColumns(table: string): ColumnarTable | undefined {
    const entry = this.get(`t:${table}`, 'columns');
    return entry?.kind === 'columns' ? entry.table : undefined;
  }
  /** Keeps a table's columns (and, with a disk tier, writes them there with the table's schema in the background). */
  setColumns(table: string, columns: ColumnarTable): void {
    this.set(`t:${table}`, { kind: 'columns', table: columns });
    const schema = this.lru.peek(`s:${table}`);
    if (this.disk && schema?.kind === 'schema') void this.disk.save(table, schema.schema, columns);
  }

  /**
   * The table and its schema from the disk tier, kept in memory again; null without a
   * disk tier or when it has no (sound) file of this table.
   */
  async fromDisk(table: string): Promise<DiskTable | null> {
    if (!this.disk) return null;
    const kept = await this.disk.load(table);
    metrics[kept ? 'cacheHits' : 'cacheMisses'].inc({ kind: 'disk' });
    if (!kept) return null;
    this.set(`s:${table}`, { kind: 'schema', schema: kept.schema });
    if (this.fits(kept.table.bytes)) this.set(`t:${table}`, { kind: 'columns', table: kept.table });
    return kept;
  }
  /**
   * The set a table larger than memory was spilled to (its schema kept in memory again);
   * null without a disk tier or when there is none.
   */
  async spilled(table: string): Promise<SpillSet | null> {
    if (!this.disk) return null;
    const set = await this.disk.loadSpill(table);
    metrics[set ? 'cacheHits' : 'cacheMisses'].inc({ kind: 'spill' });
    if (set) this.set(`s:${table}`, { kind: 'schema', schema: set.schema });
    return set;
  }

  /** A spilled set's rows from row `from`: see spilledBatches. */
  readSpilled(set: SpillSet, from: number): AsyncGenerator<RowBatch, SpillStop | null> {
    return spilledBatches(this.disk as DiskTables, set, from);
  }

  /**
   * With a disk tier: a spill that takes over a build which outgrew memory, its rows as
   * the first segment; null without one.
   */
  spill(table: string, schema: TableSchema, outgrown: ColumnarBuilder): SpillBuild | null {
    if (!this.disk) return null;
    return new SpillBuild(this.disk.spillWriter(table, schema), outgrown, schema.columns, schema.reading, this.disk.segmentBytes);
  }

  /** With a disk tier: a whole table too large for memory, spilled as one segment and published; false without one. */
  async spillTable(table: string, schema: TableSchema, columns: ColumnarTable): Promise<boolean> {
    if (!this.disk) return false;
    const writer = this.disk.spillWriter(table, schema);
    if (await writer.add(columns, undefined)) return writer.publish();
    await writer.discard();
    return false;
  }

  /** Whether a table of this many bytes can be kept at all. */
  fits(bytes: number): boolean {
    return bytes <= this.maxBytes;
  }

  /** The build of this table in flight (null when it ends without a table), if any. */
  inFlight(table: string): TableBuild | undefined {
    return this.building.get(table);
  }
  /** Registers a build; it is forgotten when it settles. */
  startBuild(table: string, build: TableBuild): void {
    this.building.set(table, build);
    const forget = () => {
      if (this.building.get(table) === build) this.building.delete(table);
    };
    build.done.then(forget, forget);
  }

  /** Notes that a table of this object is being read (so its next question checks the ETag before reading bytes). */
  noteRead(bucket: string, key: string): void {
    this.read.set(`${bucket}\u0000${key}`, true);
  }
  /** Whether a table of this object was read lately (and so may be answered from here, if its ETag is unchanged). */
  readLately(bucket: string, key: string): boolean {
    return this.read.has(`${bucket}\u0000${key}`);
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
    this.read.clear();
    if (this.counted) metrics.cacheBytes.set(0);
  }
}

/** The cache a server's settings ask for: BUCKETQL_CACHE_BYTES in memory, and BUCKETQL_CACHE_DIR on disk when set. */
export function tableCacheFor(
  settings: { cacheBytes: number; cacheDir?: string | undefined; cacheDirBytes: number; cacheSegmentBytes?: number | undefined },
  log: { warn(message: string, fields?: Record<string, unknown>): void },
): TableCache {
  const disk = settings.cacheDir
    ? new DiskTables(
        settings.cacheDir,
        settings.cacheDirBytes,
        {
          discarded: (file, reason) => log.warn('cache file discarded', { file, reason }),
          writeFailed: (_id, error) =>
            log.warn('cache file not written', { reason: error instanceof Error ? error.message : String(error) }),
        },
        settings.cacheSegmentBytes,
      )
    : null;
  return new TableCache(settings.cacheBytes, disk);
}
