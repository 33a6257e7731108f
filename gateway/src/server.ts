import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_ALGORITHM } from '../../access-policy/src';
import {
  createLogger,
  ensureSandboxKeyPair,
  importKey,
  readJwk,
  SANDBOX_KEYS,
  SUBGRAPH_NAMES,
  type Logger,
  type SubgraphName,
} from '../../platform/src';
import type { GatewayConfig } from './config';
import { createGatewayContext, type GatewayContext } from './context';
import { SubgraphDataSource } from './federation/subgraph-data-source';
import { formatError } from './http/format-error';
import { healthRoutes, subgraphReadiness } from './http/health';
import { createAuthenticator, type VerifiedIdentity } from './identity/authenticate';
import { purposePlugin } from './identity/purpose-plugin';
import { DevIssuer } from './dev-issuer/dev-issuer';
import { explorerRoutes } from './explorer/explorer-routes';
import { buildAuditEntry, type RequestFacts } from './audit/audit-entry';
import { auditEventsDataSource } from './audit/audit-events-subgraph';
import { auditPlugin } from './audit/audit-plugin';
import type { AuditStore } from './audit/audit-store';
import { AuditWriter } from './audit/audit-writer';
import { scheduleRetention } from './audit/retention';
import { SqlAuditStore } from './audit/sql-audit-store';
import { AUDIT_SUBGRAPH, SUBGRAPH_PEERS } from '../../schema/subgraphs';

/** A running gateway. */
export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, drains in-flight operations, closes the audit store. */
  stop(): Promise<void>;
}

/** Options tests and the bench may inject. */
export interface GatewayOptions {
  logger?: Logger;
  /** An audit store other than the configured one (tests: a store that refuses writes). */
  auditStore?: AuditStore;
  /**
   * Bench-only: run without the audit plugin, to measure its cost. Only the bench's own entry
   * point (bench/, never built into the image) passes it; `main.ts` has no way to.
   */
  withoutAudit?: boolean;
}

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
  const auditStore = options.auditStore ?? (await SqlAuditStore.open(config.store));
  const auditWriter = new AuditWriter(auditStore, { logger, maxBatch: config.audit.maxBatch });
  await auditWriter.start();
  const stopRetention = scheduleRetention(auditStore, config.audit.retentionDays, logger);

  let loaded = false;
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphFile, 'utf8'),
    buildService: ({ name }) =>
      name === AUDIT_SUBGRAPH
        ? auditEventsDataSource(auditStore)
        : new SubgraphDataSource(name, config.subgraphUrls[name as SubgraphName], signingKey, config.subgraphTimeoutMs, logger, SUBGRAPH_PEERS[name as SubgraphName]),
  });

  const app = express();
  app.disable('x-powered-by');
  // Behind the load balancer the audit's source address is the client's, from X-Forwarded-For.
  app.set('trust proxy', config.trustProxy);
  const httpServer: Server = createServer(app);
  const sandbox = config.mode === 'sandbox';
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: sandbox,
    // "Did you mean …" names fields even with introspection off.
    hideSchemaDetailsFromClientErrors: !sandbox,
    includeStacktraceInErrorResponses: false,
    formatError,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's default landing page loads from a CDN; the explorer is served locally instead.
      ApolloServerPluginLandingPageDisabled(),
      purposePlugin(),
      ...(options.withoutAudit ? [] : [auditPlugin(auditWriter, logger)]),
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

  if (devIssuer) app.use(explorerRoutes(devIssuer));

  const facts = (req: express.Request, res: express.Response): RequestFacts => ({
    requestId: res.locals.requestId as string,
    startedAt: res.locals.startedAt as number,
    ip: req.ip,
    userAgent: req.get('user-agent'),
    declaredPurpose: req.get('x-purpose-code'),
    declaredReason: req.get('x-reason'),
  });

  // Every request to /graphql gets an id and exactly one audit record. The audit plugin writes
  // it for operations Apollo runs; the authentication step for refused credentials; and this
  // last-resort hook for requests rejected before either (malformed JSON, oversized bodies,
  // CSRF-blocked or batched requests), which carry no data.
  const beginRequest: express.RequestHandler = (req, res, next) => {
    const requestId = randomUUID();
    const audit = { written: false };
    res.locals.requestId = requestId;
    res.locals.startedAt = Date.now();
    res.locals.audit = audit;
    res.setHeader('x-request-id', requestId);
    if (options.withoutAudit) return next();
    res.on('finish', () => {
      if (audit.written) return;
      audit.written = true;
      const body = (req.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
      const entry = buildAuditEntry(facts(req, res), {
        identity: res.locals.identity as VerifiedIdentity | undefined,
        document: typeof body.query === 'string' ? body.query : typeof req.query.query === 'string' ? req.query.query : null,
        variables: body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : null,
        operationName: typeof body.operationName === 'string' ? body.operationName : null,
        outcome: res.statusCode === 401 ? 'UNAUTHENTICATED' : res.statusCode < 500 ? 'INVALID' : 'ERROR',
        errorCodes: [res.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : res.statusCode === 401 ? 'UNAUTHENTICATED' : res.statusCode < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR'],
      });
      auditWriter.append(entry).catch(() => undefined);
    });
    next();
  };

  const authenticate: express.RequestHandler = async (req, res, next) => {
    try {
      res.locals.identity = await authenticator.authenticate(req.get('authorization'));
      next();
    } catch (error) {
      const message = (error as Error).message;
      logger.warn({ requestId: res.locals.requestId, ip: req.ip, reason: message }, 'authentication failed');
      const audit = res.locals.audit as { written: boolean };
      audit.written = true;
      const entry = buildAuditEntry(facts(req, res), {
        document: typeof req.query.query === 'string' ? req.query.query : null,
        outcome: 'UNAUTHENTICATED',
        errorCodes: ['UNAUTHENTICATED'],
      });
      if (!options.withoutAudit) await auditWriter.append(entry).catch(() => undefined);
      res.setHeader('www-authenticate', 'Bearer realm="custodian"');
      res.status(401).json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
  };

  // Body parsing errors (bad JSON, too large) answered as GraphQL errors, not Express's HTML page.
  const bodyErrors: express.ErrorRequestHandler = (error, _req, res, next) => {
    const status = typeof error?.status === 'number' ? error.status : 500;
    if (status >= 500) return next(error);
    const message = status === 413 ? `Request body is larger than ${config.maxBodyBytes} bytes` : 'Request body is not valid JSON';
    res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  };

  app.use(
    '/graphql',
    beginRequest,
    authenticate,
    express.json({ limit: config.maxBodyBytes }),
    bodyErrors,
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createGatewayContext(
          res.locals.requestId as string,
          res.locals.identity as VerifiedIdentity,
          { purpose: req.get('x-purpose-code'), reason: req.get('x-reason') },
          { ip: req.ip, userAgent: req.get('user-agent'), startedAt: res.locals.startedAt as number },
          res.locals.audit as { written: boolean },
        ),
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const port = (httpServer.address() as AddressInfo).port;
  logger.info({ port, mode: config.mode }, 'gateway listening');
  return {
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}/graphql`,
    port,
    async stop() {
      stopRetention();
      await apollo.stop();
      await auditWriter.flush();
      await auditStore.close();
    },
  };
}
