// schema/schema.graphql is what clients are generated from: it must be what the server serves.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../../scripts/print-schema.js';

describe('the printed schema', () => {
  it('is up to date, with the demo datasets (run `npm run schema:print` when this fails)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await printedSchema());
  });

  it('holds every name of the contract in ../shared/API.md, typed as it says', () => {
    const output = execFileSync(process.execPath, ['../shared/tools/contract-check.mjs', SCHEMA_FILE], { encoding: 'utf8' });
    expect(output).toMatch(/contract-check: (\d+) of \1 contract names as specified$/m);
  });
});
