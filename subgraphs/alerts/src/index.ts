import type { SubgraphModule } from '../../../platform/src';
import { loadSubgraphSdl } from '../../../schema/subgraphs';
import { alertsAccessRules } from './access-rules';
import { createAlertsLoaders, type AlertsLoaders } from './loaders';
import { alertsResolvers, alertsSubjectOf } from './resolvers';
import type { AlertsStore } from './store/alerts-store';
import { SqlAlertsStore } from './store/sql-alerts-store';

/** The alerts subgraph: the hot file of wanted, missing and caution entries. */
export const alerts: SubgraphModule<AlertsStore, AlertsLoaders> = {
  name: 'alerts',
  typeDefs: loadSubgraphSdl('alerts'),
  resolvers: alertsResolvers,
  accessRules: alertsAccessRules,
  subjectOf: alertsSubjectOf,
  openStore: (location) => SqlAlertsStore.open(location),
  createLoaders: (store, _caller, clock) => createAlertsLoaders(store, clock),
};
