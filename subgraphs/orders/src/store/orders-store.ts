import type { StoreBase } from '../../../../platform/src';
import type { OrderOutbox } from './order-outbox';
import type { Actor, OrderEvent, OrderEventPayload, OrderState, ProtectedPartyInput } from '../order-events';

/** An order as read: the projection without its parties (loaded on their own, by batch). */
export type OrderRecord = Omit<OrderState, 'protectedParties'>;

/** A protected party as stored, with its place in the order. */
export interface ProtectedPartyRecord extends ProtectedPartyInput {
  orderId: string;
  seq: number;
}

/** Thrown by `append` when the order's version is not the one expected. */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  constructor(
    readonly orderId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | null,
  ) {
    super(`order ${orderId} is at version ${actualVersion ?? 'none'}, not ${expectedVersion}`);
  }
}

/** One protected party linked to a person, as `protectedPartyLinks` pages them. */
export interface ProtectedPartyLink {
  orderId: string;
  seq: number;
  personId: string;
  inForceUntil: string | null;
}

/** A seed batch: events to append, in order. */
export interface OrdersSeed {
  events: Array<{ orderId: string; at: string; actor: Actor; payload: OrderEventPayload }>;
}

/**
 * The orders store port: an append-only event log and the current-state projection it keeps.
 * Reads take batches of ids; `append` is the only write.
 */
export interface OrdersStore extends StoreBase {
  /** The events appended, waiting for the relay (docs/design.md §8, decision 29). */
  readonly outbox: OrderOutbox;
  ordersByIds(ids: readonly string[]): Promise<OrderRecord[]>;
  /** Orders restraining these persons, newest first. */
  ordersByRestrainedPersonIds(ids: readonly string[]): Promise<OrderRecord[]>;
  /** Orders with a protected party linked to these persons, newest first. */
  ordersProtectingPersonIds(ids: readonly string[]): Promise<Array<{ personId: string; order: OrderRecord }>>;
  ordersByCaseNumber(caseNumber: string | null, limit: number): Promise<OrderRecord[]>;
  partiesByOrderIds(ids: readonly string[]): Promise<ProtectedPartyRecord[]>;
  eventsByOrderIds(ids: readonly string[]): Promise<OrderEvent[]>;
  /**
   * Appends one event and updates the projection in one transaction. For an existing order the
   * current version must equal `expectedVersion` (else VersionConflictError, nothing written);
   * the event log's (order, version) key makes a lost update impossible even between processes.
   * For ISSUED, `orderId` null asks the store for the next id.
   */
  append(orderId: string | null, expectedVersion: number, at: string, actor: Actor, payload: OrderEventPayload): Promise<OrderRecord>;
  /**
   * Persons linked to protected parties, with when each order stops being in force (its
   * termination, else its expiry), in (order, party) order after `after`: a page of what
   * criminal-history must know for docs/design.md §4 rule 11, read to sync a store from before it knew.
   */
  protectedPartyLinks(after: { orderId: string; seq: number } | null, limit: number): Promise<ProtectedPartyLink[]>;
  countOrders(): Promise<number>;
  insertSeed(batch: OrdersSeed): Promise<void>;
  /** Refreshes the planner's statistics of every table (after a bulk load). */
  analyze(): Promise<void>;
}
