// GraphiQL in a real browser: it loads with nothing from outside the server, runs
// the default query against the demo data, and shows the rows.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/log.js';
import { DEMO_BUCKET, seedDemo } from '../../src/storage/embedded/seed.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';

describe('GraphiQL in headless Chromium', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp();
    await seedDemo(app.storage, createLogger('silent'), DEMO_BUCKET);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('runs the default query on the demo CSV and shows typed rows, offline', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(app.url) && !request.url().startsWith('blob:') && !request.url().startsWith('data:'))
        outside.push(request.url());
    });
    let started = performance.now();
    await page.goto(`${app.url}/graphql`);
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 60_000 });
    const firstLoadMs = performance.now() - started;
    const answered = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('sales.csv'));
    await run.click();
    const body = (await (await answered).json()) as {
      data: { object: { table: { rowCount: number; columns: { name: string; type: string }[] } } };
    };
    expect(body.data.object.table.rowCount).toBe(200);
    expect(body.data.object.table.columns).toContainEqual({ name: 'sold_at', type: 'DATETIME' });
    // What the person sees: the response pane shows the typed columns.
    // Monaco draws spaces as no-break spaces.
    const shown = async () => (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');
    await expect.poll(shown, { timeout: 20_000 }).toContain('"name": "order_id"');
    expect(await shown()).toContain('"type": "INT"');
    expect(outside).toEqual([]);
    // A second visit: the page again, its hashed assets from the browser's cache.
    started = performance.now();
    await page.goto(`${app.url}/graphql`);
    await run.waitFor({ timeout: 60_000 });
    console.log(
      `GraphiQL usable after ${Math.round(firstLoadMs)} ms on a first visit, ${Math.round(performance.now() - started)} ms on a second`,
    );
    await page.close();
  }, 120_000);
});
