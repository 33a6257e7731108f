import { declaredRules, type RuleTable } from '../../../access-policy/src';
import { loadSubgraphSdl } from '../../../schema/subgraphs';

/**
 * Who may read each field of alerts, as schema/alerts.graphql declares it (`@access`): alerts need
 * alerts:read, the free-text caution note alerts:caution (docs/design.md §4 rule 7); a person's key anyone
 * who may reach persons at all. A field the SDL does not declare has no rule; the fallback denies.
 */
export const alertsAccessRules: RuleTable = declaredRules(loadSubgraphSdl('alerts'));
