// The README's settings table, printed from SETTINGS (the same table `--help` reads).
// `npx tsx scripts/settings-table.ts --write` puts it into README.md between the
// settings markers; a test fails when the README's copy is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flagName, SETTINGS } from '../src/config/settings.js';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';

export function settingsTable(): string {
  const rows = Object.values(SETTINGS).map((spec) => {
    const def = spec.default === undefined ? '—' : `\`${spec.default}\``;
    return `| \`${spec.env}\` | \`${flagName(spec.env)}\` | ${def} | ${spec.help.replace(/\|/g, '\\|')} |`;
  });
  return ['| Variable | Flag | Default | What it does |', '|---|---|---|---|', ...rows].join('\n');
}

/** The README's current copy of the table. */
export function readmeSettingsTable(text = readFileSync(README, 'utf8')): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  return start === -1 || end === -1 ? '' : text.slice(start + START.length, end).trim();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--write')) {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    writeFileSync(README, `${text.slice(0, start + START.length)}\n${settingsTable()}\n${text.slice(end)}`);
  } else process.stdout.write(`${settingsTable()}\n`);
}
