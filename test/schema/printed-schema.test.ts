// schema/schema.graphql is what clients are generated from: it must be what the server serves.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../../scripts/print-schema.js';
import { contractProblems } from './contract.js';

const CONTRACT_FILE = fileURLToPath(new URL('../../schema/contract.graphql', import.meta.url));
const SHARED_API = fileURLToPath(new URL('../../../shared/API.md', import.meta.url));

describe('the printed schema', () => {
  it('is up to date, with the demo datasets (run `npm run schema:print` when this fails)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await printedSchema());
  });

  it('holds every name of the contract, typed as it says', () => {
    const problems = contractProblems(readFileSync(CONTRACT_FILE, 'utf8'), buildSchema(readFileSync(SCHEMA_FILE, 'utf8')));
    expect(problems).toEqual([]);
  });

  it.runIf(existsSync(SHARED_API))('holds a current copy of the contract (schema/contract.graphql = the SDL of shared/API.md)', () => {
    const sdl = /```graphql\n([\s\S]*?)```/.exec(readFileSync(SHARED_API, 'utf8'))?.[1];
    expect(readFileSync(CONTRACT_FILE, 'utf8')).toContain(sdl);
  });
});
