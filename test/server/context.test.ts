// A request's context (src/context.ts): its signal takes one abort listener per S3 read
// in flight, many at once for a wide Parquet page, without Node warning of a leak.
import { afterEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { createServices, requestContext } from '../../src/context.js';
import { MemoryStorage } from '../../src/storage/memory.js';

const warnings: Error[] = [];
const collect = (warning: Error) => warnings.push(warning);
afterEach(() => {
  process.off('warning', collect);
  warnings.length = 0;
});

describe('a request context', () => {
  it('lets its signal have a listener for each of many reads in flight, with no leak warning', async () => {
    process.on('warning', collect);
    const services = createServices(parseSettings([], {}), new MemoryStorage());
    const controller = new AbortController();
    const ctx = requestContext(services, controller.signal);
    let aborted = 0;
    for (let i = 0; i < 200; i++) ctx.signal.addEventListener('abort', () => aborted++, { once: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    controller.abort();
    expect(aborted).toBe(200);
  });
});
