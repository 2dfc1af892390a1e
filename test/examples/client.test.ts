// The typed example client: its generated code is current, and it runs against a server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../codegen.js';
import { listDemo } from '../../examples/client/list-demo.js';
import { salesInCity } from '../../examples/client/sales-in-city.js';
import { DEMO_CONFIG } from '../../scripts/print-schema.js';
import { loadConfig } from '../../src/datasets/config.js';
import { createLogger } from '../../src/server/log.js';
import { DEMO_BUCKET, seedDemo } from '../../src/storage/embedded/seed.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

describe('the typed example client', () => {
  let app: TestApp;
  const bucket = uniqueBucket('demo');

  let datasets: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    await seedDemo(app.storage, createLogger('silent'), bucket);
    // The demo datasets read the `demo` bucket, as `npm start` seeds it.
    await seedDemo(app.storage, createLogger('silent'), DEMO_BUCKET);
    datasets = await startTestApp({}, { config: loadConfig(DEMO_CONFIG) });
  });
  afterAll(async () => {
    await app?.close();
    await datasets?.close();
  });

  it('has generated code that matches the schema and documents (run `npm run codegen` when this fails)', async () => {
    const outputs = (await generate({ ...config, silent: true }, false)) as { filename: string; content: string }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(readFileSync(join(process.cwd(), output.filename), 'utf8'), output.filename).toBe(output.content);
    }
  });

  it('lists the demo bucket and reads its CSV as typed rows', async () => {
    const lines = await listDemo(`${app.url}/graphql`, bucket, 'sales.csv');
    expect(lines).toContain('sales.csv\t12054 bytes\tCSV');
    expect(lines).toContain('report.xlsx\t14989 bytes\tXLSX');
    const summary = lines.find((line) => line.startsWith('sales.csv: '));
    expect(summary).toBe(
      'sales.csv: 200 rows; columns order_id:INT, sold_at:DATETIME, city:STRING, product:STRING, quantity:INT, unit_price:FLOAT, paid:BOOLEAN, zip_code:STRING',
    );
    const top = JSON.parse(lines[lines.indexOf(summary as string) + 1] as string) as Record<string, unknown>;
    expect(typeof top.unit_price).toBe('number');
    expect(top.sold_at).toMatch(/^2024-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
  });

  it('queries a demo dataset with a typed filter and an aggregate', async () => {
    const lines = await salesInCity(`${datasets.url}/graphql`, '서울', 1000);
    const [head, ...rest] = lines;
    expect(head).toMatch(/^\d+ orders in 서울 at 1000 or more; the latest:$/);
    const orders = rest.slice(0, rest.indexOf('by product:'));
    expect(orders.length).toBeGreaterThan(0);
    for (const line of orders) expect(line).toMatch(/^#\d+ 2024-\d\d-\d\d \S+ × \d+ at (1\d{3}|[2-9]\d{3})\.\d\d( \(unpaid\))?$/);
    expect(rest.slice(rest.indexOf('by product:') + 1).every((line) => / orders, \d+ items, average price \d+\.\d\d$/.test(line))).toBe(
      true,
    );
  });
});
