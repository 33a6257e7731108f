import type { SubgraphName } from '../access-policy/src';
import { alerts } from './alerts/src';
import { criminalHistory } from './criminal-history/src';
import { orders } from './orders/src';

/**
 * The three subgraph modules by name: the gateway, the seed and the tests treat them alike. Each is
 * a `SubgraphModule` of its own store and loaders; here every name must have one.
 */
export const SUBGRAPHS = {
  'criminal-history': criminalHistory,
  orders,
  alerts,
} as const satisfies Record<SubgraphName, { readonly name: SubgraphName }>;
