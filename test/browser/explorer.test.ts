// The explorer at `/` in a real browser, as a new user would go through it: buckets,
// folders and breadcrumbs, the demo CSV as a typed grid (sort, filter, filter builder,
// a second page by scrolling), the workbook's second sheet, the chart, trees and
// text, uploads (file input and drag and drop), delete, create a bucket, "Show
// query" — with nothing loaded from elsewhere, no serious axe-core violations, and a
// screenshot of each main view in docs/screenshots/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/server/log.js';
import { describeEmbedded } from '../../src/storage/check.js';
import { seedDemo } from '../../src/storage/embedded/seed.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';

const SCREENSHOTS = join(process.cwd(), 'docs', 'screenshots');
/** Polls longer than vitest's default second: pages wait on the server, and CI machines are slow. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });
const AXE = join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document)).violations;
  })) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Written by `npm run screenshots` (BUCKETQL_SCREENSHOTS=1) only, so a test run changes no committed file. */
async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.BUCKETQL_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The GraphQL operation a request to /graphql ran, by name, with its variables. */
function operationOf(request: Request): { query: string; variables: Record<string, unknown> } | null {
  if (!request.url().endsWith('/graphql') || request.method() !== 'POST') return null;
  try {
    return JSON.parse(request.postData() ?? '') as { query: string; variables: Record<string, unknown> };
  } catch {
    return null;
  }
}

