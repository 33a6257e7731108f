import { num, port, str } from 'envalid';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../access-policy/src';
import type { SubscriptionLimits } from './subscriptions/subscription-server';
import { TRUSTED_DOCUMENTS_MODES, type TrustedDocumentsMode } from './trusted-documents/trusted-documents-policy';
import {
  ConfigError,
  modeFrom,
  projectPath,
  readEnv,
  SANDBOX_KEYS,
  SERVICE_ENV,
  sandboxKeyFiles,
  storeLocationFrom,
  subgraphUrlVariable,
  tracingOptionsFrom,
  type Mode,
  type StoreLocation,
} from '../../platform/src';
import { EVENT_FEED_ENV, eventFeedConfigFrom, type EventFeedConfig } from '../../platform/src/events/event-feed-config';

/** Algorithms never accepted for caller tokens: unsigned, or symmetric (a shared secret is not an identity provider's key). */
const FORBIDDEN_ALGORITHMS = /^(none|HS\d+)$/i;

/** Where caller tokens are verified from. */
export type TokenKeySource =
  { kind: 'dev-issuer'; publicKeyFile: string; privateKeyFile: string } | { kind: 'jwks-url'; url: string } | { kind: 'jwks-file'; file: string };

/** The gateway's validated configuration. Every field comes from one environment variable. */
export interface GatewayConfig {
  mode: Mode;
  host: string;
  port: number;
  /** Where Prometheus reads `GET /metrics` (bound to `host`), never the public port. */
  metricsPort: number;
  /** OpenTelemetry traces: exported over OTLP/HTTP to `endpoint`, or off when it is null. */
  tracing: { endpoint: string | null; serviceName: string };
  dataDir: string;
  /** The audit store (and nothing else: the gateway holds no records). */
  store: StoreLocation;
  supergraphFile: string;
  subgraphUrls: Record<SubgraphName, string>;
  auth: {
    keys: TokenKeySource;
    issuer: string;
    audience: string;
    algorithms: string[];
    clockToleranceSeconds: number;
  };
  internalTokenPrivateKeyFile: string;
  createSandboxKeys: boolean;
  subgraphTimeoutMs: number;
  maxBodyBytes: number;
  logLevel: string;
  /** Express's `trust proxy` setting, or false. */
  trustProxy: string | number | false;
  /** Document limits checked before planning (graphql-armor). */
  limits: { maxDepth: number; maxAliases: number; maxDirectives: number; maxTokens: number; maxCost: number };
  rateLimits: {
    redisUrl: string | null;
    userPerMinute: number;
    clientPerMinute: number;
    screeningPerDay: number;
    lockoutAttempts: number;
    lockoutWindowSeconds: number;
    lockoutSeconds: number;
  };
  /** Registered operations per client (Apollo persisted-query manifests), and who must use them. */
  trustedDocuments: { dir: string; mode: TrustedDocumentsMode };
  /**
   * Whether the gateway removes, before planning, the fields the caller can never read (docs/design.md §4
   * rule 13). Off only to check that the subgraphs alone still enforce every rule, and to measure
   * what removal saves: the subgraphs enforce every rule either way.
   */
  fieldPolicyAtGateway: boolean;
  /** Limits of the subscription endpoint (docs/design.md §8, decision 28). */
  subscriptions: SubscriptionLimits;
  /** Where subscriptions' events come from: NATS JetStream (NATS_URL), or the orders service's embedded stream. */
  eventFeed: EventFeedConfig;
  audit: {
    /** Records older than this are purged (with a checkpoint). CJIS AU-11 asks at least a year; California three. */
    retentionDays: number;
    /** Most records per group commit. */
    maxBatch: number;
  };
}

/** Issuer and audience of the sandbox's dev issuer. */
export const DEV_ISSUER = 'custodian-dev-issuer';
export const DEV_AUDIENCE = 'custodian';

