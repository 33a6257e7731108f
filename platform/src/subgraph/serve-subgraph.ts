import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyLike } from 'jose';
import { buildPermissions, INTERNAL_ALGORITHM, INTERNAL_TOKEN_HEADER, verifyInternalToken, type Caller, type RuleTable } from '../../../access-policy/src';
import { systemClock, type Clock } from '../clock';
import { stopOnSignals } from '../process-lifecycle';
import { ensureSandboxKeyPair, importKey, readJwk, SANDBOX_KEYS } from '../keys';
import { createLogger, type Logger } from '../logger';
import { DisclosureLog } from './disclosure-log';
import { errorBody, headerOf, sendJson } from '../http-json';
import { subgraphHttpHandler } from './subgraph-http';
import { argumentChecksPlugin } from '../argument-checks';
import { vendorReportingOff } from '../vendor-reporting-off';
import { disclosurePlugin } from './disclosure-plugin';
import { instrumentDisclosure } from './disclosure-instrumentation';
import { peerAccessFor } from './peer-access';
import { continuedServerSpan, startTracing, tracingEnabled, type Tracing } from '../observability/tracing';
import type { SubgraphConfig } from './subgraph-config';
import type { StoreBase } from '../sql/store-base';
import type { InternalRoute, SubgraphBackground, SubgraphContext, SubgraphModule } from './subgraph-module';

/** A running subgraph service. */
export interface RunningSubgraph<Store extends StoreBase> {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  /** Stops accepting, drains in-flight requests, closes the store. */
  stop(): Promise<void>;
}

/** Options a test or the bench may inject. */
export interface ServeOptions {
  clock?: Clock;
  logger?: Logger;
  /**
   * How the module's rule table guards the schema; graphql-shield middleware over every field
   * unless given. The bench's own entry point leaves the schema unguarded, to measure the rules'
   * cost; no configuration of the service can reach this.
   */
  guard?: SchemaGuard;
}

/** Applies a rule table to an executable schema, returning the schema to serve. */
export type SchemaGuard = (schema: GraphQLSchema, rules: RuleTable) => GraphQLSchema;

/** The rules as graphql-shield middleware over every field (docs/design.md §4). */
const shieldGuard: SchemaGuard = (schema, rules) => applyMiddleware(schema, buildPermissions(rules, schema));

/**
 * Builds the executable schema of a subgraph: @apollo/subgraph's schema with the access rules
 * applied as graphql-shield middleware over every field.
 */
export function buildSubgraphExecutableSchema<Store extends StoreBase, Loaders>(
  module: Pick<SubgraphModule<Store, Loaders>, 'typeDefs' | 'resolvers' | 'accessRules' | 'subjectOf'>,
  guard: SchemaGuard = shieldGuard,
): GraphQLSchema {
  const schema = instrumentDisclosure(buildSubgraphSchema({ typeDefs: module.typeDefs, resolvers: module.resolvers as never }), module.subjectOf);
  return guard(schema, module.accessRules);
}

/**
 * Serves one subgraph over HTTP: `POST /graphql` for the gateway (internal token required on
 * every call, `_service` and `_entities` included), `/health/live` and `/health/ready`.
 */
