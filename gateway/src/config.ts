import { num, port, str } from 'envalid';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/src';
import {
  ConfigError,
  modeFrom,
  projectPath,
  readEnv,
  SANDBOX_KEYS,
  sandboxKeyFiles,
  storeLocationFrom,
  type Mode,
  type StoreLocation,
} from '../../platform/src';

/** Algorithms never accepted for caller tokens: unsigned, or symmetric (a shared secret is not an identity provider's key). */
const FORBIDDEN_ALGORITHMS = /^(none|HS\d+)$/i;

/** Where caller tokens are verified from. */
export type TokenKeySource =
  | { kind: 'dev-issuer'; publicKeyFile: string; privateKeyFile: string }
  | { kind: 'jwks-url'; url: string }
  | { kind: 'jwks-file'; file: string };

/** The gateway's validated configuration. Every field comes from one environment variable. */
export interface GatewayConfig {
  mode: Mode;
  host: string;
  port: number;
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

/** The variable naming a subgraph's URL, e.g. SUBGRAPH_URL_CRIMINAL_HISTORY. */
export function subgraphUrlVariable(name: SubgraphName): string {
  return `SUBGRAPH_URL_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** Every environment variable the gateway reads (besides SUBGRAPH_URL_<NAME>), with its default. */
export const GATEWAY_ENV = {
  NODE_ENV: str({ default: 'development' }),
  HOST: str({ default: '127.0.0.1' }),
  PORT: port({ default: 4000 }),
  DATA_DIR: str({ default: 'data' }),
  DATABASE_URL: str({ default: '' }),
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
  LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
  /** Express's `trust proxy`: behind a load balancer, how to find the client's address (e.g. 1, or "loopback"). */
  TRUST_PROXY: str({ default: '' }),
};

/** Reads the gateway's environment once; throws ConfigError naming each bad variable. */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = readEnv(GATEWAY_ENV, env);
  const mode = modeFrom(e.NODE_ENV);
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
  let algorithms = e.AUTH_ALGORITHMS.split(',').map((a) => a.trim()).filter(Boolean);
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
    if (mode === 'production') throw new ConfigError('AUTH_JWKS_URL or AUTH_JWKS_FILE: required in production (the dev issuer is off)');
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
  if (e.AUDIT_RETENTION_DAYS < 365) throw new ConfigError('AUDIT_RETENTION_DAYS: at least 365 (CJIS AU-11 keeps audit records a year)');
  if (!Number.isInteger(e.AUDIT_MAX_BATCH) || e.AUDIT_MAX_BATCH < 1) throw new ConfigError('AUDIT_MAX_BATCH: a positive integer');

  return {
    mode,
    host: e.HOST,
    port: e.PORT,
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
    trustProxy: e.TRUST_PROXY === '' ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS, maxBatch: e.AUDIT_MAX_BATCH },
  };
}
