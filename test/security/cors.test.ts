// Cross-origin access, as a browser sees it: a page served by a second local server
// (another origin) calls the API from headless Chromium. With its origin in
// BUCKETQL_CORS_ORIGINS the calls work (after a preflight); with the setting unset,
// or from another origin, the page cannot read a thing. And GraphiQL stays usable on
// a server with tokens: the page loads without one, its header editor sends it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';

const TOKEN = 'cors-token-0123456789abcdef';

let pages: Server;
let pagePort: number;
let browser: Browser;
/** The origin whose page may call (in BUCKETQL_CORS_ORIGINS), and one that may not. */
let allowedOrigin: string;
let otherOrigin: string;

let open: TestApp;
let closed: TestApp;
let tokened: TestApp;

beforeAll(async () => {
  pages = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>another origin</title><p>A page of another site.</p></html>');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pagePort = (pages.address() as AddressInfo).port;
  allowedOrigin = `http://127.0.0.1:${pagePort}`;
  // Same address, another host name: another origin.
  otherOrigin = `http://localhost:${pagePort}`;
  // A trailing slash, as people write origins, is not part of the origin.
  const origins = `${allowedOrigin}/, https://app.example.com`;
  open = await startTestApp({ BUCKETQL_CORS_ORIGINS: origins });
  closed = await startTestApp({});
  tokened = await startTestApp({ BUCKETQL_CORS_ORIGINS: origins, BUCKETQL_TOKENS: TOKEN });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([open?.close(), closed?.close(), tokened?.close()]);
  await new Promise<void>((resolve) => pages?.close(() => resolve()));
});

interface Seen {
  status?: number;
  body?: unknown;
  error?: string;
}

/** What a script on `page` gets from fetch(url, init): the answer, or the error it sees. */
function callFrom(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Seen> {
  return page.evaluate(
    async ([target, options]) => {
      try {
        const response = await fetch(target, options);
        return { status: response.status, body: await response.json() };
      } catch (error) {
        return { error: String(error) };
      }
    },
    [url, init] as const,
  );
}

const QUERY = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) };

async function pageAt(origin: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  return page;
}

