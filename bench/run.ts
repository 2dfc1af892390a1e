// `npm run bench`: every benchmark in turn, each in its own process (they start
// servers, measure memory, and must not share a heap). Not tests: they assert nothing.
//   npm run bench [-- name ...]   e.g. npm run bench -- tables startup
import { spawnSync } from 'node:child_process';

const ALL = [
  'engine',
  'small-objects',
  'cache',
  'csv-parsers',
  'tables',
  'parquet',
  'scan-concurrency',
  'startup',
  'npm-start',
  'pickle-vs-csv',
  'put-rows',
  'upload-rss',
  'load',
  'scan-memory',
];
const chosen = process.argv.slice(2);
const names = chosen.length > 0 ? chosen : ALL;
const unknown = names.filter((name) => !ALL.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; they are: ${ALL.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of names) {
  console.log(`\n== bench/${name}.ts`);
  const result = spawnSync('npx', ['tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
