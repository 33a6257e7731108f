import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_ALGORITHM, SUBGRAPH_NAMES, SUBGRAPH_PEERS, type SubgraphName } from '../../access-policy/src';
import { createLogger, ensureSandboxKeyPair, errorBody, importKey, readJwk, SANDBOX_KEYS, type Logger, vendorReportingOff } from '../../platform/src';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { SubgraphDataSource } from './federation/subgraph-data-source';
import { turnOffVendorTelemetry } from './federation/vendor-telemetry-off';
import { argumentChecksPlugin } from '../../platform/src/argument-checks';
import { formatError } from './http/format-error';
import { healthRoutes, subgraphReadiness } from './http/health';
import { createAuthenticator } from './identity/authenticate';
import { Lockout } from './identity/lockout';
import { documentLimits } from './http/document-limits';
import { clientAddress } from './http/client-address';
import { graphqlFront } from './http/graphql-front';
import { LimiterStore } from './http/limiter-store';
import { RateLimits } from './http/rate-limits';
import { screeningSearchPlugin } from './http/screening-search-plugin';
import { purposePlugin } from './identity/purpose-plugin';
import { operationResolutionPlugin } from './http/operation-resolution-plugin';
import { DevIssuer } from './dev-issuer/dev-issuer';
import { explorerRoutes } from './explorer/explorer-routes';
import { auditEventsDataSource } from './audit/audit-events-subgraph';
import { auditPlugin } from './audit/audit-plugin';
import type { AuditStore } from './audit/audit-store';
import { AuditWriter } from './audit/audit-writer';
import { scheduleRetention } from './audit/retention';
import { openAuditStore } from './audit/open-audit-store';
import { TrustedDocumentStore } from './trusted-documents/trusted-document-store';
import { GatewayMetrics } from './observability/metrics';
import { startMetricsServer } from './observability/metrics-server';
import { startTracing } from './observability/tracing';
import { auditConsoleRoutes } from './audit-console/audit-console-routes';
import { FieldPolicy } from './policy/field-policy';
import { withFieldPolicy } from './policy/field-policy-gateway';
import { AUDIT_SUBGRAPH } from '../../schema/subgraphs';
import type { EventFeedConsumer } from '../../platform/src/events/event-feed';
import { eventStreamUrl, openEventFeedConsumer } from '../../platform/src/events/open-event-feed';
import { PROTECTIVE_ORDER_FEED } from '../../schema/events/protective-order-feed';
import { OrderEventHub } from './subscriptions/order-event-hub';
import { startSubscriptionServer } from './subscriptions/subscription-server';
import { apiSchemaOf } from './subscriptions/api-schema';

/** A running gateway. */
export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** The port `GET /metrics` answers on, or null when it could not be bound. */
  readonly metricsPort: number | null;
  /** Stops accepting, drains in-flight operations, closes the audit store. */
  stop(): Promise<void>;
}

/** Options tests and the bench may inject. */
export interface GatewayOptions {
  logger?: Logger;
  /** An audit store other than the configured one (tests: a store that refuses writes). */
  auditStore?: AuditStore;
  /**
   * How operations are recorded, given the gateway's audit writer; the audit (docs/design.md §5)
   * unless given. The bench's own entry point records nothing, to measure the audit's cost;
   * no configuration of the service can reach this.
   */
  recording?: (writer: AuditWriter) => OperationRecording;
  /** The order event feed the subscriptions read (tests: an in-memory feed); default: the configured one. */
  eventFeed?: EventFeedConsumer;
}

/** What records each operation: Apollo plugins, and the writer the HTTP front records its refusals with. */
export interface OperationRecording {
  plugins: ApolloServerPlugin<GatewayContext>[];
  /** Null: refusals made before GraphQL runs are not recorded. */
  writer: AuditWriter | null;
}

/** How long start-up waits for the order event feed before serving without it (it attaches later). */
const FEED_ATTACH_WAIT_MS = 10_000;

