// A full garbage collection on request. When SIGHUP empties the table cache, its
// tables' typed arrays (most of a big table's bytes, outside V8's heap) go back to the
// system only when V8 next collects them, which an idle server may not do for a long
// while: measured, a 1M-row table's 87 MiB stayed resident after the cache was
// emptied, and 40 MiB remained after a full collection. V8 offers gc() only under
// --expose-gc: the flag is set at run time (node:v8) and gc() taken from a fresh
// context, so bucketql's command line needs no flag.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null = null;

/** Runs a full garbage collection now (a pause of tens of milliseconds on a large heap). */
export function releaseMemory(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
