// Which store bucketql talks to, in words a user recognises (the embedded store and its
// folder, or S3 with its endpoint, region, profile and credential source — never a
// secret), and one cheap call that checks it works, saying what is wrong when not.
// Used by the start-up check, the ready line, /healthz and `serverInfo.store`.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isBucketqlError } from '../errors.js';
import { isNetworkFailure } from './errors.js';
import type { Storage } from './types.js';

export interface StoreInfo {
  kind: 'embedded' | 's3';
  /** Why this store was chosen ("AWS_PROFILE is set", "BUCKETQL_STORE=embedded", ...). */
  reason: string;
  /** The endpoint requests go to: the embedded store's, a custom one, or null for AWS's own. */
  endpoint: string | null;
  region: string;
  /** The AWS profile in use, when credentials come from one. */
  profile: string | null;
  /** Where the credentials come from, in words; never the credentials themselves. */
  credentials: string;
  /** The embedded store's folder. */
  dataDir: string | null;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function sharedFiles(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  return {
    config: nonEmpty(env.AWS_CONFIG_FILE) ?? join(homedir(), '.aws', 'config'),
    credentials: nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? join(homedir(), '.aws', 'credentials'),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when `~/.aws/config` has `[profile NAME]` (or `[default]`) or `~/.aws/credentials` has `[NAME]`. */
export function profileExists(name: string, env: NodeJS.ProcessEnv): boolean {
  const files = sharedFiles(env);
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const n = escapeRegExp(name);
  const inConfig = new RegExp(name === 'default' ? `^\\s*\\[(profile\\s+)?default\\s*\\]` : `^\\s*\\[profile\\s+${n}\\s*\\]`, 'm');
  const inCredentials = new RegExp(`^\\s*\\[${n}\\s*\\]`, 'm');
  return inConfig.test(read(files.config)) || inCredentials.test(read(files.credentials));
}

/** The S3 store as the AWS SDK will see it, from the same variables the SDK reads. */
export function describeS3(reason: string, env: NodeJS.ProcessEnv): StoreInfo {
  const endpoint = nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL) ?? null;
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1';
  const profile = nonEmpty(env.AWS_PROFILE) ?? null;
  const files = sharedFiles(env);
  let credentials: string;
  if (nonEmpty(env.AWS_ACCESS_KEY_ID) && !profile) credentials = 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (environment)';
  else if (profile) credentials = `profile "${profile}" (${files.config}, ${files.credentials})`;
  else if (nonEmpty(env.AWS_WEB_IDENTITY_TOKEN_FILE)) credentials = 'web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)';
  else if (nonEmpty(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) || nonEmpty(env.AWS_CONTAINER_CREDENTIALS_FULL_URI))
    credentials = 'container credentials (ECS/EKS)';
  else if (profileExists('default', env)) credentials = `profile "default" (${files.config}, ${files.credentials})`;
  else credentials = "the AWS SDK's default chain (environment, shared files, SSO, web identity, container, instance role)";
  const usedProfile = profile ?? (credentials.startsWith('profile "default"') ? 'default' : null);
  return { kind: 's3', reason, endpoint, region, profile: usedProfile, credentials, dataDir: null };
}

export function describeEmbedded(reason: string, endpoint: string, dataDir: string): StoreInfo {
  return {
    kind: 'embedded',
    reason,
    endpoint,
    region: 'us-east-1',
    profile: null,
    credentials: "the embedded store's own fixed key",
    dataDir,
  };
}

/** One line for people: "the embedded store (data in ./.bucketql)", "S3 at http://…, region …, profile …". */
export function storeSummary(info: StoreInfo): string {
  if (info.kind === 'embedded') return `the embedded store (data in ${info.dataDir})`;
  const where = info.endpoint ? `S3 at ${info.endpoint}` : `AWS S3 in ${info.region}`;
  return `${where}, credentials from ${info.credentials}`;
}

/** What is wrong with the store, as a word (for /healthz) and a sentence (for the log). */
export type StoreProblem = 'unreachable' | 'credentials' | 'unavailable' | 'error';

export type StoreStatus = { ok: true } | { ok: false; problem: StoreProblem; message: string };

export const STORE_CHECK_TIMEOUT_MS = 3000;

interface ErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The SDK's own error behind a mapped BucketqlError (kept as a non-enumerable `cause`). */
function sdkError(error: unknown): ErrorLike {
  const e = (error ?? {}) as ErrorLike;
  return isBucketqlError(error) && e.cause && typeof e.cause === 'object' ? (e.cause as ErrorLike) : e;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const e = current as ErrorLike;
    if (e.code && /^E[A-Z_]+$/.test(e.code)) return e.code;
    current = e.cause;
  }
  return undefined;
}

/** Words for an error a store check met. */
export function diagnose(error: unknown, info: StoreInfo): StoreStatus {
  const raw = sdkError(error);
  const where = info.endpoint ? `the S3 endpoint ${info.endpoint}` : `AWS S3 (region ${info.region})`;
  if (raw.name === 'CredentialsProviderError' || /credential/i.test(raw.name ?? '')) {
    if (info.profile)
      return {
        ok: false,
        problem: 'credentials',
        message: `no usable credentials from AWS profile "${info.profile}": check that it exists and is complete in ${info.credentials.replace(/^profile "[^"]*" /, '')}`,
      };
    return { ok: false, problem: 'credentials', message: `no AWS credentials found (looked in ${info.credentials})` };
  }
  if (raw.name === 'StoreCheckTimeout')
    return { ok: false, problem: 'unreachable', message: `${where} did not answer within ${STORE_CHECK_TIMEOUT_MS / 1000} s` };
  if (isNetworkFailure(raw)) {
    const code = networkCode(raw);
    return { ok: false, problem: 'unreachable', message: `${where} is unreachable${code ? ` (${code})` : ''}` };
  }
  const code = raw.Code ?? raw.code ?? raw.name;
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'ExpiredToken' || code === 'InvalidToken')
    return { ok: false, problem: 'credentials', message: `${where} rejected the credentials from ${info.credentials} (${code})` };
  const status = raw.$metadata?.httpStatusCode;
  if ((status !== undefined && status >= 500) || code === 'SlowDown' || code === 'ServiceUnavailable')
    return { ok: false, problem: 'unavailable', message: `${where} answers with errors (${code ?? `HTTP ${status}`})` };
  return { ok: false, problem: 'error', message: `${where} failed the check (${code ?? 'unknown error'})` };
}