/**
 * Builds and starts the gateway: Apollo Server 5 over @apollo/gateway on the static supergraph,
 * behind authentication, with purpose checks, masked errors and health routes.
 */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger('gateway', config.logLevel);
  if (config.createSandboxKeys) await ensureSandboxKeyPair(config.dataDir, SANDBOX_KEYS.internalToken);
  if (config.auth.keys.kind === 'dev-issuer') await ensureSandboxKeyPair(config.dataDir, SANDBOX_KEYS.devIssuer);
  const signingKey = await importKey(readJwk(config.internalTokenPrivateKeyFile), INTERNAL_ALGORITHM);
  const authenticator = await createAuthenticator(config.auth);
  // The explorer and its token endpoint exist only in the sandbox, with the dev issuer.
  const devIssuer = config.mode === 'sandbox' && config.auth.keys.kind === 'dev-issuer' ? await DevIssuer.open(config.dataDir, config.mode) : null;
  const auditStore = options.auditStore ?? (await openAuditStore(config.store, { logger }));
  const metrics = new GatewayMetrics();
  const tracing = await startTracing(config.tracing);
  const auditWriter = new AuditWriter(auditStore, { logger, maxBatch: config.audit.maxBatch, metrics });
  await auditWriter.start();
  const recording = options.recording?.(auditWriter) ?? { plugins: [auditPlugin(auditWriter, logger, metrics)], writer: auditWriter };
  const stopRetention = scheduleRetention(auditStore, config.audit.retentionDays, logger);

  let loaded = false;
  turnOffVendorTelemetry();
  const supergraphSdl = readFileSync(config.supergraphFile, 'utf8');
  const fieldPolicy = FieldPolicy.fromSupergraph(supergraphSdl);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) =>
      name === AUDIT_SUBGRAPH
        ? auditEventsDataSource(auditStore)
        : new SubgraphDataSource(
            name,
            config.subgraphUrls[name as SubgraphName],
            signingKey,
            config.subgraphTimeoutMs,
            logger,
            SUBGRAPH_PEERS[name as SubgraphName],
            metrics,
          ),
  });

  const app = express();
  app.disable('x-powered-by');
  // Behind the load balancer the audit's source address is the client's, from X-Forwarded-For.
  app.set('trust proxy', config.trustProxy);
  const httpServer: Server = createServer();
  const sandbox = config.mode === 'sandbox';
  const limits = documentLimits(config);
  const trustedDocuments = config.trustedDocuments.mode === 'off' ? null : new TrustedDocumentStore(config.trustedDocuments.dir, logger);
  trustedDocuments?.start();
  const limiterStore = new LimiterStore(config.rateLimits.redisUrl, logger);
  const rateLimits = new RateLimits(limiterStore, config.rateLimits);
  const apollo = new ApolloServer<GatewayContext>({
    // The fields a caller can never read are removed before planning (docs/design.md §4 rule 13).
    gateway: config.fieldPolicyAtGateway ? withFieldPolicy(gateway, fieldPolicy) : gateway,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    introspection: sandbox,
    // "Did you mean …" names fields even with introspection off.
    hideSchemaDetailsFromClientErrors: !sandbox,
    includeStacktraceInErrorResponses: false,
    formatError,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries register whatever a caller sends, and a request naming one by
    // hash alone would reach the audit without its document (issue 17). Off: documents are sent whole.
    persistedQueries: false,
    csrfPrevention: true,
    // The process's own handler (stopOnSignals) drains, flushes the audit and exits; two handlers race.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's default landing page loads from a CDN; the explorer is served locally instead.
      ApolloServerPluginLandingPageDisabled(),
      // Records must never sit in a shared cache: responses carry `Cache-Control: no-store` instead.
      ApolloServerPluginCacheControlDisabled(),
      ...vendorReportingOff(),
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      operationResolutionPlugin(),
      purposePlugin(),
      screeningSearchPlugin(rateLimits),
      // After the purpose check: a refused purpose is DENIED whatever the arguments say.
      argumentChecksPlugin<GatewayContext>(),
      ...recording.plugins,
    ],
  });
  await apollo.start();
  loaded = true;

  app.use(
    healthRoutes(
      () => [...SUBGRAPH_NAMES.map((name) => subgraphReadiness(name, config.subgraphUrls[name])), { name: 'audit', check: () => auditStore.ping() }],
      () => loaded,
    ),
  );

  if (devIssuer) app.use(explorerRoutes(devIssuer, fieldPolicy));
  // In production too: its data comes through /graphql under the auditor's own token (audit:read).
  app.use(auditConsoleRoutes({ sandbox: devIssuer !== null }));

  const lockout = new Lockout(limiterStore, config.rateLimits);
  // Subscriptions (docs/design.md §2): @apollo/gateway executes none, so the gateway serves them
  // itself on the same server and path, from one event feed consumer for the whole process.
  // The feed is NATS JetStream when NATS_URL is set, else the orders service's embedded stream.
  const feed =
    options.eventFeed ??
    openEventFeedConsumer(
      config.eventFeed,
      PROTECTIVE_ORDER_FEED,
      { streamUrl: eventStreamUrl(config.subgraphUrls.orders, PROTECTIVE_ORDER_FEED), internalTokenKey: signingKey },
      logger,
    );
  const hub = new OrderEventHub(feed, logger);
  await hub.start(FEED_ATTACH_WAIT_MS);
  const subscriptions = startSubscriptionServer({
    httpServer,
    schema: apiSchemaOf(supergraphSdl),
    policy: fieldPolicy,
    hub,
    authenticator,
    lockout,
    rateLimits,
    auditWriter,
    clientAddress: clientAddress(config.trustProxy),
    trustedDocuments: trustedDocuments && { mode: config.trustedDocuments.mode, store: trustedDocuments },
    documentLimits: { parseOptions: limits.parseOptions, validationRules: limits.validationRules },
    limits: config.subscriptions,
    logger,
    metrics,
  });
  metrics.watchSubscriptions(() => subscriptions.active);

  const front = graphqlFront({
    apollo,
    authenticator,
    lockout,
    rateLimits,
    auditWriter: recording.writer,
    maxBodyBytes: config.maxBodyBytes,
    clientAddress: clientAddress(config.trustProxy),
    trustedDocuments: trustedDocuments && { mode: config.trustedDocuments.mode, store: trustedDocuments },
    logger,
    metrics,
  });
  // Every operation goes straight to the GraphQL front; express serves the rest (health, explorer).
  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/graphql' || path === '/graphql/') front(req, res);
    else app(req, res);
  });

  // Last resort: whatever escapes is an opaque error, never Express's page with a stack trace.
  app.use(((error, req, res, _next) => {
    logger.error({ path: req.path, reason: (error as Error)?.message }, 'unhandled error');
    if (!res.headersSent) res.status(500).json(errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
  }) as express.ErrorRequestHandler);

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const port = (httpServer.address() as AddressInfo).port;
  logger.info({ port, mode: config.mode }, 'gateway listening');
  const metricsServer = await startMetricsServer(metrics, config.host, config.metricsPort, logger);
  return {
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}/graphql`,
    port,
    metricsPort: metricsServer.port,
    async stop() {
      stopRetention();
      await metricsServer.close();
      trustedDocuments?.stop();
      await subscriptions.close();
      await hub.stop();
      await apollo.stop();
      await limiterStore.close();
      await auditWriter.flush();
      await auditStore.close();
      // Last: the spans of the operations drained above are exported before the process ends.
      await tracing.shutdown();
    },
  };
}