describe('a page of another origin, in Chromium', () => {
  it('calls the API when its origin is in BUCKETQL_CORS_ORIGINS (POST with JSON, preflighted; GET)', async () => {
    const page = await pageAt(allowedOrigin);
    try {
      expect(await callFrom(page, `${open.url}/graphql`, QUERY)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      expect(await callFrom(page, `${open.url}/graphql?query=%7B__typename%7D`, {})).toEqual({
        status: 200,
        body: { data: { __typename: 'Query' } },
      });
    } finally {
      await page.close();
    }
  }, 60_000);

  it('cannot read anything when BUCKETQL_CORS_ORIGINS is unset', async () => {
    const page = await pageAt(allowedOrigin);
    try {
      for (const [url, init] of [
        [`${closed.url}/graphql`, QUERY],
        [`${closed.url}/graphql?query=%7B__typename%7D`, {}],
      ] as const) {
        const seen = await callFrom(page, url, init);
        expect(seen.status, url).toBeUndefined();
        expect(seen.error, url).toMatch(/Failed to fetch/);
      }
    } finally {
      await page.close();
    }
  }, 60_000);

  it('cannot read anything from an origin that is not in the list', async () => {
    const page = await pageAt(otherOrigin);
    try {
      const seen = await callFrom(page, `${open.url}/graphql`, QUERY);
      expect(seen.error).toMatch(/Failed to fetch/);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('sends a bearer token when the server has tokens, and reads a 401 when it is wrong', async () => {
    const page = await pageAt(allowedOrigin);
    try {
      const withToken = { ...QUERY, headers: { ...QUERY.headers, authorization: `Bearer ${TOKEN}` } };
      expect(await callFrom(page, `${tokened.url}/graphql`, withToken)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      const without = await callFrom(page, `${tokened.url}/graphql`, QUERY);
      expect(without.status).toBe(401);
      expect(without.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    } finally {
      await page.close();
    }
  }, 60_000);
});

describe('preflight requests', () => {
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });

  it('are answered for an allowed origin (methods, the headers asked for, a max age), without a token', async () => {
    for (const app of [open, tokened]) {
      const response = await preflight(app.url, allowedOrigin);
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(response.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(response.headers.get('access-control-max-age')).toBe('600');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('allow nothing for another origin, or when BUCKETQL_CORS_ORIGINS is unset', async () => {
    const other = await preflight(open.url, otherOrigin);
    expect(other.headers.get('access-control-allow-origin')).not.toBe(otherOrigin);
    const none = await preflight(closed.url, allowedOrigin);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('GraphiQL on a server with tokens', () => {
  it('loads without a token, and runs a query with the Authorization header from its header editor', async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`${tokened.url}/graphql`);
      expect(response?.status()).toBe(200);
      const run = page.locator('.graphiql-execute-button');
      await run.waitFor({ timeout: 60_000 });

      // Without the header: the server says UNAUTHENTICATED.
      let answered = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('sales.csv'));
      await run.click();
      expect((await answered).status()).toBe(401);

      await page.getByRole('button', { name: 'Headers' }).click();
      const editor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
      await editor.click();
      await page.keyboard.press('ControlOrMeta+A');
      // insertText types no brackets or quotes of its own (the editor would close them).
      await page.keyboard.insertText(`{ "Authorization": "Bearer ${TOKEN}" }`);

      answered = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('sales.csv'));
      await run.click();
      const ok = await answered;
      expect(ok.request().headers().authorization).toBe(`Bearer ${TOKEN}`);
      expect(ok.status()).toBe(200);
      const body = (await ok.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      expect(body.data).toBeDefined();
      expect((body.errors ?? []).map((e) => e.extensions?.code)).not.toContain('UNAUTHENTICATED');
    } finally {
      await page.close();
    }
  }, 120_000);
});

describe('an origin that is not in the list, over HTTP', () => {
  const EVIL = 'https://evil.example';
  /** Every CORS header of an answer. */
  const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
  const requests = (url: string, origin: string): [string, RequestInit][] =>
    [
      [
        'preflight',
        {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
        },
      ],
      [
        'POST',
        { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) },
      ],
      ['GET', { headers: { origin, accept: 'application/json' } }],
      // Yoga's own answers: a parse error, a method it refuses.
      ['bad query', { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{' }) }],
      [
        'PUT',
        { method: 'PUT', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) },
      ],
    ].map(([name, init]) => [`${name as string} ${url}`, init as RequestInit]);

  it('gets no CORS header at all, with one origin listed and with several; `null` included', async () => {
    const one = await startTestApp({ BUCKETQL_CORS_ORIGINS: allowedOrigin });
    try {
      for (const app of [one, open]) {
        for (const origin of [EVIL, 'null', otherOrigin]) {
          for (const [name, init] of requests(`${app.url}/graphql`, origin)) {
            const target = name.startsWith('GET') ? `${app.url}/graphql?query=%7B__typename%7D` : `${app.url}/graphql`;
            const response = await fetch(target, init);
            expect(corsHeaders(response), `${name} from ${origin}`).toEqual([]);
          }
        }
        // The allowed origin still gets its headers, on every kind of answer.
        for (const [name, init] of requests(`${app.url}/graphql`, allowedOrigin)) {
          const target = name.startsWith('GET') ? `${app.url}/graphql?query=%7B__typename%7D` : `${app.url}/graphql`;
          const response = await fetch(target, init);
          expect(response.headers.get('access-control-allow-origin'), name).toBe(allowedOrigin);
        }
      }
    } finally {
      await one.close();
    }
  });

  it('`null` (a sandboxed iframe, a file: page) is allowed only when listed literally', async () => {
    const withNull = await startTestApp({ BUCKETQL_CORS_ORIGINS: `${allowedOrigin}, null` });
    try {
      const response = await fetch(`${withNull.url}/graphql`, {
        method: 'POST',
        headers: { origin: 'null', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.headers.get('access-control-allow-origin')).toBe('null');
      const evil = await fetch(`${withNull.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: EVIL, 'access-control-request-method': 'POST' },
      });
      expect(corsHeaders(evil)).toEqual([]);
    } finally {
      await withNull.close();
    }
  });
});

describe('a sandboxed iframe (origin `null`) in Chromium, on a server that lists two origins', () => {
  it('cannot call the API', async () => {
    const page = await pageAt(allowedOrigin);
    try {
      const seen = await page.evaluate(async (target) => {
        const frame = document.createElement('iframe');
        frame.setAttribute('sandbox', 'allow-scripts');
        const script = `fetch(${JSON.stringify(target)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) })
          .then((r) => r.text()).then((t) => parent.postMessage('read: ' + t, '*'), (e) => parent.postMessage('error: ' + e, '*'));`;
        frame.srcdoc = `<script>${script}</script>`;
        const answer = new Promise<string>((resolve) => window.addEventListener('message', (event) => resolve(String(event.data))));
        document.body.append(frame);
        return answer;
      }, `${open.url}/graphql`);
      expect(seen).toMatch(/^error: .*Failed to fetch/);
    } finally {
      await page.close();
    }
  }, 60_000);
});
