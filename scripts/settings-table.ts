// The settings table of docs/settings.md, printed from SETTINGS (the same table `--help`
// reads). `npx tsx scripts/settings-table.ts --write` (`npm run docs`) puts it into
// docs/settings.md between the settings markers; a test fails when that copy is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flagName, SETTINGS } from '../src/config/settings.js';

export const SETTINGS_PAGE = fileURLToPath(new URL('../docs/settings.md', import.meta.url));
const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';

export function settingsTable(): string {
  const rows = Object.values(SETTINGS).map((spec) => {
    const def = spec.default === undefined ? '—' : `\`${spec.default}\``;
    return `| \`${spec.env}\` | \`${flagName(spec.env)}\` | ${def} | ${spec.help.replace(/\|/g, '\\|')} |`;
  });
  return ['| Variable | Flag | Default | What it does |', '|---|---|---|---|', ...rows].join('\n');
}

/** docs/settings.md's current copy of the table. */
export function pageSettingsTable(text = readFileSync(SETTINGS_PAGE, 'utf8')): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  return start === -1 || end === -1 ? '' : text.slice(start + START.length, end).trim();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--write')) {
    const text = readFileSync(SETTINGS_PAGE, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    writeFileSync(SETTINGS_PAGE, `${text.slice(0, start + START.length)}\n${settingsTable()}\n${text.slice(end)}`);
  } else process.stdout.write(`${settingsTable()}\n`);
}
