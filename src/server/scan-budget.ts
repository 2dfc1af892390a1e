// Reads of whole objects (table scans, text/json/content) are what memory and CPU
// go to: each request may start at most BUCKETQL_MAX_SCANS_PER_REQUEST of them, and
// the process runs at most BUCKETQL_MAX_CONCURRENT_SCANS at once, the others waiting
// in a queue (first come, first served; a request whose client left leaves it).
// Resolvers call `ctx.scans.run(what, read)` around each such read.
import { BadUserInput } from '../errors.js';

/** A counting semaphore with a FIFO queue. */
export class ScanSlots {
  private running = 0;
  private readonly waiting: { start: () => void; signal: AbortSignal | undefined; onAbort: () => void }[] = [];

  constructor(readonly max: number) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.running--;
      this.next();
    };
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', entry.onAbort);
          this.running++;
          resolve(release);
        },
        signal,
        onAbort: () => {
          const at = this.waiting.indexOf(entry);
          if (at !== -1) this.waiting.splice(at, 1);
          reject(signal?.reason ?? new Error('aborted'));
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private next(): void {
    while (this.running < this.max) {
      const entry = this.waiting.shift();
      if (!entry) return;
      entry.start();
    }
  }
}

/** One request's scans: counted against the per-request limit, each run in a process-wide slot. */
export class ScanBudget {
  private started = 0;

  constructor(
    private readonly max: number,
    private readonly slots: ScanSlots,
    private readonly signal?: AbortSignal,
  ) {}

  /** Scans this request has started. */
  get count(): number {
    return this.started;
  }

  async run<T>(what: string, read: () => Promise<T>): Promise<T> {
    this.started++;
    if (this.started > this.max) {
      throw new BadUserInput(
        `This request reads more than ${this.max} whole objects or tables (${what} would be read #${this.started}): split it, or raise BUCKETQL_MAX_SCANS_PER_REQUEST`,
        { limit: this.max, setting: 'BUCKETQL_MAX_SCANS_PER_REQUEST' },
      );
    }
    const release = await this.slots.acquire(this.signal);
    try {
      return await read();
    } finally {
      release();
    }
  }
}
