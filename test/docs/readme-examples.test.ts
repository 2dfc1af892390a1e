// The docs' examples work when pasted: the datasets config (docs/datasets.md) is the demo's and
// serves every dataset, its `sales(...)` query answers, and every `putObject` block
// block (docs/writing.md) runs as written (each operation of a block, named, as GraphiQL would run it).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/datasets/config.js';
import { demoDataDir } from '../../src/storage/embedded/seed.js';
import { startTestApp, type TestApp, uniqueBucket } from '../support/app.js';
import { seedObjects } from '../support/seed.js';

/** The code blocks of one language in the section under `heading` of `page` (up to the next heading of its level or higher). */
function codeBlocks(page: string, heading: string, lang: string): string[] {
  const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading} in ${page}`);
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] as string);
}

function demoFiles(): Record<string, Buffer> {
  const root = demoDataDir();
  const files: Record<string, Buffer> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.py')) files[relative(root, path).split('\\').join('/')] = readFileSync(path);
    }
  };
  walk(root);
  return files;
}

/** Each operation of a GraphQL block, by name (a block of one anonymous operation: [undefined]). */
function operationNames(block: string): (string | undefined)[] {
  return parse(block).definitions.flatMap((d) => (d.kind === 'OperationDefinition' ? [d.name?.value] : []));
}

const bucket = uniqueBucket('readme');
let app: TestApp;

beforeAll(async () => {
  const plain = await startTestApp();
  await plain.storage.createBucket(bucket);
  await seedObjects(plain.storage, bucket, demoFiles());
  await plain.close();
  const [json] = codeBlocks('docs/datasets.md', '## Datasets', 'json');
  const config = JSON.parse((json as string).replaceAll('"bucket": "demo"', `"bucket": "${bucket}"`)) as ConfigFile;
  app = await startTestApp({}, { config });
});

afterAll(() => app?.close());

describe('the Datasets section', () => {
  it('shows the demo config as it is in examples/bucketql.demo.json', () => {
    const [json] = codeBlocks('docs/datasets.md', '## Datasets', 'json');
    expect(JSON.parse(json as string)).toEqual(
      JSON.parse(readFileSync(new URL('../../examples/bucketql.demo.json', import.meta.url), 'utf8')),
    );
  });

  it('serves every dataset of that config, and its query answers', async () => {
    const result = await app.holder?.refresh();
    expect(result?.failures).toEqual([]);
    expect(result?.datasets.map((d) => d.config.name)).toEqual(['sales', 'branchSales', 'events']);
    const query = codeBlocks('docs/datasets.md', '## Datasets', 'graphql').find((block) => block.trimStart().startsWith('{'));
    const answer = await app.gql(query as string);
    expect(answer.errors).toBeUndefined();
    expect((answer.data as { sales: { edges: unknown[] } }).sales.edges.length).toBeGreaterThan(0);
    expect((answer.data as { salesAggregate: unknown[] }).salesAggregate.length).toBeGreaterThan(0);
  });
});

describe('the putObject examples', () => {
  const blocks = codeBlocks('docs/writing.md', '### What `putObject` accepts, by extension', 'graphql');

  it('are there', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(7);
  });

  it.each(blocks.map((block, i) => [i + 1, block] as const))('block %i runs as written, every operation in it', async (_, block) => {
    const names = operationNames(block);
    // GraphQL runs one operation of a document: with several, each must have a name.
    if (names.length > 1) expect(names.every((n) => n !== undefined)).toBe(true);
    for (const operationName of names) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: block.replaceAll('bucket: "demo"', `bucket: "${bucket}"`), operationName }),
      });
      const answer = (await response.json()) as { errors?: unknown[]; data?: Record<string, { size?: number }> };
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.putObject).toBeTruthy();
    }
  });
});
