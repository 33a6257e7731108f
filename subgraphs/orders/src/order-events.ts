/**
 * The protective-order domain as events: an order is the fold of its events (ISSUED, MODIFIED,
 * SERVED, TERMINATED). This file is pure: no store, no clock.
 */

export type OrderType = 'EPO' | 'DVRO_TRO' | 'DVRO' | 'CHRO' | 'WVRO' | 'PSVRO' | 'EAPRO' | 'JUVENILE' | 'GVRO' | 'CPO';
export type Relationship = 'SPOUSE' | 'FORMER_SPOUSE' | 'COHABITANT' | 'DATING' | 'CHILD' | 'PARENT' | 'RELATIVE' | 'OTHER';
export type ServiceMethod = 'PERSONAL' | 'SUBSTITUTED' | 'MAIL' | 'IN_COURT' | 'OTHER';
export type OrderEventType = 'ISSUED' | 'MODIFIED' | 'SERVED' | 'TERMINATED';
export type OrderStatus = 'ACTIVE' | 'EXPIRED' | 'TERMINATED';

export interface OrderTerms {
  noContact: boolean;
  stayAwayYards: number | null;
  stayAwayFrom: string[];
  firearmsProhibited: boolean;
  moveOut: boolean;
  other: string | null;
}

export interface PartyAddress {
  street: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
}

export interface ProtectedPartyInput {
  name: { last: string; first: string; middle?: string | null };
  dateOfBirth: string | null;
  relationship: Relationship;
  personId: string | null;
  address: PartyAddress | null;
}

/** Who made a change. */
export interface Actor {
  sub: string;
  name: string | null;
  ori: string;
}

export type OrderEventPayload =
  | {
      type: 'ISSUED';
      caseNumber: string;
      court: string;
      orderType: OrderType;
      restrainedPersonId: string;
      protectedParties: ProtectedPartyInput[];
      terms: OrderTerms;
      issuedAt: string;
      expiresAt: string | null;
    }
  | { type: 'MODIFIED'; terms?: Partial<OrderTerms>; expiresAt?: string | null }
  | { type: 'SERVED'; servedAt: string; method: ServiceMethod }
  | { type: 'TERMINATED'; terminatedAt: string; reason: string };

/** One field an event changed; values as JSON text. */
export interface OrderChange {
  field: string;
  from: string | null;
  to: string | null;
}

/** An event as stored. */
export interface OrderEvent {
  orderId: string;
  version: number;
  at: string;
  actor: Actor;
  payload: OrderEventPayload;
  changes: OrderChange[];
}

/** The current state of an order: the projection of its events. */
export interface OrderState {
  id: string;
  caseNumber: string;
  court: string;
  type: OrderType;
  issuedAt: string;
  expiresAt: string | null;
  terminatedAt: string | null;
  terminationReason: string | null;
  restrainedPersonId: string;
  protectedParties: ProtectedPartyInput[];
  terms: OrderTerms;
  service: { served: boolean; servedAt: string | null; method: ServiceMethod | null };
  version: number;
}

/** Thrown when an event does not apply to the order's state (the message is safe to show). */
export class OrderRuleError extends Error {
  override readonly name = 'OrderRuleError';
}

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Applies one event to an order's state (null before it is issued), returning the new state and
 * what changed. Enforces the lifecycle: issue once; no change after termination; service not
 * before issue; expiry not before issue.
 */
export function applyOrderEvent(state: OrderState | null, orderId: string, payload: OrderEventPayload): { state: OrderState; changes: OrderChange[] } {
  if (payload.type === 'ISSUED') {
    if (state) throw new OrderRuleError(`order ${orderId} is already issued`);
    if (payload.expiresAt !== null && payload.expiresAt <= payload.issuedAt) {
      throw new OrderRuleError('expiresAt must be after issuedAt');
    }
    const next: OrderState = {
      id: orderId,
      caseNumber: payload.caseNumber,
      court: payload.court,
      type: payload.orderType,
      issuedAt: payload.issuedAt,
      expiresAt: payload.expiresAt,
      terminatedAt: null,
      terminationReason: null,
      restrainedPersonId: payload.restrainedPersonId,
      protectedParties: payload.protectedParties,
      terms: payload.terms,
      service: { served: false, servedAt: null, method: null },
      version: 1,
    };
    const changes = ['caseNumber', 'court', 'type', 'issuedAt', 'expiresAt', 'restrainedPersonId', 'terms'].map((field) => ({
      field,
      from: null,
      to: json((next as unknown as Record<string, unknown>)[field]),
    }));
    return { state: next, changes };
  }
  if (!state) throw new OrderRuleError(`order ${orderId} does not exist`);
  if (state.terminatedAt) throw new OrderRuleError(`order ${orderId} is terminated and cannot change`);
  const next: OrderState = { ...state, version: state.version + 1 };
  const changes: OrderChange[] = [];
  switch (payload.type) {
    case 'MODIFIED': {
      if (payload.terms) {
        const terms = { ...state.terms };
        for (const [key, value] of Object.entries(payload.terms) as Array<[keyof OrderTerms, unknown]>) {
          if (value === undefined) continue;
          if (json(terms[key]) !== json(value)) changes.push({ field: `terms.${key}`, from: json(terms[key]), to: json(value) });
          (terms as Record<string, unknown>)[key] = value;
        }
        next.terms = terms;
      }
      if (payload.expiresAt !== undefined) {
        if (payload.expiresAt !== null && payload.expiresAt <= state.issuedAt) throw new OrderRuleError('expiresAt must be after issuedAt');
        if (payload.expiresAt !== state.expiresAt) changes.push({ field: 'expiresAt', from: json(state.expiresAt), to: json(payload.expiresAt) });
        next.expiresAt = payload.expiresAt;
      }
      if (changes.length === 0) throw new OrderRuleError('the modification changes nothing');
      return { state: next, changes };
    }
    case 'SERVED': {
      if (payload.servedAt < state.issuedAt) throw new OrderRuleError('servedAt cannot be before the order was issued');
      next.service = { served: true, servedAt: payload.servedAt, method: payload.method };
      changes.push({ field: 'service', from: json(state.service), to: json(next.service) });
      return { state: next, changes };
    }
    case 'TERMINATED': {
      next.terminatedAt = payload.terminatedAt;
      next.terminationReason = payload.reason;
      changes.push({ field: 'status', from: json('ACTIVE'), to: json('TERMINATED') });
      changes.push({ field: 'terminationReason', from: null, to: json(payload.reason) });
      return { state: next, changes };
    }
  }
}

/** An order's status at an instant: computed when read, never stored (docs/design.md §3). */
export function orderStatusAt(order: Pick<OrderState, 'terminatedAt' | 'expiresAt'>, now: Date): OrderStatus {
  if (order.terminatedAt) return 'TERMINATED';
  if (order.expiresAt && new Date(order.expiresAt).getTime() <= now.getTime()) return 'EXPIRED';
  return 'ACTIVE';
}
