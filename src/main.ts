// Starting bucketql: pick the store (S3 or the embedded one), seed the demo data
// when embedded, and serve. Used by the CLI, the tests and the examples alike.
import { join } from 'node:path';
import { chooseStore, resolveDataDir, type Settings } from './config/settings.js';
import { type App, createApp } from './server/app.js';
import { checkListenSafety, loadTokens, TokenCheck } from './server/auth.js';
import { createLogger, type Logger } from './server/log.js';
import { EMBEDDED_CREDENTIALS, type EmbeddedStore, startEmbeddedStore } from './storage/embedded/embedded.js';
import { seedDemo } from './storage/embedded/seed.js';
import { Storage } from './storage/s3.js';

export interface Running {
  port: number;
  url: string;
  /** The embedded store, when bucketql started one. */
  embedded: EmbeddedStore | null;
  storage: Storage;
  close(): Promise<void>;
}

export async function startBucketql(settings: Settings, env: NodeJS.ProcessEnv, logger?: Logger): Promise<Running> {
  const log = logger ?? createLogger(settings.logLevel);
  // Refuse an unsafe address before anything starts (the embedded store, the demo seed).
  checkListenSafety(settings, new TokenCheck(loadTokens(settings)));
  const choice = chooseStore(settings, env);
  let embedded: EmbeddedStore | null = null;
  let storage: Storage;
  const common = { timeoutMs: settings.s3TimeoutMs, maxAttempts: settings.s3MaxAttempts };
  if (choice.kind === 'embedded') {
    const directory = join(resolveDataDir(settings), 's3');
    embedded = await startEmbeddedStore({ directory });
    storage = new Storage({ ...common, endpoint: embedded.endpoint, credentials: EMBEDDED_CREDENTIALS, copySourceKeepsPlus: true });
    log.info('using the embedded S3-compatible store (s3rver)', { reason: choice.reason, directory, endpoint: embedded.endpoint });
    if (settings.seedDemo) await seedDemo(storage, log);
  } else {
    storage = new Storage({ ...common, forcePathStyle: settings.s3PathStyle });
    log.info('using S3', { reason: choice.reason, endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? 'AWS' });
  }

  let app: App;
  let port: number;
  try {
    app = createApp({ settings, storage, logger: log });
    port = await app.listen();
  } catch (error) {
    storage.destroy();
    await embedded?.stop();
    throw error;
  }
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;
  return {
    port,
    url,
    embedded,
    storage,
    close: async () => {
      await app.close();
      storage.destroy();
      await embedded?.stop();
    },
  };
}
