// The GraphQL endpoint: yoga with bucketql's plugins (the token rule, streamed
// multipart parameters, request metrics, query limits) and its error masker. It takes
// fetch Requests; the router (./app.ts) bridges Node's to it.
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { type AppServices, type Context, requestContext } from '../context.js';
import { schema as baseSchema } from '../schema/index.js';
import type { TokenCheck } from './auth.js';
import { createErrorMasker } from './errors.js';
import { queryLimitPlugins } from './limits.js';
import type { Logger } from './log.js';
import { requestMetricsPlugin } from './metrics.js';
import type { GraphQLParams } from './multipart.js';
import { serialisedJsonPlugin } from './serialised-json.js';
import { tokenGuardPlugin } from './token-guard.js';

export interface ServerContext {
  signal: AbortSignal;
  /** Parameters of a multipart request, parsed (and streaming) before yoga sees it. */
  multipart?: GraphQLParams;
  /**
   * Set only by the start-up warm-up (./warm-up.ts), never from HTTP: the services its
   * requests are answered with (a store and a table cache of its own, in memory), and
   * the mark that keeps them out of the request metrics.
   */
  warmUp?: AppServices;
}

export type GraphQLServer = YogaServerInstance<ServerContext, Context>;

/** Multipart requests are parsed by us (streaming); yoga takes their parameters as they are. */
function streamingMultipartPlugin(): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onRequestParse({ serverContext, setRequestParser }) {
      const params = serverContext.multipart;
      if (params) setRequestParser(() => params as never);
    },
  };
}

/** Downloads a request opened and no resolver took (the first bytes read in place of a HEAD) close when it has executed. */
function releaseUnreadBytesPlugin(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone({ args }) {
        (args.contextValue as unknown as Context).loaders.release();
      },
    }),
  };
}

export function createGraphQLServer(options: {
  services: AppServices;
  tokens: TokenCheck;
  log: Logger;
  /** The schema to serve, asked for on every request (datasets can change it). */
  schema?: (() => GraphQLSchema) | undefined;
}): GraphQLServer {
  const { services, tokens, log } = options;
  const { settings } = services;
  return createYoga<ServerContext, Context>({
    schema: options.schema ?? (() => baseSchema),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    healthCheckEndpoint: '/yoga-health',
    // GraphiQL's page is served (cached and compressed) by the router.
    graphiql: false,
    maskedErrors: { maskError: createErrorMasker(log) },
    // CORS is decided by CorsPolicy for every answer (yoga's would answer other origins with `null`).
    cors: false,
    batching: settings.maxBatch > 0 ? { limit: settings.maxBatch } : false,
    // Yoga logs every rejected request as an error; the masker logs what is unexpected.
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.debug(args.map(String).join(' ')),
      warn: (...args) => log.debug(args.map(String).join(' ')),
      error: (...args) => log.debug(args.map(String).join(' ')),
    },
    context: ({ signal, warmUp }) => requestContext(warmUp ?? services, signal),
    multipart: false,
    // Body limits are enforced before yoga, per kind of request (JSON or multipart).
    maxRequestBodySize: false,
    plugins: [
      tokenGuardPlugin(tokens),
      streamingMultipartPlugin(),
      requestMetricsPlugin(),
      releaseUnreadBytesPlugin(),
      serialisedJsonPlugin(),
      ...queryLimitPlugins(settings),
    ],
  });
}