/**
 * One cheap call (ListBuckets, within 3 s). Any answer from S3, "access denied"
 * included, means it is there and the credentials are real; a profile that does not
 * exist, a refused or silent endpoint, rejected credentials or 5xx mean it is not.
 */
export async function checkStore(storage: Storage, info: StoreInfo): Promise<StoreStatus> {
  if (info.kind === 's3' && info.profile && info.profile !== 'default' && !profileExists(info.profile, process.env)) {
    const files = sharedFiles(process.env);
    return {
      ok: false,
      problem: 'credentials',
      message: `AWS profile "${info.profile}" (AWS_PROFILE) does not exist: no [profile ${info.profile}] in ${files.config} and no [${info.profile}] in ${files.credentials}`,
    };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      storage.listBuckets(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error('store check timed out'), { name: 'StoreCheckTimeout' })),
          STORE_CHECK_TIMEOUT_MS,
        );
        timer.unref();
      }),
    ]);
    return { ok: true };
  } catch (error) {
    if (isBucketqlError(error) && (error.code === 'NOT_FOUND' || error.code === 'UNAUTHENTICATED')) return { ok: true };
    if (isBucketqlError(error) && error.code === 'FORBIDDEN') {
      const status = diagnose(error, info);
      // AccessDenied on ListBuckets: S3 is there and knows the key; IAM just does not allow listing.
      return status.ok || status.problem !== 'credentials' ? { ok: true } : status;
    }
    return diagnose(error, info);
  } finally {
    clearTimeout(timer);
  }
}