/** Every environment variable the gateway reads (besides SUBGRAPH_URL_<NAME>), with its default. */
export const GATEWAY_ENV = {
  ...SERVICE_ENV,
  PORT: port({ default: 4000 }),
  /** Prometheus metrics (`GET /metrics`), on HOST, never on the public port. */
  METRICS_PORT: port({ default: 9464 }),
  SUPERGRAPH_FILE: str({ default: 'schema/supergraph.graphql' }),
  AUTH_ISSUER: str({ default: '' }),
  AUTH_AUDIENCE: str({ default: '' }),
  AUTH_JWKS_URL: str({ default: '' }),
  AUTH_JWKS_FILE: str({ default: '' }),
  AUTH_ALGORITHMS: str({ default: 'RS256,ES256' }),
  AUTH_CLOCK_TOLERANCE_SECONDS: num({ default: 30 }),
  INTERNAL_TOKEN_PRIVATE_KEY_FILE: str({ default: '' }),
  SUBGRAPH_TIMEOUT_MS: num({ default: 5000 }),
  MAX_BODY_BYTES: num({ default: 102_400 }),
  AUDIT_RETENTION_DAYS: num({ default: 1095 }),
  AUDIT_MAX_BATCH: num({ default: 500 }),
  /** Express's `trust proxy`: behind a load balancer, how to find the client's address (e.g. 1, or "loopback"). */
  TRUST_PROXY: str({ default: '' }),
  LIMIT_MAX_DEPTH: num({ default: 10 }),
  LIMIT_MAX_ALIASES: num({ default: 15 }),
  LIMIT_MAX_DIRECTIVES: num({ default: 10 }),
  LIMIT_MAX_TOKENS: num({ default: 2000 }),
  /** Static cost (graphql-armor: objects 2, scalars 1, ×1.5 per level). The officer profile costs about 270. */
  LIMIT_MAX_COST: num({ default: 1000 }),
  /** Shared store for rate limits and lockouts, so replicas agree; empty: in-process memory. */
  REDIS_URL: str({ default: '' }),
  RATE_LIMIT_USER_PER_MINUTE: num({ default: 300 }),
  RATE_LIMIT_CLIENT_PER_MINUTE: num({ default: 3000 }),
  /** Operations a background-check client (person:match without person:read) may run per day. */
  SCREENING_DAILY_QUOTA: num({ default: 1000 }),
  /** Failed authentications (per client address, and per claimed user) before a lockout. CJIS: 5. */
  LOCKOUT_ATTEMPTS: num({ default: 5 }),
  LOCKOUT_WINDOW_SECONDS: num({ default: 900 }),
  LOCKOUT_SECONDS: num({ default: 900 }),
  /** Folder of `<client>.json` persisted-query manifests, reloaded when they change. */
  TRUSTED_DOCUMENTS_DIR: str({ default: 'trusted-documents' }),
  /** enforce-match-only | enforce | log | off; unset: enforce-match-only in production, log in the sandbox. */
  TRUSTED_DOCUMENTS_MODE: str({ default: '', choices: ['', ...TRUSTED_DOCUMENTS_MODES] }),
  /** on | off: remove, before planning, the fields the caller can never read (subgraphs enforce them either way). */
  GATEWAY_FIELD_POLICY: str({ default: 'on', choices: ['on', 'off'] }),
  /** Subscriptions one WebSocket connection may hold. */
  SUBSCRIPTIONS_PER_CONNECTION: num({ default: 10 }),
  /** Subscriptions one user may hold across connections, per gateway replica. */
  SUBSCRIPTIONS_PER_CALLER: num({ default: 20 }),
  /** From the WebSocket upgrade to graphql-ws's connection_init, or the connection is closed (4408). */
  SUBSCRIPTION_INIT_TIMEOUT_MS: num({ default: 10_000 }),
  /** An authenticated connection holding no subscription this long is closed (4410). */
  SUBSCRIPTION_IDLE_TIMEOUT_MS: num({ default: 60_000 }),
  /** Events waiting for one slow subscriber before its connection is closed (4413). */
  SUBSCRIPTION_MAX_QUEUED: num({ default: 100 }),
  /** Bytes written to a subscriber's socket and not yet sent before its connection is closed (4413). */
  SUBSCRIPTION_MAX_BUFFERED_BYTES: num({ default: 1_048_576 }),
  /** Largest WebSocket message a client may send (a larger one closes the connection, 1009). */
  SUBSCRIPTION_MAX_MESSAGE_BYTES: num({ default: 16_384 }),
  ...EVENT_FEED_ENV,
};

