// bucketql's own settings: one table, read from BUCKETQL_* variables and the
// matching CLI flags, validated with zod at start. The settings table of docs/settings.md and
// `bucketql --help` are both printed from SETTINGS, so they cannot drift apart.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A switch, in any letter case (`TRUE`, `Yes` and `on` alike). */
const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'expected 1/0, true/false, yes/no or on/off' }))
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** A byte size: a plain number of bytes, or a number with a KiB/MiB/GiB suffix (also k/m/g). */
const bytes = z.string().transform((raw, ctx) => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$/i.exec(raw);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'expected a byte size such as 67108864, 64MiB or 5GiB' });
    return z.NEVER;
  }
  const unit = (match[2] ?? 'b').toLowerCase()[0] as 'b' | 'k' | 'm' | 'g';
  const factor = { b: 1, k: 1024, m: MiB, g: GiB }[unit];
  return Math.floor(Number(match[1]) * factor);
});

const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, { message: 'expected a whole number' }).transform(Number).pipe(z.number().int().min(min).max(max));

const list = z.string().transform((raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

interface SettingSpec<T, D extends string | undefined = string | undefined> {
  /** Environment variable name. The CLI flag is derived from it (BUCKETQL_DATA_DIR → --data-dir). */
  env: string;
  schema: z.ZodType<T, string>;
  default: D;
  help: string;
  /** Flags that take no value (`--read-only`) set the value "1". */
  switch?: boolean;
  secret?: boolean;
}

function setting<T, D extends string | undefined>(spec: SettingSpec<T, D>): SettingSpec<T, D> {
  return spec;
}

export const SETTINGS = {
  port: setting({ env: 'BUCKETQL_PORT', schema: int(0, 65535), default: '4000', help: 'HTTP port to listen on (0 picks a free one).' }),
  host: setting({
    env: 'BUCKETQL_HOST',
    schema: z.string().min(1),
    default: '127.0.0.1',
    help: 'Address to listen on. Anything but loopback needs BUCKETQL_TOKENS (or BUCKETQL_ALLOW_ANONYMOUS=1).',
  }),
  dataDir: setting({
    env: 'BUCKETQL_DATA_DIR',
    schema: z.string().min(1),
    default: './.bucketql',
    help: "The embedded store's folder (only used when no S3 is configured).",
  }),
  store: setting({
    env: 'BUCKETQL_STORE',
    schema: z.enum(['auto', 's3', 'embedded'], { message: 'expected auto, s3 or embedded' }),
    default: 'auto',
    help: '`auto` uses S3 when an AWS endpoint, credentials or profile are configured and the embedded store otherwise; `s3` and `embedded` force one.',
  }),
  seedDemo: setting({
    env: 'BUCKETQL_SEED_DEMO',
    schema: bool,
    default: '1',
    help: 'Seed the `demo` bucket in the embedded store when it does not exist yet.',
  }),
  s3PathStyle: setting({
    env: 'BUCKETQL_S3_PATH_STYLE',
    schema: bool,
    default: undefined,
    help: 'Path-style S3 addressing. Default: on with a custom endpoint (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL), off for AWS.',
  }),
  s3Concurrency: setting({
    env: 'BUCKETQL_S3_CONCURRENCY',
    schema: int(1, 1024),
    default: '16',
    help: 'Most S3 metadata requests (HEAD) one GraphQL request runs at once.',
  }),
  s3TimeoutMs: setting({
    env: 'BUCKETQL_S3_TIMEOUT_MS',
    schema: int(100, 600_000),
    default: '30000',
    help: 'Timeout for connecting to S3 and for a stalled S3 response (no bytes for this long), in milliseconds.',
  }),
  s3MaxAttempts: setting({
    env: 'BUCKETQL_S3_MAX_ATTEMPTS',
    schema: int(1, 20),
    default: '3',
    help: 'Attempts per S3 call (the SDK retries throttling, 5xx and network errors with backoff).',
  }),
  maxObjectBytes: setting({
    env: 'BUCKETQL_MAX_OBJECT_BYTES',
    schema: bytes,
    default: '64MiB',
    help: 'Largest object (decompressed) that `text`, `json` and `content` decode whole; beyond it they are PAYLOAD_TOO_LARGE. Tables stream and have no such limit.',
  }),
  maxBodyBytes: setting({
    env: 'BUCKETQL_MAX_BODY_BYTES',
    schema: bytes,
    default: '64MiB',
    help: 'Largest JSON request body (e.g. putObject content).',
  }),
  maxUploadBytes: setting({
    env: 'BUCKETQL_MAX_UPLOAD_BYTES',
    schema: bytes,
    default: '5GiB',
    help: 'Largest multipart request (uploadFile).',
  }),
  inferRows: setting({
    env: 'BUCKETQL_INFER_ROWS',
    schema: int(1, 1_000_000),
    default: '1000',
    help: 'Leading rows sampled to infer column types.',
  }),
  cacheBytes: setting({
    env: 'BUCKETQL_CACHE_BYTES',
    schema: bytes,
    default: '256MiB',
    help: 'Memory for the cross-request table cache (tables kept column by column after their first full scan, column types, row counts), keyed by ETag; a table larger than this is streamed on every request.',
  }),
  cacheTableBytes: setting({
    env: 'BUCKETQL_CACHE_TABLE_BYTES',
    schema: bytes,
    default: '16MiB',
    help: 'Objects up to this size (as stored) are read to their end, in the background after the rows a first page needs, and kept in the table cache; larger ones are kept on their first full scan.',
  }),
  cacheDir: setting({
    env: 'BUCKETQL_CACHE_DIR',
    schema: z.string().min(1),
    default: undefined,
    help: "A folder for the table cache's disk tier: every table kept in memory is also written there (Apache Arrow IPC files named by object, ETag and options), a table larger than memory is kept there in segments, and a table not in memory (after a restart, or pushed out) is read from there instead of S3. Several instances may share it. Off when unset.",
  }),
  cacheDirBytes: setting({
    env: 'BUCKETQL_CACHE_DIR_BYTES',
    schema: bytes,
    default: '4GiB',
    help: 'Bytes the files in BUCKETQL_CACHE_DIR may take together; least recently used files are removed beyond it.',
  }),
  cacheSegmentBytes: setting({
    env: 'BUCKETQL_CACHE_SEGMENT_BYTES',
    schema: bytes,
    default: '16MiB',
    help: 'With BUCKETQL_CACHE_DIR: a table larger than BUCKETQL_CACHE_BYTES is kept there in segments of about this many bytes of columns (the first holds the rows read before the table outgrew memory), written as its first full scan goes and read back one at a time; at most about two segments are in memory at once.',
  }),
  config: setting({
    env: 'BUCKETQL_CONFIG',
    schema: z.string().min(1),
    default: undefined,
    help: 'A datasets config file (JSON or YAML) declaring tables that become GraphQL types. Without it: bucketql.config.json, .yaml or .yml in the working folder if there is one, else with the embedded demo data examples/bucketql.demo.json.',
  }),
  schemaRefresh: setting({
    env: 'BUCKETQL_SCHEMA_REFRESH',
    schema: int(0, 86_400),
    default: '0',
    help: 'Seconds between rebuilds of the dataset types from the data (0: only at start and on SIGHUP).',
  }),
  tokens: setting({
    env: 'BUCKETQL_TOKENS',
    schema: list,
    default: undefined,
    secret: true,
    help: 'Comma-separated bearer tokens; when set (here or in BUCKETQL_TOKENS_FILE) every request needs `Authorization: Bearer <token>`.',
  }),
  tokensFile: setting({
    env: 'BUCKETQL_TOKENS_FILE',
    schema: z.string().min(1),
    default: undefined,
    help: 'A file with one bearer token a line (blank lines and # comments ignored), for secrets managers; read at start.',
  }),
  allowAnonymous: setting({
    env: 'BUCKETQL_ALLOW_ANONYMOUS',
    schema: bool,
    default: '0',
    switch: true,
    help: 'Allow listening on a non-loopback address without tokens.',
  }),
  buckets: setting({
    env: 'BUCKETQL_BUCKETS',
    schema: list,
    default: undefined,
    help: 'Comma-separated bucket names or globs (`*`, `?`) that can be seen or touched; all when unset. Others are FORBIDDEN.',
  }),
  readOnly: setting({
    env: 'BUCKETQL_READ_ONLY',
    schema: bool,
    default: '0',
    switch: true,
    help: 'Refuse every mutation (FORBIDDEN).',
  }),
  corsOrigins: setting({
    env: 'BUCKETQL_CORS_ORIGINS',
    schema: list,
    default: undefined,
    help: 'Comma-separated origins (https://app.example.com) whose browser apps may call the API; none when unset.',
  }),
  introspection: setting({
    env: 'BUCKETQL_INTROSPECTION',
    schema: bool,
    default: '1',
    help: 'Answer introspection queries (GraphiQL and codegen need them); 0 turns them off.',
  }),
  graphiql: setting({
    env: 'BUCKETQL_GRAPHIQL',
    schema: bool,
    default: '1',
    help: 'Serve GraphiQL at /graphql to browsers.',
  }),
  maxDepth: setting({ env: 'BUCKETQL_MAX_DEPTH', schema: int(1, 1000), default: '12', help: 'Deepest selection a query may nest.' }),
  maxAliases: setting({ env: 'BUCKETQL_MAX_ALIASES', schema: int(1, 10_000), default: '30', help: 'Most aliases in one query.' }),
  maxTokens: setting({
    env: 'BUCKETQL_MAX_TOKENS',
    schema: int(10, 1_000_000),
    default: '2000',
    help: 'Most lexical tokens in one query document.',
  }),
  maxScansPerRequest: setting({
    env: 'BUCKETQL_MAX_SCANS_PER_REQUEST',
    schema: int(1, 10_000),
    default: '8',
    help: 'Most whole-object reads one request may start: table scans (rowCount, count, totalCount, aggregate, summary, rows with where or orderBy, their dataset equivalents) and text/json/content. Counted before the query runs, and again as they start (a list multiplies them).',
  }),
  maxConcurrentScans: setting({
    env: 'BUCKETQL_MAX_CONCURRENT_SCANS',
    schema: int(1, 1024),
    default: '2',
    help: 'Most whole-object reads the process runs at once, over all requests; more wait their turn (a sorted 10,000-row page of a 1M-row CSV holds about 250 MiB while it runs).',
  }),
  maxCost: setting({
    env: 'BUCKETQL_MAX_COST',
    schema: int(1, 100_000_000),
    // `first` (written in the query or given by a variable) multiplies the cost of what it
    // pages: one full page of table rows
    // (`rows(first: 10000) { edges { cursor node { index values cells } } }`) costs about 700,000.
    default: '1000000',
    help: 'Highest estimated cost of one query (graphql-armor cost limit: objects and scalars weighted by depth, times `first`, written in the query or given by a variable). The default lets one page of the largest size through.',
  }),
  maxBatch: setting({
    env: 'BUCKETQL_MAX_BATCH',
    schema: int(0, 100),
    default: '0',
    help: 'Most operations in one batched HTTP request (a JSON array); 0 turns batching off.',
  }),
  metricsPublic: setting({
    env: 'BUCKETQL_METRICS_PUBLIC',
    schema: bool,
    default: '0',
    switch: true,
    help: 'Serve /metrics (Prometheus) without a token; by default it needs the same bearer token as the API.',
  }),
  warmUp: setting({
    env: 'BUCKETQL_WARM_UP',
    schema: bool,
    default: '1',
    help: 'Before listening, answer a few GraphQL questions in process over a made-up table held in memory (never the store), so that the first request finds its code compiled; 0 turns it off. A failing warm-up is logged at debug and the server starts anyway.',
  }),
  drainSeconds: setting({
    env: 'BUCKETQL_DRAIN_SECONDS',
    schema: int(0, 600),
    default: '0',
    help: 'On SIGTERM, seconds to keep serving while /readyz answers 503 (so a load balancer stops sending requests) before the server closes and waits for the requests in flight.',
  }),
  logLevel: setting({
    env: 'BUCKETQL_LOG_LEVEL',
    schema: z.enum(['debug', 'info', 'warn', 'error', 'silent'], {
      message: 'expected debug, info, warn, error or silent',
    }),
    default: 'info',
    help: 'Log level (logs go to stderr, one JSON object a line).',
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Settings = {
  [K in SettingName]: (typeof SETTINGS)[K] extends SettingSpec<infer T, infer D> ? (D extends string ? T : T | undefined) : never;
};

export function flagName(env: string): string {
  return `--${env
    .replace(/^BUCKETQL_/, '')
    .toLowerCase()
    .replace(/_/g, '-')}`;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses settings from CLI flags (which win) and the environment. Throws a
 * SettingsError listing every bad value, each with the variable and flag it came from.
 */
export function parseSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  const fromFlags = new Map<string, string>();
  const problems: string[] = [];
  const byFlag = new Map(Object.values(SETTINGS).map((s) => [flagName(s.env), s as SettingSpec<unknown>]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const spec = byFlag.get(flag);
    if (!spec) {
      problems.push(`unknown option ${flag} (see --help)`);
      continue;
    }
    if (inline !== undefined) fromFlags.set(spec.env, inline);
    else if (spec.switch) fromFlags.set(spec.env, '1');
    else if (i + 1 < argv.length) fromFlags.set(spec.env, argv[++i] as string);
    else problems.push(`${flag} needs a value`);
  }

  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [string, SettingSpec<unknown>][]) {
    const raw = fromFlags.get(spec.env) ?? nonEmpty(env[spec.env]) ?? spec.default;
    if (raw === undefined) {
      out[name] = undefined;
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
    else {
      const source = fromFlags.has(spec.env) ? flagName(spec.env) : spec.env;
      const shown = spec.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${source}=${shown}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return out as Settings;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

export function helpText(): string {
  const lines = [
    'Usage: bucketql [options]',
    '',
    'Serves a GraphQL API over S3 at http://HOST:PORT/graphql.',
    'Every option can also be set by its environment variable; a flag wins over the variable.',
    'S3 is configured the way every AWS SDK is: AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID /',
    'AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL). With none of them set,',
    'bucketql starts an embedded S3-compatible store with demo data.',
    '',
    'Options:',
  ];
  for (const spec of Object.values(SETTINGS) as SettingSpec<unknown>[]) {
    const flag = spec.switch ? flagName(spec.env) : `${flagName(spec.env)} <value>`;
    const def = spec.default === undefined ? '' : ` (default: ${spec.default})`;
    lines.push(`  ${flag.padEnd(30)} ${spec.env}${def}`, `  ${''.padEnd(30)} ${spec.help}`);
  }
  lines.push(`  ${'--help'.padEnd(30)} Show this help.`, '', 'The same settings, with more detail: docs/settings.md.');
  return lines.join('\n');
}

/** Where the S3 connection comes from, and why. */
export interface StoreChoice {
  kind: 's3' | 'embedded';
  reason: string;
}

const AWS_CONFIG_VARS = [
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
];

/** The embedded store is used only when nothing about AWS is configured (or it is forced). */
export function chooseStore(settings: Settings, env: NodeJS.ProcessEnv): StoreChoice {
  if (settings.store !== 'auto') return { kind: settings.store, reason: `BUCKETQL_STORE=${settings.store}` };
  const configured = AWS_CONFIG_VARS.find((name) => nonEmpty(env[name]) !== undefined);
  if (configured) return { kind: 's3', reason: `${configured} is set` };
  const sharedFiles = [join(homedir(), '.aws', 'credentials'), join(homedir(), '.aws', 'config')];
  const withDefault = sharedFiles.find((file) => existsSync(file) && /^\s*\[(profile\s+)?default\]/m.test(readFileSync(file, 'utf8')));
  if (withDefault) return { kind: 's3', reason: `${withDefault} has a default profile` };
  return { kind: 'embedded', reason: 'no AWS endpoint, credentials or profile is configured' };
}

export function resolveDataDir(settings: Settings): string {
  return resolve(settings.dataDir);
}
