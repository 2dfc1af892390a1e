#!/usr/bin/env node
// The `bucketql` command: settings from flags and BUCKETQL_* variables, then serve
// until SIGINT/SIGTERM, then drain (readiness 503) and finish the requests in flight.
import { helpText, parseSettings, SettingsError } from './config/settings.js';
import { startBucketql } from './main.js';
import { createLogger } from './server/log.js';

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
  log.info(`bucketql is ready: GraphiQL at ${running.url}/graphql`, {
    url: `${running.url}/graphql`,
    startupMs: Math.round(performance.now() - started),
  });
  process.stderr.write(`\n  bucketql is ready: open ${running.url}/graphql\n\n`);

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
  // SIGHUP rebuilds the dataset types from the data, and empties the table cache, without a restart.
  process.on('SIGHUP', () => {
    running.tableCache.clear();
    void running.schema.refresh();
  });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`bucketql: could not start: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
