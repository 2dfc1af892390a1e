// Buckets and their listings, through GraphQL: `buckets`, `bucket(name)`,
// `Bucket.object` and the `Bucket.objects` connection (prefixes, folders, paging).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { seedObjects } from '../support/seed.js';

let app: TestApp;
const bucket = uniqueBucket('buckets');
const other = uniqueBucket('buckets-other');
const big = uniqueBucket('buckets-big');
const many = uniqueBucket('buckets-many');
let createdBefore: number;
let createdAfter: number;

/** The tree most tests list: files at the top, in folders, and in a nested folder. */
const TREE: Record<string, string> = {
  'a.txt': 'alpha',
  'b.csv': 'x,y\n1,2\n',
  'docs/guide.md': '# guide',
  'docs/readme.txt': 'read me',
  'docs/img/logo.svg': '<svg/>',
  'logs/2024/01.log': 'jan',
  'logs/2024/02.log': 'feb',
  'z.json': '{"z":1}',
};
const TREE_KEYS = Object.keys(TREE).sort();

const LIST = `query($b: String!, $prefix: String, $delimiter: String, $first: Int, $after: String) {
  bucket(name: $b) {
    objects(prefix: $prefix, delimiter: $delimiter, first: $first, after: $after) {
      edges { cursor node { key size etag } }
      prefixes
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface Page {
  edges: { cursor: string; node: { key: string; size: number; etag: string } }[];
  prefixes: string[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function list(variables: Record<string, unknown>): Promise<Page> {
  const result = await app.gql(LIST, { b: bucket, ...variables });
  expect(result.errors).toBeUndefined();
  return result.data?.bucket.objects as Page;
}

async function listError(variables: Record<string, unknown>) {
  const result = await app.gql(LIST, { b: bucket, ...variables });
  expect(result.data?.bucket ?? null).toBeNull();
  expect(result.errors).toHaveLength(1);
  return result.errors?.[0];
}

const keysOf = (page: Page) => page.edges.map((e) => e.node.key);

beforeAll(async () => {
  app = await startTestApp({ BUCKETQL_LOG_LEVEL: 'error' });
  createdBefore = Date.now();
  await app.storage.createBucket(bucket);
  createdAfter = Date.now();
  await Promise.all([app.storage.createBucket(other), app.storage.createBucket(big), app.storage.createBucket(many)]);
  await seedObjects(app.storage, bucket, TREE);
  await seedObjects(app.storage, other, { 'a.txt': 'other', 'b.txt': 'other' });
  await seedObjects(app.storage, many, Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`m/${String(i).padStart(3, '0')}`, ''])));
});

afterAll(() => app?.close());

describe('buckets', () => {
  it('lists the buckets with their creation dates', async () => {
    const result = await app.gql('{ buckets { name createdAt } }');
    expect(result.errors).toBeUndefined();
    const buckets = result.data?.buckets as { name: string; createdAt: string }[];
    const mine = buckets.find((b) => b.name === bucket);
    expect(mine).toBeDefined();
    expect(mine?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
    // S3 keeps creation dates to the second.
    const created = Date.parse(mine?.createdAt as string);
    expect(created).toBeGreaterThanOrEqual(Math.floor(createdBefore / 1000) * 1000 - 1000);
    expect(created).toBeLessThanOrEqual(createdAfter + 1000);
    for (const name of [other, big, many]) expect(buckets.map((b) => b.name)).toContain(name);
  });
});

describe('bucket(name)', () => {
  it('answers the bucket with the same creation date as the list', async () => {
    const result = await app.gql('query($b: String!) { bucket(name: $b) { name createdAt } buckets { name createdAt } }', { b: bucket });
    expect(result.errors).toBeUndefined();
    const listed = ((result.data?.buckets ?? []) as { name: string; createdAt: string }[]).find((b) => b.name === bucket);
    expect(result.data?.bucket).toEqual({ name: bucket, createdAt: listed?.createdAt });
    expect(result.data?.bucket.createdAt).not.toBeNull();
  });

  it('is null, without an error, when the bucket does not exist', async () => {
    const result = await app.gql('query($b: String!) { bucket(name: $b) { name } }', { b: uniqueBucket('missing') });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ bucket: null });
  });
});

describe('Bucket.object', () => {
  it('answers an object by key, with its metadata', async () => {
    const result = await app.gql(
      'query($b: String!) { bucket(name: $b) { object(key: "docs/readme.txt") { bucket key name size etag } } }',
      {
        b: bucket,
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.bucket.object).toEqual({
      bucket,
      key: 'docs/readme.txt',
      name: 'readme.txt',
      size: 7,
      etag: createHash('md5').update('read me').digest('hex'),
    });
  });

  it('is null when the key does not exist (a folder is not an object)', async () => {
    const result = await app.gql(
      'query($b: String!) { bucket(name: $b) { missing: object(key: "nope.txt") { key } folder: object(key: "docs") { key } } }',
      {
        b: bucket,
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.bucket).toEqual({ missing: null, folder: null });
  });
});

describe('Bucket.objects', () => {
  it('lists every object in key order, with size and etag, and no prefixes without a delimiter', async () => {
    const page = await list({});
    expect(keysOf(page)).toEqual(TREE_KEYS);
    expect(page.prefixes).toEqual([]);
    expect(page.pageInfo.hasNextPage).toBe(false);
    for (const edge of page.edges) {
      const body = TREE[edge.node.key] as string;
      expect(edge.node.size).toBe(Buffer.byteLength(body));
      expect(edge.node.etag).toBe(createHash('md5').update(body).digest('hex'));
    }
  });

  it('keeps to a prefix', async () => {
    expect(keysOf(await list({ prefix: 'docs/' }))).toEqual(['docs/guide.md', 'docs/img/logo.svg', 'docs/readme.txt']);
    expect(keysOf(await list({ prefix: 'logs/2024/0' }))).toEqual(['logs/2024/01.log', 'logs/2024/02.log']);
    const none = await list({ prefix: 'nothing/' });
    expect(none).toEqual({ edges: [], prefixes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('with a delimiter, lists the files of a folder and its subfolders as prefixes', async () => {
    const top = await list({ delimiter: '/' });
    expect(keysOf(top)).toEqual(['a.txt', 'b.csv', 'z.json']);
    expect(top.prefixes).toEqual(['docs/', 'logs/']);

    const docs = await list({ prefix: 'docs/', delimiter: '/' });
    expect(keysOf(docs)).toEqual(['docs/guide.md', 'docs/readme.txt']);
    expect(docs.prefixes).toEqual(['docs/img/']);

    const logs = await list({ prefix: 'logs/', delimiter: '/' });
    expect(keysOf(logs)).toEqual([]);
    expect(logs.prefixes).toEqual(['logs/2024/']);
  });

  it('returns 100 objects by default', async () => {
    const result = await app.gql(
      'query($b: String!) { bucket(name: $b) { objects { edges { node { key } } pageInfo { hasNextPage } } } }',
      { b: many },
    );
    expect(result.errors).toBeUndefined();
    const objects = result.data?.bucket.objects;
    expect(objects.edges.map((e: { node: { key: string } }) => e.node.key)).toEqual(
      Array.from({ length: 100 }, (_, i) => `m/${String(i).padStart(3, '0')}`),
    );
    expect(objects.pageInfo.hasNextPage).toBe(true);
  });

  it.each([0, -1, 1001, 5000])('refuses first: %i as BAD_USER_INPUT', async (first) => {
    const error = await listError({ first });
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toContain('1000');
    expect(error?.path).toEqual(['bucket', 'objects']);
  });

  it('accepts first: 1 and first: 1000', async () => {
    expect(keysOf(await list({ first: 1 }))).toEqual([TREE_KEYS[0]]);
    expect(keysOf(await list({ first: 1000 }))).toEqual(TREE_KEYS);
  });

  it('takes first as a literal too (as people write it in GraphiQL), 1000 with every field included', async () => {
    const fields = 'cursor node { key name size etag lastModified contentType metadata format compression }';
    const ok = await app.gql(
      `query($b: String!) { bucket(name: $b) { objects(first: 1000) { edges { ${fields} } prefixes pageInfo { hasNextPage endCursor } } } }`,
      {
        b: bucket,
      },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.bucket.objects.edges.map((e: { node: { key: string } }) => e.node.key)).toEqual(TREE_KEYS);
    const over = await app.gql(`query($b: String!) { bucket(name: $b) { objects(first: 1001) { edges { ${fields} } } } }`, { b: bucket });
    expect(over.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('pages with endCursor until hasNextPage is false', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (let round = 0; round < 10; round++) {
      const page: Page = await list({ first: 3, after });
      seen.push(...keysOf(page));
      sizes.push(page.edges.length);
      if (!page.pageInfo.hasNextPage) break;
      expect(page.pageInfo.endCursor).toEqual(expect.any(String));
      after = page.pageInfo.endCursor;
    }
    expect(sizes).toEqual([3, 3, 2]);
    expect(seen).toEqual(TREE_KEYS);
  });

  it('resumes after any edge cursor', async () => {
    const first = await list({ first: 4 });
    expect(keysOf(first)).toEqual(TREE_KEYS.slice(0, 4));
    const afterSecond = await list({ first: 3, after: first.edges[1]?.cursor });
    expect(keysOf(afterSecond)).toEqual(TREE_KEYS.slice(2, 5));
    expect(afterSecond.pageInfo.hasNextPage).toBe(true);
    const afterLast = await list({ first: 100, after: first.edges[3]?.cursor });
    expect(keysOf(afterLast)).toEqual(TREE_KEYS.slice(4));
    expect(afterLast.pageInfo.hasNextPage).toBe(false);
  });

  it('answers an empty last page after the final endCursor', async () => {
    const all = await list({ first: 1000 });
    expect(all.pageInfo.hasNextPage).toBe(false);
    expect(all.pageInfo.endCursor).toBe(all.edges.at(-1)?.cursor);
    const after = await list({ first: 10, after: all.pageInfo.endCursor });
    expect(after).toEqual({ edges: [], prefixes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('pages folders and files together with a delimiter', async () => {
    const first = await list({ delimiter: '/', first: 2 });
    const second = await list({ delimiter: '/', first: 2, after: first.pageInfo.endCursor });
    const third = await list({ delimiter: '/', first: 2, after: second.pageInfo.endCursor });
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.pageInfo.hasNextPage).toBe(true);
    expect(third.pageInfo.hasNextPage).toBe(false);
    // S3 counts keys and prefixes together against first (max-keys).
    expect([first, second, third].map((p) => p.edges.length + p.prefixes.length)).toEqual([2, 2, 1]);
    expect([first, second, third].flatMap(keysOf)).toEqual(['a.txt', 'b.csv', 'z.json']);
    expect([first, second, third].flatMap((p) => p.prefixes)).toEqual(['docs/', 'logs/']);
  });

  it('refuses a cursor from another bucket, prefix or delimiter as BAD_USER_INPUT', async () => {
    const fromOther = await app.gql(LIST, { b: other, first: 1 });
    const otherCursor = fromOther.data?.bucket.objects.pageInfo.endCursor as string;
    const otherEdge = fromOther.data?.bucket.objects.edges[0].cursor as string;
    expect(otherCursor).toEqual(expect.any(String));
    const mine = await list({ first: 1 });
    const fromDocs = await list({ prefix: 'docs/', first: 1 });
    const fromFolders = await list({ delimiter: '/', first: 1 });

    for (const variables of [
      { after: otherCursor },
      { after: otherEdge },
      { prefix: 'docs/', after: mine.pageInfo.endCursor },
      { after: fromDocs.pageInfo.endCursor },
      { prefix: 'logs/', after: fromDocs.edges[0]?.cursor },
      { after: fromFolders.pageInfo.endCursor },
      { delimiter: '/', after: mine.edges[0]?.cursor },
    ]) {
      const error = await listError({ first: 5, ...variables });
      expect(error?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(error?.message).toMatch(/another bucket, prefix or delimiter/);
    }
  });

  it.each([
    ['not base64', '%%%not a cursor%%%'],
    ['random text', 'abc'],
    ['JSON that is not a cursor object', Buffer.from('123').toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['an object without a position', Buffer.from('{"b":"x","p":"","d":""}').toString('base64url')],
    ['a position of the wrong type', Buffer.from('{"b":"x","p":"","d":"","k":5}').toString('base64url')],
  ])('refuses a malformed cursor (%s) as BAD_USER_INPUT', async (_, after) => {
    const error = await listError({ first: 5, after });
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toMatch(/cursor/i);
  });
});

describe('Bucket.objects order', () => {
  const ordered = uniqueBucket('buckets-order');
  // S3 lists in UTF-8 byte order: '-' (0x2D) < '.' (0x2E) < '/' (0x2F) < '0' (0x30), and Hangul after ASCII.
  const KEYS = ['x-y', 'x.txt', 'x/1', 'x/2', 'x0', 'y', '가/1', '가.txt'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  beforeAll(async () => {
    await app.storage.createBucket(ordered);
    await seedObjects(app.storage, ordered, Object.fromEntries(KEYS.map((key) => [key, key])));
  });

  it('is UTF-8 byte order, the same on one page and one key at a time', async () => {
    expect(KEYS).toEqual(['x-y', 'x.txt', 'x/1', 'x/2', 'x0', 'y', '가.txt', '가/1']);
    const all = await app.gql(LIST, { b: ordered, first: 100 });
    expect(keysOf(all.data?.bucket.objects as Page)).toEqual(KEYS);
    for (const cursorOf of [(p: Page) => p.pageInfo.endCursor, (p: Page) => p.edges[0]?.cursor]) {
      const seen: string[] = [];
      let after: string | null | undefined = null;
      for (let round = 0; round < KEYS.length + 2; round++) {
        const result = await app.gql(LIST, { b: ordered, first: 1, after });
        expect(result.errors).toBeUndefined();
        const page = result.data?.bucket.objects as Page;
        seen.push(...keysOf(page));
        if (!page.pageInfo.hasNextPage) break;
        after = cursorOf(page);
      }
      expect(seen).toEqual(KEYS);
    }
  });
});

describe('Bucket.objects over many keys', () => {
  const COUNT = 2_537;
  const keys = Array.from({ length: COUNT }, (_, i) => `rows/${String(i).padStart(5, '0')}.txt`);

  beforeAll(async () => {
    await seedObjects(app.storage, big, Object.fromEntries(keys.map((key) => [key, key])), 48);
  }, 120_000);

  it('pages through 2,537 keys with first: 1000, exactly once each, in order', async () => {
    const seen: string[] = [];
    const pages: { size: number; hasNextPage: boolean }[] = [];
    let after: string | null = null;
    for (let round = 0; round < 10; round++) {
      const result = await app.gql(LIST, { b: big, first: 1000, after });
      expect(result.errors).toBeUndefined();
      const page = result.data?.bucket.objects as Page;
      seen.push(...keysOf(page));
      pages.push({ size: page.edges.length, hasNextPage: page.pageInfo.hasNextPage });
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toEqual([
      { size: 1000, hasNextPage: true },
      { size: 1000, hasNextPage: true },
      { size: 537, hasNextPage: false },
    ]);
    expect(seen).toEqual(keys);
  });

  it('pages through them with edge cursors as well', async () => {
    const first = await app.gql(LIST, { b: big, first: 1000 });
    const lastEdge = first.data?.bucket.objects.edges.at(-1).cursor as string;
    const second = await app.gql(LIST, { b: big, first: 1000, after: lastEdge });
    expect(second.errors).toBeUndefined();
    expect(keysOf(second.data?.bucket.objects as Page)).toEqual(keys.slice(1000, 2000));
    const middle = first.data?.bucket.objects.edges[499].cursor as string;
    const fromMiddle = await app.gql(LIST, { b: big, first: 1000, after: middle });
    expect(keysOf(fromMiddle.data?.bucket.objects as Page)).toEqual(keys.slice(500, 1500));
  });
});