/**
 * Reads the gateway's environment once; throws ConfigError naming each bad variable.
 * `unsetMode` is the mode when CUSTODIAN_MODE is unset: production, except for a sandbox-only
 * tool that asks for the sandbox itself.
 */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env, unsetMode: Mode = 'production'): GatewayConfig {
  const e = readEnv(GATEWAY_ENV, env);
  const mode = modeFrom(e.CUSTODIAN_MODE, e.NODE_ENV, unsetMode);
  const dataDir = projectPath(e.DATA_DIR);

  const subgraphUrls = {} as Record<SubgraphName, string>;
  SUBGRAPH_NAMES.forEach((name, i) => {
    const url = env[subgraphUrlVariable(name)] || `http://127.0.0.1:${e.PORT + i + 1}/graphql`;
    if (!/^https?:\/\//.test(url)) throw new ConfigError(`${subgraphUrlVariable(name)}: must be an http(s) URL`);
    subgraphUrls[name] = url;
  });

  let keys: TokenKeySource;
  let issuer = e.AUTH_ISSUER;
  let audience = e.AUTH_AUDIENCE;
  let algorithms = e.AUTH_ALGORITHMS.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (e.AUTH_JWKS_URL && e.AUTH_JWKS_FILE) throw new ConfigError('AUTH_JWKS_URL, AUTH_JWKS_FILE: set one, not both');
  if (e.AUTH_JWKS_URL || e.AUTH_JWKS_FILE) {
    if (!issuer) throw new ConfigError('AUTH_ISSUER: required with a JWKS');
    if (!audience) throw new ConfigError('AUTH_AUDIENCE: required with a JWKS');
    if (e.AUTH_JWKS_URL && !/^https:\/\//.test(e.AUTH_JWKS_URL) && mode === 'production') {
      throw new ConfigError('AUTH_JWKS_URL: must be https in production');
    }
    keys = e.AUTH_JWKS_URL ? { kind: 'jwks-url', url: e.AUTH_JWKS_URL } : { kind: 'jwks-file', file: projectPath(e.AUTH_JWKS_FILE) };
  } else {
    // The dev issuer is a sandbox convenience; production must name a real identity provider.
    if (mode === 'production')
      throw new ConfigError('AUTH_JWKS_URL or AUTH_JWKS_FILE: required in production (the dev issuer is off; CUSTODIAN_MODE=sandbox asks for the sandbox)');
    const files = sandboxKeyFiles(dataDir, SANDBOX_KEYS.devIssuer);
    keys = { kind: 'dev-issuer', publicKeyFile: files.publicFile, privateKeyFile: files.privateFile };
    issuer = issuer || DEV_ISSUER;
    audience = audience || DEV_AUDIENCE;
    algorithms = [SANDBOX_KEYS.devIssuer.alg];
  }
  const bad = algorithms.filter((a) => FORBIDDEN_ALGORITHMS.test(a));
  if (bad.length || algorithms.length === 0) throw new ConfigError(`AUTH_ALGORITHMS: asymmetric algorithms only, got ${e.AUTH_ALGORITHMS}`);

  let internalKey = e.INTERNAL_TOKEN_PRIVATE_KEY_FILE;
  if (!internalKey) {
    if (mode === 'production') throw new ConfigError('INTERNAL_TOKEN_PRIVATE_KEY_FILE: required in production');
    internalKey = sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).privateFile;
  }
  if (e.SUBGRAPH_TIMEOUT_MS < 100) throw new ConfigError('SUBGRAPH_TIMEOUT_MS: at least 100');
  for (const name of [
    'SUBSCRIPTIONS_PER_CONNECTION',
    'SUBSCRIPTIONS_PER_CALLER',
    'SUBSCRIPTION_INIT_TIMEOUT_MS',
    'SUBSCRIPTION_IDLE_TIMEOUT_MS',
    'SUBSCRIPTION_MAX_QUEUED',
    'SUBSCRIPTION_MAX_BUFFERED_BYTES',
    'SUBSCRIPTION_MAX_MESSAGE_BYTES',
  ] as const) {
    if (!Number.isInteger(e[name]) || e[name] < 1) throw new ConfigError(`${name}: a positive integer`);
  }
  for (const name of [
    'LIMIT_MAX_DEPTH',
    'LIMIT_MAX_ALIASES',
    'LIMIT_MAX_DIRECTIVES',
    'LIMIT_MAX_TOKENS',
    'LIMIT_MAX_COST',
    'RATE_LIMIT_USER_PER_MINUTE',
    'RATE_LIMIT_CLIENT_PER_MINUTE',
    'SCREENING_DAILY_QUOTA',
    'LOCKOUT_ATTEMPTS',
    'LOCKOUT_WINDOW_SECONDS',
    'LOCKOUT_SECONDS',
  ] as const) {
    if (!Number.isInteger(e[name]) || e[name] < 1) throw new ConfigError(`${name}: a positive integer`);
  }
  if (e.REDIS_URL && !/^rediss?:\/\//.test(e.REDIS_URL)) throw new ConfigError('REDIS_URL: must be a redis:// URL');
  if (e.AUDIT_RETENTION_DAYS < 365) throw new ConfigError('AUDIT_RETENTION_DAYS: at least 365 (CJIS AU-11 keeps audit records a year)');
  if (!Number.isInteger(e.AUDIT_MAX_BATCH) || e.AUDIT_MAX_BATCH < 1) throw new ConfigError('AUDIT_MAX_BATCH: a positive integer');

  return {
    mode,
    host: e.HOST,
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    tracing: tracingOptionsFrom(e, 'gateway'),
    dataDir,
    store: storeLocationFrom(e.DATABASE_URL, e.DATA_DIR),
    supergraphFile: projectPath(e.SUPERGRAPH_FILE),
    subgraphUrls,
    auth: { keys, issuer, audience, algorithms, clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS },
    internalTokenPrivateKeyFile: projectPath(internalKey),
    createSandboxKeys: mode === 'sandbox' && !e.INTERNAL_TOKEN_PRIVATE_KEY_FILE,
    subgraphTimeoutMs: e.SUBGRAPH_TIMEOUT_MS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    logLevel: e.LOG_LEVEL,
    limits: {
      maxDepth: e.LIMIT_MAX_DEPTH,
      maxAliases: e.LIMIT_MAX_ALIASES,
      maxDirectives: e.LIMIT_MAX_DIRECTIVES,
      maxTokens: e.LIMIT_MAX_TOKENS,
      maxCost: e.LIMIT_MAX_COST,
    },
    rateLimits: {
      redisUrl: e.REDIS_URL || null,
      userPerMinute: e.RATE_LIMIT_USER_PER_MINUTE,
      clientPerMinute: e.RATE_LIMIT_CLIENT_PER_MINUTE,
      screeningPerDay: e.SCREENING_DAILY_QUOTA,
      lockoutAttempts: e.LOCKOUT_ATTEMPTS,
      lockoutWindowSeconds: e.LOCKOUT_WINDOW_SECONDS,
      lockoutSeconds: e.LOCKOUT_SECONDS,
    },
    trustProxy: e.TRUST_PROXY === '' ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    fieldPolicyAtGateway: e.GATEWAY_FIELD_POLICY === 'on',
    eventFeed: eventFeedConfigFrom(e),
    trustedDocuments: {
      dir: projectPath(e.TRUSTED_DOCUMENTS_DIR),
      mode: e.TRUSTED_DOCUMENTS_MODE || (mode === 'production' ? 'enforce-match-only' : 'log'),
    },
    subscriptions: {
      perConnection: e.SUBSCRIPTIONS_PER_CONNECTION,
      perCaller: e.SUBSCRIPTIONS_PER_CALLER,
      initTimeoutMs: e.SUBSCRIPTION_INIT_TIMEOUT_MS,
      idleTimeoutMs: e.SUBSCRIPTION_IDLE_TIMEOUT_MS,
      maxQueued: e.SUBSCRIPTION_MAX_QUEUED,
      maxBufferedBytes: e.SUBSCRIPTION_MAX_BUFFERED_BYTES,
      maxMessageBytes: e.SUBSCRIPTION_MAX_MESSAGE_BYTES,
    },
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS, maxBatch: e.AUDIT_MAX_BATCH },
  };
}
