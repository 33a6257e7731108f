import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { SubgraphModule } from '../../../platform/src';
import { sdlPath } from '../../../schema/subgraphs';
import { alertsAccessRules } from './access-rules';
import { createAlertsLoaders, type AlertsLoaders } from './loaders';
import { alertsResolvers, alertsSubjectOf } from './resolvers';
import type { AlertsStore } from './store/alerts-store';
import { SqlAlertsStore } from './store/sql-alerts-store';

/** The alerts subgraph: the hot file of wanted, missing and caution entries. */
export const alerts: SubgraphModule<AlertsStore, AlertsLoaders> = {
  name: 'alerts',
  typeDefs: parse(readFileSync(sdlPath('alerts'), 'utf8')),
  resolvers: alertsResolvers as never,
  accessRules: alertsAccessRules,
  subjectOf: alertsSubjectOf,
  openStore: (location) => SqlAlertsStore.open(location),
  createLoaders: (store, _caller, clock) => createAlertsLoaders(store, clock),
};
