import type { SubgraphContext } from '../../../platform/src';
import { dateScalar, dateTimeScalar } from '../../../platform/src/scalars';
import type { OrdersLoaders } from './loaders';
import { orderStatusAt, type OrderEvent } from './order-events';
import type { OrderRecord, OrdersStore, ProtectedPartyRecord } from './store/orders-store';

type Ctx = SubgraphContext<OrdersStore, OrdersLoaders>;

/** Most orders `protectiveOrders` returns. */
export const MAX_ORDERS_PER_QUERY = 100;

/** Read resolvers of orders; mutations live in order-mutations.ts. */
export const orderQueryResolvers = {
  Date: dateScalar,
  DateTime: dateTimeScalar,

  Query: {
    protectiveOrder: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.order.load(args.id),
    async protectiveOrders(_: unknown, args: { caseNumber?: string | null }, ctx: Ctx) {
      const orders = await ctx.store.ordersByCaseNumber(args.caseNumber?.trim() || null, MAX_ORDERS_PER_QUERY);
      for (const o of orders) ctx.loaders.order.prime(o.id, o);
      return orders;
    },
  },

  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    protectiveOrders: (p: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.restraining.load(p.id),
    protectedBy: async (p: { id: string }, _: unknown, ctx: Ctx) => (await ctx.loaders.protecting.load(p.id)).map((x) => x.order),
  },

  ProtectiveOrder: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.order.load(ref.id),
    status: (o: OrderRecord, _: unknown, ctx: Ctx) => orderStatusAt(o, ctx.clock.now()),
    restrainedPerson: (o: OrderRecord) => ({ id: o.restrainedPersonId }),
    protectedParties: (o: OrderRecord, _: unknown, ctx: Ctx) => ctx.loaders.parties.load(o.id),
    history: (o: OrderRecord, _: unknown, ctx: Ctx) => ctx.loaders.events.load(o.id),
  },

  ProtectedParty: {
    person: (p: ProtectedPartyRecord) => (p.personId ? { id: p.personId } : null),
  },

  OrderEvent: {
    type: (e: OrderEvent) => e.payload.type,
    by: (e: OrderEvent) => e.actor.sub,
    byName: (e: OrderEvent) => e.actor.name,
    byOri: (e: OrderEvent) => e.actor.ori,
  },
};

/** The subject a resolved field of this type discloses (for the audit). */
export function ordersSubjectOf(typeName: string, parent: unknown): string | null {
  const p = parent as Partial<{ id: string; orderId: string; personId: string | null }> | null;
  if (!p) return null;
  switch (typeName) {
    case 'ProtectiveOrder':
      return p.id ? `ProtectiveOrder:${p.id}` : null;
    case 'Person':
      return p.id ? `Person:${p.id}` : null;
    case 'ProtectedParty':
      return p.personId ? `Person:${p.personId}` : p.orderId ? `ProtectiveOrder:${p.orderId}` : null;
    case 'OrderEvent':
      return p.orderId ? `ProtectiveOrder:${p.orderId}` : null;
    default:
      return null;
  }
}
