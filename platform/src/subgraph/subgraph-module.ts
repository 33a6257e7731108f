import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { DocumentNode } from 'graphql';
import type { Caller, RuleContext, RuleTable, SubgraphName } from '../../../access-policy/src';
import type { Clock } from '../clock';
import type { StoreLocation } from '../sql/open-sql-client';
import type { StoreBase } from '../sql/store-base';
import type { DisclosureLog } from './disclosure-log';
import type { PeerAccess } from './peer-access';

/** Everything a resolver or rule of a subgraph sees for one request. */
export interface SubgraphContext<Store extends StoreBase = StoreBase, Loaders = unknown> extends RuleContext {
  caller: Caller;
  store: Store;
  loaders: Loaders;
  clock: Clock;
  disclosure: DisclosureLog;
  /** Calls to other subgraphs on the caller's behalf, when the gateway delegated them. */
  peers: PeerAccess;
}

/**
 * The shape every subgraph module exports, so the runtime, the gateway and the tests treat the
 * three alike. (One object, every field documented, as DataLoader's options are.)
 */
export interface SubgraphModule<Store extends StoreBase = StoreBase, Loaders = unknown> {
  readonly name: SubgraphName;
  /** The SDL, read from `schema/<name>.graphql`. */
  readonly typeDefs: DocumentNode;
  readonly resolvers: GraphQLResolverMap<SubgraphContext<Store, Loaders>>;
  /** The graphql-shield rule table: type → field → rule (`access-rules.ts`). */
  readonly accessRules: RuleTable;
  /**
   * The subject (typed id, e.g. `Person:A10000001`) that resolving a field of this parent
   * discloses, or null. Feeds the audit's "subjects disclosed".
   */
  subjectOf(typeName: string, parent: unknown): string | null;
  /** Opens (and migrates) the store at this location. */
  openStore(location: StoreLocation): Promise<Store>;
  /** Fresh loaders for one request; row rules are applied inside them, from the caller. */
  createLoaders(store: Store, caller: Caller, clock: Clock): Loaders;
}
