import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';
import { projectRoot } from '../platform/src/project-root';
import { SUBGRAPH_NAMES, type SubgraphName } from '../access-policy/src/subgraph-names';

/**
 * The URL written into the supergraph for each subgraph: the compose service name and port.
 * The gateway overrides them from its configuration at run time (SUBGRAPH_URL_*).
 */
export const SUPERGRAPH_URLS: Record<SubgraphName, string> = {
  'criminal-history': 'http://criminal-history:4001/graphql',
  orders: 'http://orders:4002/graphql',
  alerts: 'http://alerts:4003/graphql',
};

/**
 * The audit subgraph: `Query.auditEvents`, served by the gateway in-process from its audit store
 * (it is the gateway's own data), composed into the supergraph like the record subgraphs.
 */
export const AUDIT_SUBGRAPH = 'audit';
/** Placeholder URL: the gateway answers the audit subgraph itself and never fetches it. */
export const AUDIT_SUBGRAPH_URL = 'http://gateway.internal/audit';

/** Path of a subgraph's SDL. */
export function sdlPath(name: SubgraphName | typeof AUDIT_SUBGRAPH): string {
  return join(projectRoot(), 'schema', `${name}.graphql`);
}

/** A subgraph's SDL, parsed. */
export function loadSubgraphSdl(name: SubgraphName | typeof AUDIT_SUBGRAPH): DocumentNode {
  return parse(readFileSync(sdlPath(name), 'utf8'));
}

/** Path of the checked-in supergraph. */
export function supergraphPath(): string {
  return join(projectRoot(), 'schema', 'supergraph.graphql');
}

/** The subgraphs as @apollo/composition takes them. */
export function subgraphDefinitions() {
  return [
    ...SUBGRAPH_NAMES.map((name) => ({ name, url: SUPERGRAPH_URLS[name], typeDefs: loadSubgraphSdl(name) })),
    { name: AUDIT_SUBGRAPH, url: AUDIT_SUBGRAPH_URL, typeDefs: loadSubgraphSdl(AUDIT_SUBGRAPH) },
  ];
}
