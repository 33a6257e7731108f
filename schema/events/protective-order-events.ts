/**
 * The protective-order event as it travels from the orders service to the gateway: the message
 * contract between the two (as the SDL is for queries), so neither imports the other.
 *
 * Thin on purpose (docs/design.md §2, subscriptions): ids, type, version and time. A subscriber
 * reads the order itself through the ordinary, audited query path. `personIds` lets the gateway
 * match `protectiveOrderEvents(personId:)`; it is never delivered to a caller.
 */
export type ProtectiveOrderEventType = 'ISSUED' | 'MODIFIED' | 'SERVED' | 'TERMINATED';

export interface ProtectiveOrderFeedEvent {
  orderId: string;
  type: ProtectiveOrderEventType;
  /** The order's version after this event (1 for ISSUED). */
  version: number;
  /** When the change was recorded, ISO 8601. */
  at: string;
  /** Record ids of the restrained person and of every protected party with a record id. */
  personIds: string[];
}

const TYPES: ReadonlySet<string> = new Set(['ISSUED', 'MODIFIED', 'SERVED', 'TERMINATED']);

/** The event in a feed body, or null when the body is not one (a consumer drops it and logs). */
export function parseProtectiveOrderEvent(body: string): ProtectiveOrderFeedEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.orderId !== 'string' || typeof v.type !== 'string' || !TYPES.has(v.type)) return null;
  if (typeof v.version !== 'number' || !Number.isInteger(v.version) || v.version < 1) return null;
  if (typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at))) return null;
  if (!Array.isArray(v.personIds) || !v.personIds.every((p) => typeof p === 'string')) return null;
  return { orderId: v.orderId, type: v.type as ProtectiveOrderEventType, version: v.version, at: v.at, personIds: v.personIds };
}

/** The feed body for an event (the producer writes exactly this in its outbox). */
export function protectiveOrderEventBody(event: ProtectiveOrderFeedEvent): string {
  return JSON.stringify({ orderId: event.orderId, type: event.type, version: event.version, at: event.at, personIds: event.personIds });
}
