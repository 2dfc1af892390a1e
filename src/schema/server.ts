// What this server allows, for clients (the explorer) that adapt to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { storeSummary } from '../storage/check.js';
import type { Builder } from './builder.js';

// From the sources and the build alike: the nearest package.json up from here.
const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };

/** serverInfo: what this server allows, and its store. */
export function addServerInfo(builder: Builder): void {
  const StoreKind = builder.enumType('StoreKind', {
    description: 'Where the buckets live.',
    values: {
      EMBEDDED: { value: 'embedded', description: "bucketql's embedded S3-compatible store (s3rver), in a local folder." },
      S3: { value: 's3', description: 'AWS S3 or an S3-compatible store (MinIO, Ceph, ...).' },
    } as const,
  });
  builder.objectType('Store', {
    description: 'The store this server reads and writes, as configured. Never holds a secret.',
    fields: (t) => ({
      kind: t.field({ type: StoreKind, resolve: (s) => s.kind }),
      summary: t.string({ description: 'One line for people, as the log says it.', resolve: (s) => storeSummary(s) }),
      reason: t.string({
        description: 'Why this store is used (BUCKETQL_STORE, the AWS variable that is set, ...).',
        resolve: (s) => s.reason,
      }),
      endpoint: t.string({ nullable: true, description: "The endpoint requests go to; null for AWS's own.", resolve: (s) => s.endpoint }),
      region: t.string({ resolve: (s) => s.region }),
      profile: t.string({ nullable: true, description: 'The AWS profile the credentials come from, if any.', resolve: (s) => s.profile }),
      credentials: t.string({ description: 'Where the credentials come from, in words.', resolve: (s) => s.credentials }),
      dataDir: t.string({ nullable: true, description: "The embedded store's folder.", resolve: (s) => s.dataDir }),
    }),
  });
  builder.objectType('ServerInfo', {
    description: 'What this server allows.',
    fields: (t) => ({
      readOnly: t.boolean({
        description: 'BUCKETQL_READ_ONLY=1: every mutation is FORBIDDEN.',
        resolve: (_, __, ctx) => ctx.access.readOnly,
      }),
      maxUploadBytes: t.field({
        type: 'SafeInt',
        description: 'BUCKETQL_MAX_UPLOAD_BYTES: larger uploads are refused.',
        resolve: (_, __, ctx) => ctx.settings.maxUploadBytes,
      }),
      maxObjectBytes: t.field({
        type: 'SafeInt',
        description: 'BUCKETQL_MAX_OBJECT_BYTES: `text`, `json` and `content` of larger objects are PAYLOAD_TOO_LARGE.',
        resolve: (_, __, ctx) => ctx.settings.maxObjectBytes,
      }),
      version: t.string({ description: 'The bucketql version.', resolve: () => version }),
      store: t.field({ type: 'Store', description: 'Which store is in use.', resolve: (_, __, ctx) => ctx.store }),
    }),
  });
  builder.queryField('serverInfo', (t) => t.field({ type: 'ServerInfo', resolve: () => ({}) }));
}