export async function serveSubgraph<Store extends StoreBase, Loaders>(
  module: SubgraphModule<Store, Loaders>,
  config: SubgraphConfig,
  options: ServeOptions = {},
): Promise<RunningSubgraph<Store>> {
  const logger = options.logger ?? createLogger(module.name, config.logLevel);
  const clock = options.clock ?? systemClock;
  if (config.createSandboxKeys) await ensureSandboxKeyPair(config.dataDir, SANDBOX_KEYS.internalToken);
  const verifyKey: KeyLike | Uint8Array = await importKey(readJwk(config.internalTokenPublicKeyFile), INTERNAL_ALGORITHM);
  // Before the store opens: its client traces statements only when tracing is already on. A
  // process running the gateway and subgraphs together (tests) keeps the tracing it has.
  const tracing: Tracing | null = tracingEnabled() ? null : await startTracing(config.tracing);
  const store = await module.openStore(config.store);
  const background: SubgraphBackground | null = module.startBackground ? await module.startBackground(store, { config, logger, clock }) : null;

  const httpServer: Server = createServer();
  const apollo = new ApolloServer<SubgraphContext<Store, Loaders>>({
    schema: buildSubgraphExecutableSchema(module, options.guard),
    introspection: config.mode === 'sandbox',
    includeStacktraceInErrorResponses: false,
    // The process's own handler (stopOnSignals) drains, flushes the audit and exits; two handlers race.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Traces would go to Apollo's cloud through the gateway; nothing leaves this network.
      ApolloServerPluginInlineTraceDisabled(),
      // Nothing here is cacheable; the plugin would only cost a hook per field.
      ApolloServerPluginCacheControlDisabled(),
      ...vendorReportingOff(),
      // A subgraph never trusts its caller: lengths and scalars are checked here too.
      argumentChecksPlugin<SubgraphContext<Store, Loaders>>(),
      disclosurePlugin(module, logger),
    ],
  });
  await apollo.start();

  httpServer.on(
    'request',
    subgraphHttpHandler<SubgraphContext<Store, Loaders>>({
      apollo,
      maxBodyBytes: config.maxBodyBytes,
      serviceName: module.name,
      ping: () => store.ping(),
      traced: tracingEnabled() ? (req, res, work) => inCallSpan(module.name, req, res, work) : undefined,
      routes: internalRoutes(background?.routes ?? [], module.name, verifyKey, logger),
      // Identity first: nothing below runs for a call without a valid internal token.
      async admit(req, res) {
        let caller: Caller;
        try {
          caller = await verifyInternalToken(headerOf(req, INTERNAL_TOKEN_HEADER), module.name, verifyKey, headerOf(req, 'x-request-id')?.slice(0, 64));
        } catch (error) {
          logger.warn(
            { ip: req.socket.remoteAddress, userAgent: headerOf(req, 'user-agent'), reason: (error as Error).message },
            'refused a call without a valid internal token',
          );
          sendJson(res, 401, errorBody('This service only answers the Custodian gateway', 'UNAUTHENTICATED'));
          return null;
        }
        return {
          caller,
          store,
          clock,
          loaders: module.createLoaders(store, caller, clock),
          disclosure: new DisclosureLog(),
          peers: peerAccessFor((h) => headerOf(req, h), config.peerUrls),
        };
      },
    }),
  );
  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const port = (httpServer.address() as AddressInfo).port;
  logger.info({ port, store: config.store.kind }, `${module.name} listening`);
  return {
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}/graphql`,
    port,
    store,
    async stop() {
      // Background first: it writes to the store, and its open streams would hold the drain.
      await background?.stop();
      await apollo.stop();
      await store.close();
      await tracing?.shutdown();
    },
  };
}

/**
 * A gateway call's server span, continuing the gateway's trace (its `traceparent`), so a fetch's
 * statements show under the gateway's `gateway.fetch` span. Names and statuses only (docs/design.md §7).
 */
async function inCallSpan(service: string, req: IncomingMessage, res: ServerResponse, work: () => Promise<void>): Promise<void> {
  const call = continuedServerSpan('POST /graphql', req.headers, {
    'custodian.subgraph': service,
    'http.request.method': req.method ?? 'POST',
    'url.path': '/graphql',
  });
  try {
    await call.run(work);
  } finally {
    call.span.setAttribute('http.response.status_code', res.statusCode);
    call.span.end();
  }
}

/**
 * Internal routes behind the internal token: each admits only a token signed for its own audience,
 * which must differ from the subgraph's (a GraphQL call's token must not open it). Refusals are
 * fixed sentences: no token detail, no route detail.
 */
function internalRoutes(routes: readonly InternalRoute[], subgraph: string, verifyKey: KeyLike | Uint8Array, logger: Logger): Map<string, RequestListener> {
  const out = new Map<string, RequestListener>();
  for (const route of routes) {
    if (route.audience === subgraph || !route.audience) throw new Error(`internal route ${route.path}: needs an audience of its own, not "${subgraph}"`);
    if (route.path === '/graphql' || route.path.startsWith('/health/') || out.has(route.path))
      throw new Error(`internal route ${route.path}: path already served`);
    out.set(route.path, (req, res) => {
      verifyInternalToken(headerOf(req, INTERNAL_TOKEN_HEADER), route.audience, verifyKey).then(
        (caller) => route.handle(req, res, caller),
        (error: Error) => {
          logger.warn(
            { ip: req.socket.remoteAddress, path: route.path, reason: error.message },
            'refused an internal route call without a valid internal token',
          );
          sendJson(res, 401, errorBody('This service only answers the Custodian gateway', 'UNAUTHENTICATED'));
        },
      );
    });
  }
  return out;
}

/**
 * The whole life of a subgraph process: read config, serve, and on SIGTERM/SIGINT drain and exit 0.
 * Bad configuration stops it at start-up with the variable's name.
 */
export async function runSubgraphProcess<Store extends StoreBase, Loaders>(
  module: SubgraphModule<Store, Loaders>,
  readConfig: () => SubgraphConfig,
): Promise<void> {
  let config: SubgraphConfig;
  try {
    config = readConfig();
  } catch (error) {
    console.error(`${module.name}: ${(error as Error).message}`);
    process.exit(1);
  }
  const running = await serveSubgraph(module, config);
  stopOnSignals(() => running.stop());
}