describe('the explorer in headless Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  const bucket = uniqueBucket('explorer');
  const outside: string[] = [];
  const pageErrors: string[] = [];
  const operations: { query: string; variables: Record<string, unknown> }[] = [];

  /** The grid's body cells of one column, as shown. */
  const columnTexts = async (name: string): Promise<string[]> => {
    const headers = await page.locator('.grid thead th').allInnerTexts();
    const index = headers.findIndex((h) => h.split(/\s/)[0] === name);
    return page.locator(`.grid tbody tr > :nth-child(${index + 1})`).allInnerTexts();
  };
  const gridRows = () => page.locator('.grid tbody tr');
  const tableStatus = () => page.locator('.table-view > .status').innerText();
  const waitForIdle = () => poll(tableStatus).not.toContain('Loading');

  beforeAll(async () => {
    // The test run's S3 server is s3rver, what the embedded store runs: the header says so.
    app = await startTestApp({}, { store: describeEmbedded('the test run', inject('s3Endpoint'), join(process.cwd(), '.bucketql')) });
    await seedDemo(app.storage, createLogger('silent'), bucket);
    // Folders two levels deep, for breadcrumbs. (reports/ holds an object of its own: the
    // embedded store, s3rver, lists no common prefix for a folder that holds only folders.)
    await app.storage.putObject({ bucket, key: 'reports/summary.txt' }, Buffer.from('요약\n'), { contentType: 'text/plain' });
    await app.storage.putObject({ bucket, key: 'reports/2024/q1.csv' }, Buffer.from('분기,매출\nQ1,100\n'), { contentType: 'text/csv' });
    // A JSON value that is no list of objects: not a table, so a tree.
    await app.storage.putObject(
      { bucket, key: 'settings.json' },
      Buffer.from(JSON.stringify({ 이름: '설정', limits: { rows: 10_000, tags: ['a', 'b'] } })),
      {
        contentType: 'application/json',
      },
    );
    // More objects than one page of a listing holds (100).
    for (let i = 0; i < 120; i++) {
      await app.storage.putObject({ bucket, key: `many/item-${String(i).padStart(3, '0')}.txt` }, Buffer.from(String(i)), {
        contentType: 'text/plain',
      });
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(app.url) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
      const operation = operationOf(request);
      if (operation) operations.push(operation);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('lists the buckets at / and browses folders with breadcrumbs', async () => {
    await page.goto(`${app.url}/`);
    await page.getByRole('heading', { name: 'Buckets', level: 1 }).waitFor();
    // Which store this is, in the header: real S3 and the demo store look alike otherwise.
    await poll(() => page.getByTestId('store-banner').innerText()).toBe('Embedded store (local demo data)');
    await page.getByRole('link', { name: bucket }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'buckets');

    await page.getByRole('link', { name: bucket }).click();
    await page.getByRole('link', { name: 'sales.csv', exact: true }).waitFor();
    for (const name of ['report.xlsx', 'people.json', 'events.ndjson', 'orders.pkl', 'README.txt', 'sales-cp949.csv', 'sales.csv.gz']) {
      expect(await page.getByRole('link', { name, exact: true }).count(), name).toBe(1);
    }
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'folder');

    await page.getByRole('link', { name: 'reports/' }).click();
    await page.getByRole('link', { name: '2024/' }).click();
    await page.getByRole('link', { name: 'q1.csv' }).waitFor();
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumbs' });
    expect(await crumbs.getByRole('listitem').allInnerTexts()).toEqual(['Buckets', bucket, 'reports', '2024']);
    expect(await crumbs.locator('[aria-current="page"]').innerText()).toBe('2024');
    await crumbs.getByRole('link', { name: 'reports' }).click();
    await page.getByRole('link', { name: '2024/' }).waitFor();
    await crumbs.getByRole('link', { name: bucket }).click();
    await page.getByRole('link', { name: 'sales.csv', exact: true }).waitFor();
  }, 60_000);

  it('pages through a folder larger than one page of the listing', async () => {
    await page.getByRole('link', { name: 'many/' }).click();
    const items = page.getByRole('link', { name: /^item-\d{3}\.txt$/ });
    await poll(() => items.count()).toBe(100);
    await page.getByRole('button', { name: 'More objects' }).click();
    await poll(() => items.count()).toBe(120);
    expect(await items.last().innerText()).toBe('item-119.txt');
    expect(await page.getByRole('button', { name: 'More objects' }).count()).toBe(0);
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: bucket }).click();
    await page.getByRole('link', { name: 'sales.csv', exact: true }).waitFor();
  }, 60_000);

  it('opens the CSV as a grid of typed columns, with its details and a download link', async () => {
    await page.getByRole('link', { name: 'sales.csv', exact: true }).click();
    await gridRows().first().waitFor();
    const headers = await page.locator('.grid thead th').allInnerTexts();
    expect(headers.map((h) => h.replace(/\s+/g, ' ').replace(/ [↕▲▼]$/, ''))).toEqual([
      'Row',
      'order_id INT',
      'sold_at DATETIME',
      'city STRING',
      'product STRING',
      'quantity INT',
      'unit_price FLOAT',
      'paid BOOLEAN',
      'zip_code STRING',
    ]);
    expect(await gridRows().count()).toBe(100);
    // Korean renders as text, and leading zeros stay (zip codes are strings).
    expect((await columnTexts('city')).slice(0, 3)).toEqual(['부산', '부산', '광주']);
    await poll(tableStatus).toContain('100 of 200 rows shown');

    await page.locator('.object-details summary').click();
    const details = await page.locator('.details').innerText();
    expect(details).toContain('12,054 bytes');
    expect(details).toContain('CSV');
    expect(details).toContain((await app.storage.headObject({ bucket, key: 'sales.csv' }))?.etag);
    const download = await page.getByRole('link', { name: 'Download' }).getAttribute('href');
    expect(download).toContain('sales.csv');
    expect((await fetch(download as string)).status).toBe(200);
    await page.locator('.object-details summary').click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'table');
  }, 60_000);

  it('sorts the whole table by a header click, and by keyboard', async () => {
    const expected = await app.gql(
      `query($b: String!) { object(bucket: $b, key: "sales.csv") { table {
        up: rows(first: 1, orderBy: [{ column: "unit_price" }]) { edges { node { values } } }
        down: rows(first: 1, orderBy: [{ column: "unit_price", direction: DESC }]) { edges { node { values } } } } } }`,
      { b: bucket },
    );
    const lowest = String(expected.data?.object.table.up.edges[0].node.values.unit_price);
    const highest = String(expected.data?.object.table.down.edges[0].node.values.unit_price);

    const header = page.locator('th', { has: page.getByRole('button', { name: /^unit_price/ }) });
    await page.getByRole('button', { name: /^unit_price/ }).click();
    await poll(() => header.getAttribute('aria-sort')).toBe('ascending');
    await poll(async () => (await columnTexts('unit_price'))[0]).toBe(lowest);
    // The order came from the server, over all 200 rows, not from the 100 loaded ones.
    expect(operations.at(-1)?.variables.orderBy).toEqual([{ column: 'unit_price', direction: 'ASC' }]);

    // Keyboard: Tab from the Filter box reaches the header buttons, with a visible focus ring.
    await page.getByLabel('Filter', { exact: true }).focus();
    let focused = '';
    for (let i = 0; i < 30 && !focused.startsWith('unit_price'); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() =>
        document.activeElement?.classList.contains('sort') ? (document.activeElement.textContent ?? '') : '',
      );
    }
    expect(focused).toMatch(/^unit_price/);
    expect(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await poll(() => header.getAttribute('aria-sort')).toBe('descending');
    await poll(async () => (await columnTexts('unit_price'))[0]).toBe(highest);
    await page.keyboard.press('Space');
    await poll(() => header.getAttribute('aria-sort')).toBe(null);
    await poll(async () => (await columnTexts('order_id'))[0]).toBe('1');
  }, 60_000);

  it('filters by a plain value in the "Filter" box, and with the filter builder', async () => {
    const expected = await app.gql(
      `query($b: String!) { object(bucket: $b, key: "sales.csv") { table {
        busan: count(where: { column: "city", op: CONTAINS, value: "부산", ignoreCase: true })
        many: count(where: { and: [{ column: "quantity", op: GTE, value: 8 }, { column: "paid", op: EQ, value: false }] }) } } }`,
      { b: bucket },
    );
    const { busan, many } = expected.data!.object.table as { busan: number; many: number };
    expect(busan).toBeGreaterThan(0);

    await page.getByLabel('Filter', { exact: true }).fill('부산');
    await poll(() => gridRows().count()).toBe(busan);
    expect(new Set(await columnTexts('city'))).toEqual(new Set(['부산']));
    await poll(tableStatus).toContain(`${busan} of ${busan} matching rows shown (200 in all)`);
    await screenshot(page, 'table-filtered');
    await page.getByLabel('Filter', { exact: true }).fill('');
    await poll(() => gridRows().count()).toBe(100);

    await page.getByRole('button', { name: 'Filter builder' }).click();
    const builder = page.getByRole('form', { name: 'Filter builder' });
    await builder.getByLabel('Condition 1: column').selectOption('quantity');
    await builder.getByLabel('Condition 1: operator').selectOption('GTE');
    await builder.getByLabel('Condition 1: value').fill('8');
    await builder.getByRole('button', { name: 'Add condition' }).click();
    await builder.getByLabel('Condition 2: column').selectOption('paid');
    // Operators fit the column's type: a boolean is only (not) equal or (not) empty.
    expect(await builder.getByLabel('Condition 2: operator').locator('option').allInnerTexts()).toEqual([
      'is',
      'is not',
      'is empty',
      'is not empty',
    ]);
    await builder.getByLabel('Condition 2: value').selectOption('false');
    await builder.getByRole('button', { name: 'Apply' }).click();
    await poll(() => gridRows().count()).toBe(many);
    for (const quantity of await columnTexts('quantity')) expect(Number(quantity)).toBeGreaterThanOrEqual(8);
    expect(new Set(await columnTexts('paid'))).toEqual(new Set(['false']));
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'filter-builder');
    await builder.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Filter builder' }).click();
    await poll(() => gridRows().count()).toBe(100);

    // A value that is not the column's type is not applied, and nothing says it is.
    await page.getByRole('button', { name: 'Filter builder' }).click();
    await builder.getByLabel('Condition 1: column').selectOption('quantity');
    await builder.getByLabel('Condition 1: operator').selectOption('GTE');
    await builder.getByLabel('Condition 1: value').fill('many');
    await builder.getByRole('button', { name: 'Apply' }).click();
    expect(await builder.getByLabel('Condition 1: value').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: /^Filter builder/ }).innerText()).toBe('Filter builder');
    expect(await gridRows().count()).toBe(100);
    await builder.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Filter builder' }).click();
  }, 60_000);

  it('loads the second page by scrolling to the end of the grid', async () => {
    await waitForIdle();
    expect(await gridRows().count()).toBe(100);
    expect(await page.getByRole('button', { name: 'More rows' }).isVisible()).toBe(true);
    await page.locator('.grid-scroll').evaluate((grid) => grid.scrollTo(0, grid.scrollHeight));
    await poll(() => gridRows().count()).toBe(200);
    expect(operations.at(-1)?.variables.after).toEqual(expect.any(String));
    expect((await columnTexts('order_id')).at(-1)).toBe('200');
    // The last page: nothing more to ask for.
    await poll(() => page.getByRole('button', { name: 'More rows' }).count()).toBe(0);
  }, 60_000);

  it('draws the chart of a column as SVG: a histogram for numbers, top values for strings', async () => {
    await page.getByRole('button', { name: 'Chart' }).click();
    const chart = page.locator('.chart svg');
    await chart.waitFor();
    expect(await page.getByLabel('Column').inputValue()).toBe('unit_price');
    expect(await chart.locator('rect.bar').count()).toBeGreaterThan(3);
    await poll(() => page.locator('.chart figcaption').innerText()).toContain('in all 200 rows');
    await screenshot(page, 'chart-histogram');

    await page.getByLabel('Column').selectOption('city');
    await poll(() => page.locator('.chart figcaption').innerText()).toContain('Most frequent values of city');
    const labels = await page.locator('.chart svg text').allTextContents();
    expect(labels).toContain('부산');
    // The bars add up to the table's rows.
    const counts = await page.locator('.chart-numbers td.numeric').allTextContents();
    expect(counts.reduce((sum, n) => sum + Number(n.replace(/\D/g, '')), 0)).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'chart-top-values');
    await page.getByRole('button', { name: 'Chart' }).click();
  }, 60_000);

  it('"Show query" links GraphiQL with the exact query and variables behind the view', async () => {
    await page.getByLabel('Filter', { exact: true }).fill('Mouse');
    await poll(() => operations.at(-1)?.variables.where).toBeDefined();
    await waitForIdle();
    const sent = [...operations].reverse().find((o) => o.query.startsWith('query TablePage') && !o.variables.after);
    const href = (await page.getByRole('link', { name: 'Show query for the table' }).getAttribute('href')) as string;
    const url = new URL(href, app.url);
    expect(url.pathname).toBe('/graphql');
    expect(url.searchParams.get('query')).toBe(sent?.query);
    expect(JSON.parse(url.searchParams.get('variables') ?? '')).toEqual(sent?.variables);
    // The same query and variables, run as GraphiQL would, give the rows on screen.
    const again = await app.gql(url.searchParams.get('query') as string, JSON.parse(url.searchParams.get('variables') as string));
    const shown = await columnTexts('order_id');
    expect(again.data?.object.table.rows.edges.map((e: { node: { index: number } }) => String(e.node.index + 1))).toEqual(shown);
    await page.getByLabel('Filter', { exact: true }).fill('');
    await waitForIdle();
  }, 60_000);

  it('opens GraphiQL from "Show query" with that query and its variables', async () => {
    const href = (await page.getByRole('link', { name: 'Show query for the table' }).getAttribute('href')) as string;
    // A browser's navigation to `/graphql?query=...` gets GraphiQL's page, not a 406.
    const probe = await fetch(new URL(href, app.url), { headers: { accept: 'text/html' } });
    expect(probe.status).toBe(200);
    expect(probe.headers.get('content-type')).toMatch(/^text\/html/);
    const graphiql = await browser.newPage();
    await graphiql.goto(new URL(href, app.url).toString());
    await graphiql.locator('.graphiql-execute-button').waitFor({ timeout: 60_000 });
    const editors = async () => (await graphiql.locator('.graphiql-editors').innerText()).replace(/\u00a0/g, ' ');
    await poll(editors).toContain('query TablePage');
    // The variables pane may start closed: open it when the bucket's name is not in sight.
    if (!(await editors()).includes(bucket)) await graphiql.getByRole('button', { name: 'Variables' }).click();
    await poll(editors).toContain(bucket);
    await graphiql.close();
  }, 120_000);

  it('opens the workbook and picks its second sheet, 요약', async () => {
    await page.goto(`${app.url}/#/o/${bucket}/report.xlsx`);
    const sheet = page.getByLabel('Sheet', { exact: true });
    await sheet.waitFor();
    expect(await sheet.locator('option').allInnerTexts()).toEqual(['Orders', '요약']);
    expect(await sheet.inputValue()).toBe('Orders');
    await sheet.selectOption('요약');
    await poll(() => page.url()).toContain(`sheet=${encodeURIComponent('요약')}`);
    await poll(() => page.locator('.grid caption').innerText()).toContain('(요약)');
    const expected = await app.gql(
      `query($b: String!) { object(bucket: $b, key: "report.xlsx") { table(sheet: "요약") { rowCount columns { name } } } }`,
      {
        b: bucket,
      },
    );
    const table = expected.data?.object.table as { rowCount: number; columns: { name: string }[] };
    await poll(() => gridRows().count()).toBe(table.rowCount);
    const headers = await page.locator('.grid thead .column-name').allInnerTexts();
    expect(headers).toEqual(table.columns.map((c) => c.name));
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'workbook-sheet');
  }, 60_000);

  it('shows JSON and pickle values as a collapsible tree, and text in its detected encoding', async () => {
    await page.goto(`${app.url}/#/o/${bucket}/orders.pkl?view=tree`);
    const tree = page.locator('.json-tree');
    await tree.waitFor();
    await poll(() => tree.innerText()).toContain('"부산"');
    const first = tree.locator('details').nth(1);
    expect(await first.getAttribute('open')).not.toBeNull();
    await first.locator('> summary').click();
    expect(await first.getAttribute('open')).toBeNull();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'tree');

    // people.json is a list of objects: a table first, its tree one click away.
    await page.goto(`${app.url}/#/o/${bucket}/people.json`);
    await gridRows().first().waitFor();
    expect(await columnTexts('name')).toContain('김민준');
    await page.getByRole('link', { name: 'Tree' }).click();
    await poll(() => page.locator('.json-tree').innerText()).toContain('"김민준"');

    await page.goto(`${app.url}/#/o/${bucket}/settings.json`);
    await poll(() => page.url()).toContain('view=tree');
    await poll(() => page.locator('.json-tree').innerText()).toContain('"설정"');
    expect(await page.getByRole('alert').count()).toBe(0);

    await page.goto(`${app.url}/#/o/${bucket}/README.txt`);
    const text = page.locator('.text-content');
    await text.waitFor();
    expect(await text.innerText()).toContain('bucketql 데모 버킷입니다.');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'text');

    // CP949 bytes are detected; the encoding picker reads them otherwise on request.
    await page.goto(`${app.url}/#/o/${bucket}/sales-cp949.csv`);
    await gridRows().first().waitFor();
    expect((await columnTexts('city')).slice(0, 3)).toEqual(['부산', '부산', '광주']);
    await page.getByLabel('Encoding').selectOption('windows-1252');
    await poll(() => page.url()).toContain('encoding=windows-1252');
    await poll(async () => (await columnTexts('city'))[0]).not.toBe('부산');
    await page.getByLabel('Encoding').selectOption('');
    await poll(async () => (await columnTexts('city'))[0]).toBe('부산');
  }, 60_000);

  it('uploads with the "Upload" file input and by drag and drop, with progress, then lists the files', async () => {
    await page.goto(`${app.url}/#/b/${bucket}/reports/`);
    const input = page.getByLabel('Upload', { exact: true });
    await input.waitFor({ state: 'attached' });
    const multipart: Record<string, string>[] = [];
    const listen = (request: Request) => {
      if ((request.headers()['content-type'] ?? '').startsWith('multipart/form-data')) multipart.push(request.headers());
    };
    page.on('request', listen);

    await input.setInputFiles({ name: '업로드.csv', mimeType: 'text/csv', buffer: Buffer.from('이름,점수\n하나,1\n둘,2\n') });
    await page.getByRole('link', { name: '업로드.csv' }).waitFor();
    expect(
      await page
        .locator('.upload progress')
        .first()
        .evaluate((p) => (p as HTMLProgressElement).value),
    ).toBe(1);
    expect(await page.locator('.upload-state').first().innerText()).toBe('uploaded');
    // The multipart request spec's request, with the header that tells it is no cross-site form post.
    expect(multipart).toHaveLength(1);
    expect(multipart[0]?.['x-graphql-yoga-csrf']).toBe('1');
    expect(await app.storage.headObject({ bucket, key: 'reports/업로드.csv' })).not.toBeNull();
    await screenshot(page, 'upload');

    await page.locator('.drop-area').evaluate((area) => {
      const data = new DataTransfer();
      data.items.add(new File(['a,b\n1,2\n'], 'dropped.csv', { type: 'text/csv' }));
      area.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true }));
      area.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      area.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await page.getByRole('link', { name: 'dropped.csv' }).waitFor();
    expect(await app.storage.headObject({ bucket, key: 'reports/dropped.csv' })).not.toBeNull();
    page.off('request', listen);
    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);

  it('deletes an object only after a confirmation', async () => {
    // Open the folder afresh: this test must not depend on where the last one left the page.
    await page.goto(`${app.url}/#/b/${bucket}/reports/`);
    await page.getByRole('link', { name: 'dropped.csv' }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    // The first click only asks; the focus waits on the safe choice (once the dialog has rendered: read at once, the focus was
    // still on the page's body in one CI run).
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await app.storage.headObject({ bucket, key: 'reports/dropped.csv' })).not.toBeNull();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('link', { name: '업로드.csv' }).waitFor();
    expect(await page.getByRole('link', { name: 'dropped.csv' }).count()).toBe(0);
    expect(await app.storage.headObject({ bucket, key: 'reports/dropped.csv' })).toBeNull();
  }, 60_000);

  it('creates a bucket and opens it', async () => {
    const name = uniqueBucket('made-by-explorer');
    await page.goto(`${app.url}/`);
    await page.getByLabel('New bucket name').fill(name);
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.getByText('This folder is empty.').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(name);
    expect(await app.storage.bucketExists(name)).toBe(true);
  }, 60_000);

  it('keeps sort and filter in the address, so a link shares the view', async () => {
    await page.goto(`${app.url}/#/o/${bucket}/sales.csv`);
    await poll(async () => (await columnTexts('unit_price')).length).toBeGreaterThan(10);
    await page.getByLabel('Filter', { exact: true }).fill('부산');
    await poll(() => page.evaluate(() => location.hash)).toContain('filter=');
    await page.getByRole('button', { name: /^unit_price/ }).click();
    await poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain('sort=unit_price:ASC');
    await waitForIdle();
    const shown = await columnTexts('unit_price');
    const link = await page.evaluate(() => location.href);

    const other = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await other.goto(link);
    await expect.poll(() => other.getByLabel('Filter', { exact: true }).inputValue(), { timeout: 15_000 }).toBe('부산');
    const otherPrices = async () => {
      const headers = await other.locator('.grid thead th').allInnerTexts();
      const index = headers.findIndex((h) => h.split(/\s/)[0] === 'unit_price');
      return other.locator(`.grid tbody tr > :nth-child(${index + 1})`).allInnerTexts();
    };
    await expect.poll(otherPrices, { timeout: 15_000 }).toEqual(shown);
    await other.close();
  });

  it('says whether the bucket or only the key is missing', async () => {
    await page.goto(`${app.url}/#/o/${bucket}/no-such-key.csv`);
    await poll(() => page.locator('.notice').innerText()).toBe(
      `There is no object no-such-key.csv in bucket ${bucket}. Back to its folder`,
    );
    await page.goto(`${app.url}/#/o/no-such-bucket-here/sales.csv`);
    await poll(() => page.locator('.notice').innerText()).toBe('There is no bucket no-such-bucket-here. See the buckets');
  });

  it('shows the numbers of a FLOAT column with one precision, right-aligned', async () => {
    await page.goto(`${app.url}/#/o/${bucket}/sales.csv`);
    await poll(async () => (await columnTexts('unit_price')).length).toBeGreaterThan(10);
    const prices = await columnTexts('unit_price');
    const decimals = new Set(prices.map((p) => p.split('.')[1]?.length ?? 0));
    expect(decimals.size, prices.join(' ')).toBe(1);
  });

  it('loaded nothing from outside the server and raised no script errors', () => {
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
