// The explorer with the security settings on: it asks for a token when the server
// answers UNAUTHENTICATED and keeps it in sessionStorage only; it hides every write
// control on a read-only server; it says FORBIDDEN and other errors in plain words
// with their code.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/log.js';
import { seedDemo } from '../../src/storage/embedded/seed.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';

const AXE = join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');

async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document)).violations;
  })) as { id: string; impact: string | null }[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
}

describe('the explorer with the security settings', () => {
  let browser: Browser;
  const bucket = uniqueBucket('explorer-secure');

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('with BUCKETQL_TOKENS', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ BUCKETQL_TOKENS: 'open-sesame-0123456789' });
      await seedDemo(app.storage, createLogger('silent'), bucket);
    });
    afterAll(() => app?.close());

    it('asks for the token, sends it as a bearer token and keeps it in sessionStorage only', async () => {
      const page = await browser.newPage();
      const authorizations: (string | undefined)[] = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/graphql')) authorizations.push(request.headers().authorization);
      });
      await page.goto(`${app.url}/`);
      await page.getByRole('heading', { name: 'This server needs a token' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      // The token field has the focus: type and press Enter.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('token-input');
      await page.keyboard.type('wrong');
      await page.keyboard.press('Enter');
      await page.getByText('The server did not accept the token.').waitFor();

      await page.getByLabel('Token', { exact: true }).fill('open-sesame-0123456789');
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.getByRole('link', { name: bucket }).waitFor();
      expect(authorizations.at(-1)).toBe('Bearer open-sesame-0123456789');
      expect(await page.evaluate(() => sessionStorage.getItem('bucketql.token'))).toBe('open-sesame-0123456789');
      expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain('open-sesame-0123456789');
      expect(await page.evaluate(() => document.cookie)).toBe('');

      // Uploads carry it too.
      await page.getByRole('link', { name: bucket }).click();
      await page
        .getByLabel('Upload', { exact: true })
        .setInputFiles({ name: 'with-token.txt', mimeType: 'text/plain', buffer: Buffer.from('안녕') });
      await page.getByRole('link', { name: 'with-token.txt' }).waitFor();
      expect(authorizations.at(-1)).toBe('Bearer open-sesame-0123456789');

      // A reload in the same tab keeps it; "Forget token" drops it and asks again.
      await page.reload();
      await page.getByRole('link', { name: 'sales.csv', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Forget token' }).click();
      await page.getByRole('heading', { name: 'This server needs a token' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('bucketql.token'))).toBeNull();
      await page.close();
    }, 60_000);
  });

  describe('with BUCKETQL_READ_ONLY=1 and BUCKETQL_BUCKETS', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ BUCKETQL_READ_ONLY: '1', BUCKETQL_BUCKETS: bucket });
      // The app cannot write: seed through the store itself (once: the token app may have done it).
      await seedDemo(app.storage, createLogger('silent'), bucket);
    });
    afterAll(() => app?.close());

    it('shows no upload, create or delete control on a read-only server', async () => {
      const page = await browser.newPage();
      const probed = page.waitForResponse((r) => (r.request().postData() ?? '').includes('mutation WriteAccess'));
      await page.goto(`${app.url}/#/b/${bucket}/`);
      await page.getByRole('link', { name: 'sales.csv', exact: true }).waitFor();
      expect(((await (await probed).json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
        'FORBIDDEN',
      );
      expect(await page.getByLabel('Upload', { exact: true }).count()).toBe(0);
      expect(await page.locator('input[type=file]').count()).toBe(0);

      await page.getByRole('link', { name: 'sales.csv', exact: true }).click();
      await page.locator('.grid tbody tr').first().waitFor();
      expect(await page.getByRole('button', { name: /Delete/ }).count()).toBe(0);

      await page.getByRole('link', { name: 'Buckets' }).click();
      await page.getByRole('link', { name: bucket }).waitFor();
      await page.waitForTimeout(300);
      expect(await page.getByLabel('New bucket name').count()).toBe(0);
      await page.close();
    }, 60_000);

    it('says FORBIDDEN and NOT_FOUND-like answers in plain words, with their code', async () => {
      const page = await browser.newPage();
      await page.goto(`${app.url}/#/b/not-${bucket}/`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = await alert.innerText();
      expect(text).toContain('The server does not allow this here.');
      expect(text).toContain('FORBIDDEN');
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto(`${app.url}/#/o/${bucket}/no-such-object.csv`);
      await page.getByText('There is no object').waitFor();

      // A decoding error names its code too: a CSV read in an encoding label the server does not know.
      await page.goto(`${app.url}/#/o/${bucket}/sales.csv?encoding=klingon`);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toContain('BAD_USER_INPUT');
      await page.close();
    }, 60_000);
  });
});
