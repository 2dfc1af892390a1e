#!/usr/bin/env node
// The `bucketql` command: settings from flags and BUCKETQL_* variables, then serve
// until SIGINT/SIGTERM, then drain (readiness 503) and finish the requests in flight.
import { helpText, parseSettings, SettingsError } from './config/settings.js';
import { startBucketql } from './main.js';
import { releaseMemory } from './release-memory.js';
import { createLogger } from './server/log.js';
import { storeSummary } from './storage/check.js';

// bucketql runs on Node 20 with SDK versions that support it (pinned by the
// lockfile); the SDK's notice about its future releases is not for our users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  let settings: ReturnType<typeof parseSettings>;
  try {
    settings = parseSettings(argv, process.env);
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`bucketql: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  const log = createLogger(settings.logLevel);
  const started = performance.now();
  const running = await startBucketql(settings, process.env, log);
  const store = storeSummary(running.store);
  const fields = { explorer: `${running.url}/`, graphiql: `${running.url}/graphql`, store: running.store, config: running.configFile };
  const announceReady = () => {
    log.info(`bucketql is ready: explorer at ${running.url}/, GraphiQL at ${running.url}/graphql, using ${store}`, {
      ...fields,
      startupMs: Math.round(performance.now() - started),
      warmUpMs: running.warmUpMs,
    });
    process.stderr.write(
      `\n  bucketql is ready: open ${running.url}/graphql (GraphiQL) or ${running.url}/ (the explorer)\n  store: ${store}\n\n`,
    );
  };
  if (running.storeStatus.ok) announceReady();
  else {
    log.error(`bucketql is listening at ${running.url}/ but is NOT ready: ${running.storeStatus.message}`, fields);
    process.stderr.write(
      `\n  bucketql is NOT ready: ${running.storeStatus.message}\n  store: ${store}\n  It keeps checking (with a growing pause, up to 30 s); /healthz answers 503 until the store works.\n  To try the demo instead: BUCKETQL_STORE=embedded npm start\n\n`,
    );
    void running.storeReady.then(announceReady);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Behind a load balancer: fail readiness first and keep serving while the balancer
    // notices (BUCKETQL_DRAIN_SECONDS), then stop taking requests and finish those in flight.
    running.drain();
    log.info('stopping', { signal, drainSeconds: settings.drainSeconds });
    const force = setTimeout(() => process.exit(1), settings.drainSeconds * 1000 + 10_000);
    force.unref();
    if (settings.drainSeconds > 0) await new Promise((resolve) => setTimeout(resolve, settings.drainSeconds * 1000));
    await running.close();
    process.exit(0);
  };
  // SIGHUP rebuilds the dataset types from the data, and empties the table cache (and
  // returns its memory to the system), without a restart.
  process.on('SIGHUP', () => {
    running.tableCache.clear();
    releaseMemory();
    void running.schema.refresh();
  });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`bucketql: could not start: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
