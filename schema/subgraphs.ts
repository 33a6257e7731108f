import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';
import { projectRoot } from '../platform/src/project-root';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/src/subgraph/subgraph-module';

/**
 * The URL written into the supergraph for each subgraph: the compose service name and port.
 * The gateway overrides them from its configuration at run time (SUBGRAPH_URL_*).
 */
export const SUPERGRAPH_URLS: Record<SubgraphName, string> = {
  'criminal-history': 'http://criminal-history:4001/graphql',
  orders: 'http://orders:4002/graphql',
  alerts: 'http://alerts:4003/graphql',
};

/** Path of a subgraph's SDL. */
export function sdlPath(name: SubgraphName): string {
  return join(projectRoot(), 'schema', `${name}.graphql`);
}

/** A subgraph's SDL, parsed. */
export function loadSubgraphSdl(name: SubgraphName): DocumentNode {
  return parse(readFileSync(sdlPath(name), 'utf8'));
}

/** Path of the checked-in supergraph. */
export function supergraphPath(): string {
  return join(projectRoot(), 'schema', 'supergraph.graphql');
}

/** The subgraphs as @apollo/composition takes them. */
export function subgraphDefinitions() {
  return SUBGRAPH_NAMES.map((name) => ({ name, url: SUPERGRAPH_URLS[name], typeDefs: loadSubgraphSdl(name) }));
}
