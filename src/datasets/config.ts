// The datasets config file (bucketql.config.json or .yaml): declared tables that
// become GraphQL types. Parsed and validated with zod at start; every problem is
// reported with its path in the file.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FORMATS } from '../codecs/types.js';
import { COLUMN_TYPES } from '../tables/types.js';
import { GRAPHQL_NAME } from './names.js';

const graphqlName = z.string().regex(GRAPHQL_NAME, { message: 'must be a GraphQL name: letters, digits and _, not starting with a digit' });

const columnOverride = z
  .object({
    type: z.enum(COLUMN_TYPES.filter((t) => t !== 'NULL') as [string, ...string[]]).optional(),
    field: graphqlName.optional(),
    description: z.string().optional(),
    hidden: z.boolean().optional(),
  })
  .strict();

/**
 * Overrides by column name. Column names are data (a CSV header may be `__proto__`),
 * and zod's record drops such a key and makes it the object's prototype instead: the
 * entries are checked one by one into an object without a prototype.
 */
const columnOverrides = z.unknown().transform((value, ctx): Record<string, z.infer<typeof columnOverride>> => {
  const out: Record<string, z.infer<typeof columnOverride>> = Object.create(null);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected an object from column names to overrides' });
    return out;
  }
  for (const [name, override] of Object.entries(value)) {
    const parsed = columnOverride.safeParse(override);
    if (parsed.success) out[name] = parsed.data;
    else for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [name, ...issue.path] });
  }
  return out;
});

const dataset = z
  .object({
    name: graphqlName.refine((n) => !n.startsWith('__'), { message: 'must not start with __' }),
    description: z.string().optional(),
    bucket: z.string().min(3),
    key: z.string().min(1).optional(),
    prefix: z.string().optional(),
    sourceKeyColumn: z.string().min(1).optional(),
    partitions: z.boolean().optional(),
    format: z.enum(FORMATS).optional(),
    sheet: z.string().optional(),
    delimiter: z.string().optional(),
    encoding: z.string().optional(),
    header: z.boolean().optional(),
    columns: columnOverrides.optional(),
  })
  .strict()
  .refine((d) => (d.key === undefined) !== (d.prefix === undefined), { message: 'give exactly one of `key` and `prefix`' })
  .refine((d) => d.partitions === undefined || d.prefix !== undefined, { message: '`partitions` needs `prefix`', path: ['partitions'] })
  .refine((d) => d.sourceKeyColumn === undefined || d.prefix !== undefined, {
    message: '`sourceKeyColumn` needs `prefix`',
    path: ['sourceKeyColumn'],
  });

const configFile = z
  .object({
    $schema: z.string().optional(),
    datasets: z.array(dataset).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.datasets.forEach((d, i) => {
      if (seen.has(d.name))
        ctx.addIssue({ code: 'custom', message: `dataset name ${d.name} is used twice`, path: ['datasets', i, 'name'] });
      seen.add(d.name);
    });
  });

export type DatasetConfig = z.infer<typeof dataset>;
export type ConfigFile = z.infer<typeof configFile>;

export class ConfigError extends Error {}

export function parseConfig(text: string, file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(extname(file)) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
  const parsed = configFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new ConfigError(`${file}: invalid config:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

export function loadConfig(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseConfig(text, file);
}
