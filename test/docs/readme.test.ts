// The README documents every setting, exactly as the server reads it.
import { describe, expect, it } from 'vitest';
import { readmeSettingsTable, settingsTable } from '../../scripts/settings-table.js';

describe('the README', () => {
  it('lists every setting as the server defines it (run `npx tsx scripts/settings-table.ts --write`)', () => {
    expect(readmeSettingsTable()).toBe(settingsTable());
  });
});
