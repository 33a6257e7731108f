import { num, port, str } from 'envalid';
import { ConfigError, modeFrom, projectPath, readEnv, SERVICE_ENV, storeLocationFrom, tracingOptionsFrom, type Mode } from '../config';
import type { TracingOptions } from '../observability/tracing';
import { SANDBOX_KEYS, sandboxKeyFiles } from '../keys';
import type { StoreLocation } from '../sql/open-sql-client';
import { SUBGRAPH_NAMES, SUBGRAPH_PEERS, type SubgraphName } from '../../../access-policy/src';
import { EVENT_FEED_ENV, eventFeedConfigFrom, type EventFeedConfig } from '../events/event-feed-config';

/** The gateway's default port; the subgraphs' follow it (docs/design.md §2). */
const DEFAULT_GATEWAY_PORT = 4000;

/**
 * A subgraph's port when it runs on its own: the contract's PORT+1, PORT+2, PORT+3 in the order
 * of SUBGRAPH_NAMES, as the gateway's default URLs and `npm start`'s launcher count them, so the
 * plumbing names no subgraph.
 */
export function defaultSubgraphPort(name: SubgraphName): number {
  return DEFAULT_GATEWAY_PORT + 1 + SUBGRAPH_NAMES.indexOf(name);
}

/** A subgraph service's validated configuration. */
export interface SubgraphConfig {
  name: SubgraphName;
  mode: Mode;
  host: string;
  port: number;
  store: StoreLocation;
  dataDir: string;
  /** JWK file of the gateway's internal-token public key. */
  internalTokenPublicKeyFile: string;
  /** In the sandbox, the key pair is created under DATA_DIR when missing. */
  createSandboxKeys: boolean;
  logLevel: string;
  /** Body size limit for requests from the gateway. */
  maxBodyBytes: number;
  /** URLs of peer subgraphs this one may call with a delegated token. */
  peerUrls: Partial<Record<SubgraphName, string>>;
  /** OTLP export of this service's spans, continuing the gateway's traces; off without an endpoint. */
  tracing: TracingOptions;
  /** How a producing subgraph (orders) publishes its events: NATS JetStream, or its embedded stream. */
  eventFeed: EventFeedConfig;
}

/** The variable naming a subgraph's URL, e.g. SUBGRAPH_URL_CRIMINAL_HISTORY: the gateway reads one per subgraph, a subgraph one per peer. */
export function subgraphUrlVariable(name: SubgraphName): string {
  return `SUBGRAPH_URL_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** The subgraphs another may call on a caller's behalf (access-policy's SUBGRAPH_PEERS), each once. */
const CALLED_PEERS = [...new Set(Object.values(SUBGRAPH_PEERS).flatMap((peers) => peers ?? []))];

/** Where a subgraph reaches each peer it may call on a caller's behalf (orders: criminal-history, to check persons exist). */
const PEER_URL_ENV: Record<string, ReturnType<typeof str>> = Object.fromEntries(
  CALLED_PEERS.map((peer) => [subgraphUrlVariable(peer), str({ default: `http://127.0.0.1:${defaultSubgraphPort(peer)}/graphql` })]),
);

/** Every environment variable a subgraph service reads, with its default (PORT's depends on the subgraph). */
export const SUBGRAPH_ENV = {
  ...SERVICE_ENV,
  PORT: port({ default: 4001 }),
  INTERNAL_TOKEN_PUBLIC_KEY_FILE: str({ default: '' }),
  SUBGRAPH_MAX_BODY_BYTES: num({ default: 1_000_000 }),
  ...PEER_URL_ENV,
  ...EVENT_FEED_ENV,
};

/** Reads a subgraph's environment once; throws ConfigError naming any bad variable. */
export function readSubgraphConfig(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const e = readEnv({ ...SUBGRAPH_ENV, PORT: port({ default: defaultSubgraphPort(name) }) }, env);
  const peerUrls: Record<string, string> = readEnv(PEER_URL_ENV, env);
  const mode = modeFrom(e.CUSTODIAN_MODE, e.NODE_ENV);
  const dataDir = projectPath(e.DATA_DIR);
  let keyFile = e.INTERNAL_TOKEN_PUBLIC_KEY_FILE;
  if (!keyFile) {
    // Production keys come from the operator, never from a key the service made for itself.
    if (mode === 'production') throw new ConfigError('INTERNAL_TOKEN_PUBLIC_KEY_FILE: required in production');
    keyFile = sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).publicFile;
  }
  return {
    name,
    mode,
    host: e.HOST,
    port: e.PORT,
    store: storeLocationFrom(e.DATABASE_URL, e.DATA_DIR),
    dataDir,
    internalTokenPublicKeyFile: projectPath(keyFile),
    createSandboxKeys: mode === 'sandbox' && !e.INTERNAL_TOKEN_PUBLIC_KEY_FILE,
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.SUBGRAPH_MAX_BODY_BYTES,
    peerUrls: Object.fromEntries((SUBGRAPH_PEERS[name] ?? []).map((peer) => [peer, peerUrls[subgraphUrlVariable(peer)]])),
    tracing: tracingOptionsFrom(e, name),
    eventFeed: eventFeedConfigFrom(e),
  };
}
