// A wall timeline of a bucketql process, for bench/small-timeline.ts (TRACE_IMPORT=this
// file, TRACE_FILE=where): each line `@T <epoch ms> BQ <event>` — HTTP requests served
// (start, body read, first write, finish), HTTP requests to the store (sent, socket,
// response headers, end), new connections, garbage collections (kind, start, duration)
// and, with TRACE_STALL=1, event-loop stalls over 4 ms. The first line pairs the epoch
// with the monotonic clock (`clock <µs>`), which CPU profiles' timestamps use. It only
// listens: it adds no 'data' listener (that would switch a response to flowing mode).
import dc from 'node:diagnostics_channel';
import { openSync, writeSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const fd = process.env.TRACE_FILE ? openSync(process.env.TRACE_FILE, 'a') : 2;
const t0 = performance.timeOrigin;
const log = (msg) => writeSync(fd, `@T ${(t0 + performance.now()).toFixed(2)} BQ ${msg}\n`);
let n = 0;
log(`clock ${(Number(process.hrtime.bigint()) / 1000).toFixed(0)}`);

dc.subscribe('http.server.request.start', ({ request, response }) => {
  const id = ++n;
  log(`srv#${id} start ${request.method} ${request.url.slice(0, 80)}`);
  request.once('end', () => log(`srv#${id} body-end`));
  const write = response.write;
  let first = true;
  response.write = function (...args) {
    if (first) {
      first = false;
      log(`srv#${id} first-write`);
    }
    return write.apply(this, args);
  };
  response.once('finish', () => log(`srv#${id} finish`));
});

dc.subscribe('http.client.request.start', ({ request }) => {
  const id = ++n;
  log(`cli#${id} start ${request.method} ${request.path.slice(0, 60)} ${request.getHeader('range') ?? ''} reused=${request.reusedSocket}`);
  request.once('socket', (socket) => log(`cli#${id} socket connecting=${socket.connecting}`));
  request.once('response', (response) => {
    log(`cli#${id} headers ${response.statusCode}`);
    response.once('end', () => log(`cli#${id} end`));
  });
});

dc.subscribe('net.client.socket', () => log('net connect'));

const kinds = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    log(`gc ${kinds[e.detail?.kind] ?? e.detail?.kind} at ${(t0 + e.startTime).toFixed(2)} dur ${e.duration.toFixed(2)}`);
}).observe({ entryTypes: ['gc'] });

if (process.env.TRACE_STALL) {
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 6) log(`stall ${(now - last - 2).toFixed(1)}ms`);
    last = now;
  }, 2).unref();
}
