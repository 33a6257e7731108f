import type { PeerAccess } from '../../../platform/src';
import type { OrderState } from './order-events';

/** One person an order protects, and until when (the shape criminal-history keeps). */
export interface PartyProtection {
  personId: string;
  /** When the order stops being in force: its termination, else its expiry; null: no end date. */
  inForceUntil: string | null;
}

/**
 * Whom an order protects, for docs/design.md §4 rule 11: every protected party linked to a person of the
 * state repository, while the order is in force. A protected party's address is confidential
 * (`@access` on `ProtectedParty.address`, docs/design.md §4 rule 6), so every address the repository holds for that
 * person is too, on every path: otherwise `protectedParties { person { lastKnownAddress } } }`
 * finds the victim the order's address field hides.
 */
export function protectionsOf(
  order: Pick<OrderState, 'terminatedAt' | 'expiresAt'> & { protectedParties: ReadonlyArray<{ personId: string | null }> },
): PartyProtection[] {
  const until = order.terminatedAt ?? order.expiresAt;
  const persons = [...new Set(order.protectedParties.flatMap((p) => (p.personId ? [p.personId] : [])))];
  return persons.map((personId) => ({ personId, inForceUntil: until }));
}

/** The later of two ends of force (null, no end, is the latest). */
export function laterEnd(a: string | null, b: string | null): string | null {
  return a === null || b === null ? null : a > b ? a : b;
}

const RECORD = `mutation RecordAddressProtections($orderId: ID!, $protections: [AddressProtectionInput!]!, $replacing: ID) {
  recordAddressProtections(orderId: $orderId, protections: $protections, replacing: $replacing)
}`;

/**
 * Tells criminal-history (which owns `Person.lastKnownAddress`) whom an order protects and until
 * when, on the caller's behalf with the token the gateway delegated for this mutation. Throws when
 * it cannot: the callers decide which way that fails closed.
 */
export async function recordProtections(
  peers: PeerAccess,
  orderId: string,
  protections: readonly PartyProtection[],
  replacing: string | null = null,
): Promise<void> {
  if (!peers.has('criminal-history')) throw new Error('the person registry cannot be told of this order in this request');
  const result = await peers.call('criminal-history', RECORD, { orderId, protections, replacing });
  if (result.errors?.length || result.data?.recordAddressProtections !== true) {
    throw new Error(`the person registry refused the protections (${result.errors?.[0]?.extensions?.code ?? 'error'})`);
  }
}
