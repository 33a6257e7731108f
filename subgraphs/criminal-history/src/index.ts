import type { SubgraphModule } from '../../../platform/src';
import { loadSubgraphSdl } from '../../../schema/subgraphs';
import { criminalHistoryAccessRules } from './access-rules';
import { createCriminalHistoryLoaders, type CriminalHistoryLoaders } from './loaders';
import { criminalHistoryResolvers, criminalHistorySubjectOf } from './resolvers';
import type { CriminalHistoryStore } from './store/criminal-history-store';
import { SqlCriminalHistoryStore } from './store/sql-criminal-history-store';

/** The criminal-history subgraph: the state repository of persons and rap sheets. */
export const criminalHistory: SubgraphModule<CriminalHistoryStore, CriminalHistoryLoaders> = {
  name: 'criminal-history',
  typeDefs: loadSubgraphSdl('criminal-history'),
  resolvers: criminalHistoryResolvers,
  accessRules: criminalHistoryAccessRules,
  subjectOf: criminalHistorySubjectOf,
  openStore: (location) => SqlCriminalHistoryStore.open(location),
  createLoaders: createCriminalHistoryLoaders,
};
