// Shared passes: every scan of one row source asked for in the same tick runs in one
// pass over its rows, which stops (aborting the read behind it) as soon as no
// consumer wants more. Consumers with different starts get a pass each. A pass
// knows whether all its consumers read every row (`whole`): such a pass may wait for
// a table being built elsewhere rather than read the object itself. It also knows what
// its consumers read (`needs`), so that columnar sources read no more. Rows of a
// columnar table come as spans, handed over whole when every consumer takes them.
import { spanRows } from './columnar.js';
import type { RangeTest } from './prune.js';
import type { RowBatch, ScanConsumer, ScanNeeds, ScanStart, TableRow } from './types.js';

export type { RowBatch };

interface Job {
  consumer: ScanConsumer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class SharedPasses {
  private pending: Job[] = [];
  private scheduled = false;

  constructor(private readonly scan: (start: ScanStart, whole: boolean, needs?: ScanNeeds) => AsyncIterable<RowBatch>) {}

  run(consumer: ScanConsumer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ consumer, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current microtasks: sibling fields resolving together join one pass.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.pending;
    this.pending = [];
    const groups = new Map<string, Job[]>();
    for (const job of jobs) {
      const key = `${job.consumer.start.index}:${job.consumer.start.offset ?? ''}`;
      const group = groups.get(key);
      if (group) group.push(job);
      else groups.set(key, [job]);
    }
    for (const group of groups.values()) {
      this.pass((group[0] as Job).consumer.start, group).then(
        () => {
          for (const job of group) job.resolve();
        },
        (error: unknown) => {
          for (const job of group) job.reject(error);
        },
      );
    }
  }

  private async pass(start: ScanStart, jobs: Job[]): Promise<void> {
    let active = jobs.map((job) => job.consumer);
    const whole = active.every((consumer) => consumer.whole === true);
    for await (const batch of this.scan(start, whole, mergeNeeds(active))) {
      const { offsetAfter, block, span } = batch;
      if (block) {
        active = active.filter((consumer) => consumer.takeBlock?.(block) === true);
        if (active.length === 0) return;
        continue;
      }
      if (span && active.every((consumer) => consumer.takeColumns)) {
        active = active.filter((consumer) => consumer.takeColumns?.(span.table, span.from, span.to) === true);
        if (active.length === 0) return;
        continue;
      }
      const rows = span ? spanRows(span) : batch.rows;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as TableRow;
        let finished: ScanConsumer[] | null = null;
        for (const consumer of active) {
          if (consumer.take(row, offsetAfter, i)) continue;
          finished ??= [];
          finished.push(consumer);
        }
        if (finished) {
          const gone = finished;
          active = active.filter((consumer) => !gone.includes(consumer));
        }
        if (active.length === 0) return; // leaving the loop aborts the read
      }
    }
  }
}

/**
 * What a pass must read to serve all its consumers: the union of their columns, and
 * rows any of their filters may want. A consumer that says nothing needs everything.
 */
export function mergeNeeds(consumers: readonly ScanConsumer[]): ScanNeeds | undefined {
  if (consumers.some((consumer) => !consumer.needs)) return undefined;
  const needs = consumers.map((consumer) => consumer.needs as ScanNeeds);
  const columns = needs.some((n) => n.columns === null) ? null : new Set(needs.flatMap((n) => [...(n.columns as ReadonlySet<string>)]));
  const tests = needs.map((n) => n.mayMatch);
  const mayMatch: RangeTest | null = tests.some((t) => t === null)
    ? null
    : tests.length === 1
      ? (tests[0] as RangeTest)
      : (rangeOf) => tests.some((test) => (test as RangeTest)(rangeOf));
  // Rows proved to match must match every consumer's filter, and no consumer may need the cells of its filter columns.
  const proofs = needs.map((n) => n.allMatch);
  const allMatch: RangeTest | null = proofs.some((p) => !p) ? null : (rangeOf) => proofs.every((p) => (p as RangeTest)(rangeOf));
  const filterColumns = new Set(needs.flatMap((n) => [...(n.filterColumns ?? [])]));
  const blocks = needs.every((n) => n.blocks === true) && consumers.every((consumer) => consumer.takeBlock);
  return { columns, mayMatch, indexes: needs.some((n) => n.indexes !== false), allMatch, filterColumns, blocks };
}
