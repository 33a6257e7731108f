import { GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import { accessAllows, checkPurpose, ErrorCode, type Caller } from '../../../access-policy/src';
import type { VerifiedIdentity } from '../identity/authenticate';
import type { FieldPolicy } from '../policy/field-policy';
import { SUBSCRIPTION_COORDINATE } from './subscription-request';

/** The type the subscription field returns; its selected fields are checked too. */
const EVENT_TYPE = 'ProtectiveOrderEvent';

/** Who holds a subscription, as authenticated when the connection opened. */
export interface Subscriber {
  identity: VerifiedIdentity;
  /** The token's `exp`, in ms since the epoch: past it, nothing more is delivered. */
  expiresAtMs: number;
  declared: { purpose: string | undefined; reason: string | undefined };
}

/** Why a subscriber may no longer receive events; each ends the connection with its close code. */
export type LostRight = { closeCode: 4401; reason: 'Token expired' } | { closeCode: 4403; reason: 'Forbidden' };

/**
 * The coordinates a subscription reads: the root field and each field it selects of the event
 * (`__typename` aside), every one of which carries its own `@access` declaration.
 */
export function coordinatesRead(operation: OperationDefinitionNode): string[] {
  const coordinates = [SUBSCRIPTION_COORDINATE];
  const root = operation.selectionSet.selections[0];
  if (root?.kind !== Kind.FIELD) return coordinates;
  for (const selection of root.selectionSet?.selections ?? []) {
    // Fragments on the event type are allowed by validation; their fields are the event's too.
    const fields = selection.kind === Kind.FIELD ? [selection] : selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet.selections : [];
    for (const f of fields) if (f.kind === Kind.FIELD && f.name.value !== '__typename') coordinates.push(`${EVENT_TYPE}.${f.name.value}`);
  }
  return [...new Set(coordinates)];
}

/**
 * Decides whether a subscriber may have (or keep) a subscription, with the same rules every query
 * meets: the purpose and reason checked by access-policy's `checkPurpose`, and every coordinate
 * read allowed by the supergraph's `@access` declarations (docs/design.md §4 rules 1 and 6).
 * Returns the caller the subscription runs as, or the FORBIDDEN error that refuses it.
 */
export function judgeSubscriber(policy: FieldPolicy, subscriber: Subscriber, coordinates: readonly string[], requestId: string): Caller | GraphQLError {
  let accepted: ReturnType<typeof checkPurpose>;
  try {
    accepted = checkPurpose(subscriber.identity.purposes, subscriber.declared.purpose, subscriber.declared.reason);
  } catch (error) {
    return error instanceof GraphQLError ? error : new GraphQLError('Forbidden', { extensions: { code: ErrorCode.FORBIDDEN } });
  }
  const caller: Caller = { ...subscriber.identity, ...accepted, requestId };
  const denied = coordinates.find((c) => !accessAllows(policy.declared(c), caller));
  if (denied)
    return new GraphQLError(`Not authorised to subscribe: ${denied} needs ${denied === SUBSCRIPTION_COORDINATE ? 'orders:read' : 'a scope this token lacks'}`, {
      extensions: { code: ErrorCode.FORBIDDEN },
    });
  return caller;
}

/**
 * The check before each delivery (docs/design.md §8, decision 27): the token has not expired
 * (no clock tolerance here: an event is never sent on a token past its `exp`) and the rules of
 * `judgeSubscriber` still let the subscriber read what it subscribed to. Null when it may.
 */
export function lostRight(policy: FieldPolicy, subscriber: Subscriber, coordinates: readonly string[], now: number): LostRight | null {
  if (now >= subscriber.expiresAtMs) return { closeCode: 4401, reason: 'Token expired' };
  if (judgeSubscriber(policy, subscriber, coordinates, '') instanceof GraphQLError) return { closeCode: 4403, reason: 'Forbidden' };
  return null;
}
