import type DataLoader from 'dataloader';
import { manyByKey, oneByKey } from '../../../platform/src';
import type { OrderEvent } from './order-events';
import type { OrderRecord, OrdersStore, ProtectedPartyRecord } from './store/orders-store';

/** The per-request loaders of orders. No authorization here: access-rules.ts decides fields. */
export interface OrdersLoaders {
  readonly order: DataLoader<string, OrderRecord | null>;
  /** Orders restraining a person. */
  readonly restraining: DataLoader<string, OrderRecord[]>;
  /** Orders protecting a person. */
  readonly protecting: DataLoader<string, Array<{ personId: string; order: OrderRecord }>>;
  readonly parties: DataLoader<string, ProtectedPartyRecord[]>;
  readonly events: DataLoader<string, OrderEvent[]>;
}

/** Builds one request's loaders. Never shared between requests: an order read is never stale. */
export function createOrdersLoaders(store: OrdersStore): OrdersLoaders {
  return {
    order: oneByKey(
      (ids) => store.ordersByIds(ids),
      (o) => o.id,
    ),
    restraining: manyByKey(
      (ids) => store.ordersByRestrainedPersonIds(ids),
      (o) => o.restrainedPersonId,
    ),
    protecting: manyByKey(
      (ids) => store.ordersProtectingPersonIds(ids),
      (x) => x.personId,
    ),
    parties: manyByKey(
      (ids) => store.partiesByOrderIds(ids),
      (p) => p.orderId,
    ),
    events: manyByKey(
      (ids) => store.eventsByOrderIds(ids),
      (e) => e.orderId,
    ),
  };
}
