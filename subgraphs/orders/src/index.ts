import type { SubgraphModule } from '../../../platform/src';
import { loadSubgraphSdl } from '../../../schema/subgraphs';
import { ordersAccessRules } from './access-rules';
import { createOrdersLoaders, type OrdersLoaders } from './loaders';
import { startOrderEventFeed } from './order-event-feed';
import { orderMutationResolvers } from './order-mutations';
import { orderQueryResolvers, ordersSubjectOf } from './resolvers';
import type { OrdersStore } from './store/orders-store';
import { SqlOrdersStore } from './store/sql-orders-store';

/** The orders subgraph: the court order registry, an event log with its projection. */
export const orders: SubgraphModule<OrdersStore, OrdersLoaders> = {
  name: 'orders',
  typeDefs: loadSubgraphSdl('orders'),
  resolvers: { ...orderQueryResolvers, ...orderMutationResolvers },
  accessRules: ordersAccessRules,
  subjectOf: ordersSubjectOf,
  openStore: (location) => SqlOrdersStore.open(location),
  createLoaders: (store) => createOrdersLoaders(store),
  startBackground: (store, runtime) => startOrderEventFeed(store, runtime),
};
