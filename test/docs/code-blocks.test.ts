// Every code block of the README and of docs/*.md is something a user will paste, so
// each one runs here, in document order, against a bucketql started the way
// `npm start` starts it (embedded store, demo data, demo datasets):
//   graphql  operations run and must answer without errors; SDL must name only types
//            and fields the served schema has
//   json/yaml  a block marked `config` is a datasets config that must load and resolve
//            every dataset; others must parse
//   sh       runs in bash in a scratch folder, with 127.0.0.1:4000 pointed at the test server
// A block that cannot run here says so in an HTML comment on the line before it:
//   <!-- code: skip (why) -->      not run, with the reason
//   <!-- code: file path/to/file -->  the block is that file of the repository, which its
//                                   own test runs (e.g. a codegen config)
//   <!-- code: config -->          a datasets config (json/yaml)
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { loadConfig } from '../../src/datasets/config.js';
import { resolveDatasets } from '../../src/datasets/schema-holder.js';
import { type Running, startBucketql } from '../../src/main.js';
import { createLogger } from '../../src/server/log.js';

const run = promisify(execFile);

interface Block {
  file: string;
  line: number;
  lang: string;
  marker: string | null;
  code: string;
}

/** The fenced code blocks of a Markdown file, with the `<!-- code: ... -->` marker before each. */
function codeBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+)\s*([\w-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent, fence, lang] = open as unknown as [string, string, string, string];
    let previous = i - 1;
    while (previous >= 0 && (lines[previous] as string).trim() === '') previous--;
    const marker = previous >= 0 ? (/^\s*<!--\s*code:\s*(.*?)\s*-->\s*$/.exec(lines[previous] as string)?.[1] ?? null) : null;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] as string).trim().startsWith(fence); j++) {
      body.push((lines[j] as string).startsWith(indent) ? (lines[j] as string).slice(indent.length) : (lines[j] as string));
    }
    blocks.push({ file, line: i + 1, lang: lang.toLowerCase(), marker, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

const root = process.cwd();
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const blocks = documents.flatMap((file) => codeBlocks(file, readFileSync(join(root, file), 'utf8')));

/** Checks that an SDL block names only types and fields the served schema has. */
function checkSdl(sdl: string, schema: GraphQLSchema): void {
  const document = parse(sdl);
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name) continue;
    const name = definition.name.value;
    const served = schema.getType(name);
    expect(served, `type ${name} is not in the served schema`).toBeTruthy();
    if (!served) continue;
    if ('fields' in definition && definition.fields) {
      const fields = isObjectType(served) || isInterfaceType(served) || isInputObjectType(served) ? served.getFields() : {};
      for (const field of definition.fields) {
        expect(Object.keys(fields), `${name}.${field.name.value} is not in the served schema`).toContain(field.name.value);
      }
    }
    if ('values' in definition && definition.values && isEnumType(served)) {
      const values = served.getValues().map((v) => v.name);
      // A dataset's column enum is written with "...": only the named values are checked.
      for (const value of definition.values) expect(values).toContain(value.name.value);
    }
  }
}

let running: Running;
let scratch: string;

// One server for every page, as a reader would have: `npm start` once, then the docs in order.
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'bucketql-docs-'));
  const env = { BUCKETQL_PORT: '0', BUCKETQL_LOG_LEVEL: 'silent', BUCKETQL_STORE: 'embedded', BUCKETQL_DATA_DIR: join(scratch, 'data') };
  running = await startBucketql(parseSettings([], env), env, createLogger('silent'));
  await running.storeReady;
}, 120_000);

afterAll(async () => {
  await running?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.each(documents)('code blocks of %s', (file) => {
  const mine = blocks.filter((b) => b.file === file);
  if (mine.length === 0) it('has no code blocks', () => undefined);

  for (const block of mine) {
    const name = `${block.lang || 'text'} block at line ${block.line}${block.marker ? ` (${block.marker})` : ''}`;
    const skip = block.marker?.startsWith('skip');
    if (skip) {
      it(name, () => {
        expect(block.marker, 'a skipped block says why: <!-- code: skip (why) -->').toMatch(/^skip \(.+\)$/);
      });
      continue;
    }
    const fileMarker = block.marker?.startsWith('file ') ? block.marker.slice(5).trim() : null;
    if (fileMarker) {
      it(name, () => {
        expect(block.code.trim()).toBe(readFileSync(join(root, fileMarker), 'utf8').trim());
      });
      continue;
    }
    it(name, async () => {
      switch (block.lang) {
        case 'graphql':
        case 'gql': {
          const document = parse(block.code);
          const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
          if (operations.length === 0) {
            checkSdl(block.code, running.schema.current);
            return;
          }
          if (operations.length > 1) {
            for (const op of operations) expect(op.name, 'a block with several operations names each one').toBeTruthy();
          }
          for (const op of operations) {
            const response = await fetch(`${running.url}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ query: print(document), operationName: op.name?.value }),
            });
            const body = (await response.json()) as { errors?: unknown[] };
            expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
          }
          return;
        }
        case 'json':
        case 'yaml':
        case 'yml': {
          if (block.marker === 'config') {
            const path = join(scratch, `config-${block.line}.${block.lang === 'json' ? 'json' : 'yaml'}`);
            writeFileSync(path, block.code);
            const config = loadConfig(path);
            const { failures } = await resolveDatasets(running.services, config);
            expect(failures, 'every dataset of the example resolves').toEqual([]);
            return;
          }
          if (block.lang === 'json') JSON.parse(block.code);
          else (await import('yaml')).parse(block.code);
          return;
        }
        case 'sh':
        case 'bash':
        case 'shell': {
          const script = block.code.replaceAll('http://127.0.0.1:4000', running.url).replaceAll('127.0.0.1:4000', running.url.slice(7));
          const shell = run('bash', ['-euo', 'pipefail', '-c', script], {
            cwd: scratch,
            env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` },
            timeout: 60_000,
          });
          await shell.catch((error: { code?: number; stdout?: string; stderr?: string }) => {
            throw new Error(`exit ${error.code}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
          });
          return;
        }
        default:
          throw new Error(`a ${block.lang || 'plain'} block must be marked: <!-- code: skip (why) --> or <!-- code: file path -->`);
      }
    }, 60_000);
  }
});
