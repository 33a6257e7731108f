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

  let loaded = false;
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphFile, 'utf8'),
    buildService: ({ name }) =>
      new SubgraphDataSource(name, config.subgraphUrls[name as SubgraphName], signingKey, config.subgraphTimeoutMs),
  });

  const app = express();
  app.disable('x-powered-by');
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
    ],
  });
  await apollo.start();
  loaded = true;

  app.use(
    healthRoutes(
      () => SUBGRAPH_NAMES.map((name) => subgraphReadiness(name, config.subgraphUrls[name])),
      () => loaded,
    ),
  );

  const authenticate: express.RequestHandler = async (req, res, next) => {
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    try {
      res.locals.identity = await authenticator.authenticate(req.get('authorization'));
      next();
    } catch (error) {
      const message = (error as Error).message;
      logger.warn({ requestId, ip: req.ip, reason: message }, 'authentication failed');
      res.setHeader('www-authenticate', 'Bearer realm="custodian"');
      res.status(401).json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
  };

  app.use(
    '/graphql',
    authenticate,
    express.json({ limit: config.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createGatewayContext(
          res.locals.requestId as string,
          res.locals.identity as VerifiedIdentity,
          { purpose: req.get('x-purpose-code'), reason: req.get('x-reason') },
          { ip: req.ip, userAgent: req.get('user-agent'), startedAt: Date.now() },
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
      await apollo.stop();
    },
  };
}
