// docs/settings.md documents every setting, exactly as the server reads it.
import { describe, expect, it } from 'vitest';
import { pageSettingsTable, settingsTable } from '../../scripts/settings-table.js';

describe('docs/settings.md', () => {
  it('lists every setting as the server defines it (run `npm run docs`)', () => {
    expect(pageSettingsTable()).toBe(settingsTable());
  });
});
