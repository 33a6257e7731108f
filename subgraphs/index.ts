import type { SubgraphName } from '../access-policy/src';
import type { SubgraphModule } from '../platform/src';
import { alerts } from './alerts/src';
import { criminalHistory } from './criminal-history/src';
import { orders } from './orders/src';

/** The three subgraph modules by name: the gateway, the seed and the tests treat them alike. */
export const SUBGRAPHS = {
  'criminal-history': criminalHistory,
  orders,
  alerts,
} as const satisfies Record<SubgraphName, SubgraphModule<any, any>>;
