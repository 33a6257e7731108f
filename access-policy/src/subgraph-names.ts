/**
 * The three record sources. One name, one string: the folder, the supergraph's subgraph name, the
 * compose service, the module, and the audience of the internal token the gateway signs for it
 * (docs/design.md §1). Here, beside the token, because a name is whom a token is for.
 */
export const SUBGRAPH_NAMES = ['criminal-history', 'orders', 'alerts'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];
