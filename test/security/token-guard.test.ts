// The token rule, from outside: with BUCKETQL_TOKENS set, no request runs GraphQL
// without `Authorization: Bearer <token>` — whatever its method, its Accept header
// (a browser's `text/html` included), its path or query string, and whether GraphiQL
// is served or not. Only the pages (GraphiQL, when on) and CORS preflights answer
// without one, and neither runs a query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';

const TOKEN = 'guard-token-0123456789abcdef';
const bucket = uniqueBucket('token-guard');
const QUERY = '{ buckets { name } }';

let withPage: TestApp;
let withoutPage: TestApp;

beforeAll(async () => {
  withPage = await startTestApp({ BUCKETQL_TOKENS: TOKEN, BUCKETQL_GRAPHIQL: '1', BUCKETQL_CORS_ORIGINS: 'https://app.example.com' });
  withoutPage = await startTestApp({ BUCKETQL_TOKENS: TOKEN, BUCKETQL_GRAPHIQL: '0', BUCKETQL_CORS_ORIGINS: 'https://app.example.com' });
  await withPage.storage.createBucket(bucket);
});
afterAll(async () => {
  await withPage?.close();
  await withoutPage?.close();
});

/** Accept headers real clients send: browsers, curl, GraphQL clients. */
const ACCEPTS = [
  'text/html, application/json',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'application/json, text/html',
  '*/*',
  'application/graphql-response+json',
  'text/event-stream',
  'multipart/mixed',
  '',
];

/** Ways of writing the endpoint's address. */
const PATHS = ['/graphql', '/graphql/', '/GraphQL', '/graphql?', '/graphql?x=1', '//graphql', '/./graphql', '/graphql#x', '/%67raphql'];

interface Seen {
  status: number;
  text: string;
}

async function send(app: TestApp, path: string, init: RequestInit): Promise<Seen> {
  const response = await fetch(`${app.url}${path}`, { redirect: 'manual', ...init });
  return { status: response.status, text: await response.text() };
}

/** True when the answer carries the result of the query: the bucket names. */
function ranQuery(seen: Seen): boolean {
  return seen.text.includes(bucket);
}

describe('with BUCKETQL_TOKENS set', () => {
  for (const [name, app] of [
    ['GraphiQL on', () => withPage],
    ['GraphiQL off', () => withoutPage],
  ] as const) {
    describe(name, () => {
      it('no GET without a token runs a query, whatever its Accept header and path', async () => {
        for (const path of PATHS) {
          for (const accept of ACCEPTS) {
            const target = `${path.replace('#x', '')}${path.includes('?') ? '&' : '?'}query=${encodeURIComponent(QUERY)}`;
            const seen = await send(app(), target, { headers: accept ? { accept } : {} });
            expect(ranQuery(seen), `GET ${target} (Accept: ${accept}) → ${seen.status} ${seen.text.slice(0, 200)}`).toBe(false);
          }
        }
        // GraphiQL's page (9 MB) answers many of these: slow on a busy machine.
      }, 120_000);

      it('no POST, PUT, PATCH, DELETE, HEAD or OPTIONS without a token runs a query', async () => {
        for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
          for (const accept of ACCEPTS) {
            for (const contentType of ['application/json', 'application/graphql+json', 'text/plain']) {
              const seen = await send(app(), `/graphql?query=${encodeURIComponent(QUERY)}`, {
                method,
                headers: {
                  'content-type': contentType,
                  'graphql-preflight': '1',
                  origin: 'https://app.example.com',
                  ...(accept ? { accept } : {}),
                },
                body: JSON.stringify({ query: QUERY }),
              });
              expect(ranQuery(seen), `${method} ${contentType} (Accept: ${accept}) → ${seen.status} ${seen.text.slice(0, 200)}`).toBe(
                false,
              );
            }
          }
        }
        const head = await fetch(`${app().url}/graphql?query=${encodeURIComponent(QUERY)}`, { method: 'HEAD' });
        expect(head.status).toBe(401);
      });

      it('a browser-like GET without a token is 401 UNAUTHENTICATED, or the GraphiQL page when it is on', async () => {
        const seen = await send(app(), `/graphql?query=${encodeURIComponent(QUERY)}`, {
          headers: { accept: 'text/html, application/json' },
        });
        if (name === 'GraphiQL on') {
          expect(seen.status).toBe(200);
          expect(seen.text).toMatch(/<html/i);
        } else {
          expect(seen.status).toBe(401);
          expect(JSON.parse(seen.text)).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
        }
      });

      it('with the token, GET and POST run the query', async () => {
        const auth = { authorization: `Bearer ${TOKEN}` };
        const get = await send(app(), `/graphql?query=${encodeURIComponent(QUERY)}`, { headers: { ...auth, accept: 'application/json' } });
        expect(get.status).toBe(200);
        expect(ranQuery(get)).toBe(true);
        const post = await send(app(), '/graphql', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ query: QUERY }),
        });
        expect(post.status).toBe(200);
        expect(ranQuery(post)).toBe(true);
      });
    });
  }
});
