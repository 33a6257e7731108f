import { declaredRules, type RuleTable } from '../../../access-policy/src';
import { loadSubgraphSdl } from '../../../schema/subgraphs';

/**
 * Who may read each field of orders, as schema/orders.graphql declares it (`@access`): orders need
 * orders:read; a protected party's address orders:protected_address (Family Code 6252.5); issuing,
 * changing and ending an order orders:write with purpose C or D, proof of service also
 * orders:serve with purpose C (Family Code 6380) — docs/design.md §4 rule 6. Who changed an order shows as
 * a name and an agency; the author's account id only to orders:write (an account id helps no one
 * serve or enforce an order, and is what an attacker needs to aim at an account — docs/design.md §7).
 * A field the SDL does not declare has no rule; the fallback denies.
 */
export const ordersAccessRules: RuleTable = declaredRules(loadSubgraphSdl('orders'));
