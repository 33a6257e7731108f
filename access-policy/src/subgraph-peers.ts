import type { SubgraphName } from './subgraph-names';

/**
 * Peers each subgraph may call on the caller's behalf during a mutation: the gateway signs a
 * delegated token for each (audience = the peer) and nothing else. A security decision, so it is
 * policy, not schema. Orders checks that the persons named in an order exist in the state
 * repository, and tells it whom the order protects (their addresses are then confidential:
 * docs/design.md §4 rule 11).
 */
export const SUBGRAPH_PEERS: Partial<Record<SubgraphName, readonly SubgraphName[]>> = {
  orders: ['criminal-history'],
};
