// GraphiQL's page is small; its scripts, styles and editor workers are separate,
// content-hashed, immutable, gzipped assets from this server (nothing from a CDN).
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const html = { accept: 'text/html', 'accept-encoding': 'gzip' };

describe('GraphiQL', () => {
  it('is a small page that names hashed assets of this server', async () => {
    const response = await fetch(`${app.url}/graphql`, { headers: html });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const page = await response.text();
    expect(Buffer.byteLength(page)).toBeLessThan(8 * 1024);
    const assets = [...page.matchAll(/"(\/graphiql\/[a-z.]+-[0-9a-f]{16}\.(?:js|css|ico))"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(6);
    expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('serves each asset gzipped and immutable, and nothing under other names', async () => {
    const page = await (await fetch(`${app.url}/graphql`, { headers: html })).text();
    const assets = [...page.matchAll(/"(\/graphiql\/[a-z.]+-[0-9a-f]{16}\.(?:js|css|ico))"/g)].map((m) => m[1] as string);
    let total = 0;
    for (const path of assets) {
      const response = await fetch(`${app.url}${path}`, { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-type')).toMatch(
        path.endsWith('.css') ? /^text\/css/ : path.endsWith('.ico') ? /^image\// : /^text\/javascript/,
      );
      const body = Buffer.from(await response.arrayBuffer());
      total += body.length;
      // fetch may or may not have decompressed it: either way it is the asset.
      const text = (response.headers.get('content-encoding') === 'gzip' && body[0] === 0x1f ? gunzipSync(body) : body).toString();
      expect(text.length).toBeGreaterThan(100);
    }
    expect(total).toBeGreaterThan(0);
    expect((await fetch(`${app.url}/graphiql/graphiql-0000000000000000.js`)).status).toBe(404);
  });
});
