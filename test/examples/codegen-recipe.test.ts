// The README's recipe for a typed client of your own datasets, followed as a user
// would in a folder of their own: print the schema for a config (`schema:print
// --config`, no bucketql server running), run GraphQL Code Generator with
// examples/codegen-recipe/codegen.ts, type-check the client (custom scalars mapped, a
// misspelled field caught), run it against a server; and generate from a running
// server's introspection as well.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConfigFile } from '../../src/datasets/config.js';
import { demoDataDir } from '../../src/storage/embedded/seed.js';
import { startTestApp, storeCredentials, type TestApp, uniqueBucket } from '../support/app.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const project = mkdtempSync(join(tmpdir(), 'bucketql-codegen-'));
const bucket = uniqueBucket('codegen');
const config: ConfigFile = {
  datasets: [
    {
      name: 'sales',
      bucket,
      key: 'sales.csv',
      columns: { order_id: { field: 'orderId' }, sold_at: { field: 'soldAt' }, unit_price: { field: 'unitPrice' } },
    },
  ],
};
let app: TestApp;

/** Runs a command in the project folder, asynchronously: the server it may call runs in this process. */
function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = project,
): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('close', (status) => resolve({ status, out }));
  });
}

beforeAll(async () => {
  app = await startTestApp({}, { config: { datasets: [] } });
  await app.storage.createBucket(bucket);
  await app.storage.putObject({ bucket, key: 'sales.csv' }, readFileSync(join(demoDataDir(), 'sales.csv')));
  await app.close();
  app = await startTestApp({}, { config });
  writeFileSync(join(project, 'bucketql.config.json'), JSON.stringify(config));
  for (const file of ['codegen.ts', 'client.ts']) copyFileSync(join(root, 'examples', 'codegen-recipe', file), join(project, file));
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['*.ts', 'gql/*.ts'],
    }),
  );
});

afterAll(async () => {
  await app?.close();
  rmSync(project, { recursive: true, force: true });
});

describe('a typed client for your own datasets', () => {
  it('prints the schema for a config without a running bucketql', { timeout: 180_000 }, async () => {
    const printed = await run(
      'npx',
      ['tsx', join(root, 'scripts', 'print-schema.ts'), '--config', 'bucketql.config.json', '--out', 'schema.graphql'],
      {
        BUCKETQL_STORE: 's3',
        AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
        AWS_ACCESS_KEY_ID: storeCredentials().accessKeyId,
        AWS_SECRET_ACCESS_KEY: storeCredentials().secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        BUCKETQL_LOG_LEVEL: 'silent',
      },
    );
    expect(printed.status, printed.out).toBe(0);
    const schema = readFileSync(join(project, 'schema.graphql'), 'utf8');
    expect(schema).toContain('type SalesRow {');
    expect(schema).toMatch(/soldAt: DateTime!/);
  });

  it('generates it with the recipe, custom scalars mapped, and type-checks a client', { timeout: 180_000 }, async () => {
    const generated = await run(bin('graphql-codegen'), ['--config', 'codegen.ts'], { BUCKETQL_SCHEMA: 'schema.graphql' });
    expect(generated.status, generated.out).toBe(0);
    const types = readFileSync(join(project, 'gql', 'graphql.ts'), 'utf8');
    expect(types).toContain('DateTime: { input: string; output: string; }');
    expect(types).toContain('SafeInt: { input: number; output: number; }');
    expect(types).toContain('JSONObject: { input: Record<string, unknown>; output: Record<string, unknown>; }');
    expect(types).not.toMatch(/: \{ input: any; output: any; \}/);
    // Types that are not `any`: a misspelled field and a wrong type are compile errors.
    writeFileSync(
      join(project, 'checks.ts'),
      `import type { SalesInCityQuery } from './gql/graphql.js';
declare const data: SalesInCityQuery;
const node = data.sales.edges[0]?.node;
export const soldAt: string | undefined = node?.soldAt;
export const orderId: number | undefined = node?.orderId;
// @ts-expect-error: no such field
export const misspelled = node?.orderID;
// @ts-expect-error: unitPrice is a number
export const wrong: string | undefined = node?.unitPrice;
`,
    );
    const checked = await run(bin('tsc'), ['-p', 'tsconfig.json']);
    expect(checked.out).toBe('');
    expect(checked.status).toBe(0);
  });

  it('runs the client against the server', { timeout: 120_000 }, async () => {
    const ran = await run(bin('tsx'), ['client.ts', `${app.url}/graphql`]);
    expect(ran.status, ran.out).toBe(0);
    expect(ran.out).toMatch(/\d+ orders in 서울/);
  });

  it('generates from a running server as well (introspection)', { timeout: 180_000 }, async () => {
    rmSync(join(project, 'gql'), { recursive: true, force: true });
    const generated = await run(bin('graphql-codegen'), ['--config', 'codegen.ts'], { BUCKETQL_SCHEMA: `${app.url}/graphql` });
    expect(generated.status, generated.out).toBe(0);
    expect(readFileSync(join(project, 'gql', 'graphql.ts'), 'utf8')).toContain('export type SalesInCityQuery');
  });
});
