import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { DocumentNode } from 'graphql';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller, RuleContext, RuleTable, SubgraphName } from '../../../access-policy/src';
import type { Clock } from '../clock';
import type { StoreLocation } from '../sql/open-sql-client';
import type { StoreBase } from '../sql/store-base';
import type { Logger } from '../logger';
import type { DisclosureLog } from './disclosure-log';
import type { PeerAccess } from './peer-access';
import type { SubgraphConfig } from './subgraph-config';

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
  /**
   * Work the service runs beside its GraphQL endpoint (the orders outbox relay), started once the
   * store is open and stopped before it closes, with the routes it serves to other Custodian
   * services. Optional: most subgraphs have none.
   */
  startBackground?(store: Store, runtime: BackgroundRuntime): Promise<SubgraphBackground>;
}

/** What a subgraph's background work is given. */
export interface BackgroundRuntime {
  readonly config: SubgraphConfig;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** A subgraph's running background work. */
export interface SubgraphBackground {
  /** Served on the subgraph's port; the runtime admits only a valid internal token of each route's audience. */
  readonly routes?: readonly InternalRoute[];
  /** Stops the work and ends open responses (shutdown drains nothing that never ends). */
  stop(): Promise<void>;
}

/**
 * A route a subgraph serves to other Custodian services beside `/graphql`. Its audience is its
 * own, never the subgraph's name, so a token signed for a GraphQL call cannot be replayed at it.
 */
export interface InternalRoute {
  readonly path: string;
  readonly audience: string;
  /** Runs only after the caller's internal token verified for `audience`. */
  handle(req: IncomingMessage, res: ServerResponse, caller: Caller): void;
}
