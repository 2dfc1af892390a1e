// What this server allows, for clients (the explorer) that adapt to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../storage/embedded/seed.js';
import type { Builder } from './builder.js';

// From the sources and the build alike: the nearest package.json up from here.
const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };

export function addServerInfo(builder: Builder) {
  const ServerInfo = builder.objectRef<Record<string, never>>('ServerInfo').implement({
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
    }),
  });
  builder.queryField('serverInfo', (t) => t.field({ type: ServerInfo, resolve: () => ({}) }));
}
