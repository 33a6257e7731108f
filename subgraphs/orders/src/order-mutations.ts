import { GraphQLError } from 'graphql';
import { badUserInput, conflict, ErrorCode, type Caller } from '../../../access-policy/src';
import type { SubgraphContext } from '../../../platform/src';
import type { OrdersLoaders } from './loaders';
import { issuingRefusal } from './order-issuing-policy';
import {
  orderStatusAt,
  OrderRuleError,
  type Actor,
  type OrderEventPayload,
  type OrderTerms,
  type OrderType,
  type ProtectedPartyInput,
  type ServiceMethod,
} from './order-events';
import { laterEnd, protectionsOf, recordProtections } from './address-protections';
import { knownPersons } from './person-directory';
import { VersionConflictError, type OrderRecord, type OrdersStore } from './store/orders-store';

type Ctx = SubgraphContext<OrdersStore, OrdersLoaders>;

const SID = /^A\d{8}$/;
const LIMITS = { caseNumber: 32, court: 100, text: 1000, stayAwayFrom: 20, name: 60, reason: 500 };
/** How far in the future a court may date an issue or a service (clock skew between systems). */
const FUTURE_SLACK_MS = 5 * 60_000;

interface IssueInput {
  caseNumber: string;
  court: string;
  type: OrderType;
  restrainedPersonId: string;
  protectedParties: Array<
    Omit<ProtectedPartyInput, 'personId' | 'address' | 'dateOfBirth'> & Partial<Pick<ProtectedPartyInput, 'personId' | 'address' | 'dateOfBirth'>>
  >;
  terms: Partial<OrderTerms> & { noContact: boolean; firearmsProhibited: boolean };
  issuedAt?: string | null;
  expiresAt?: string | null;
}

function text(value: string | null | undefined, field: string, max: number, required = true): string | null {
  const v = value?.trim() ?? '';
  if (!v) {
    if (required) throw badUserInput(`${field} is required`);
    return null;
  }
  if (v.length > max) throw badUserInput(`${field} is longer than ${max} characters`);
  return v;
}

function checkTerms(terms: Partial<OrderTerms>): void {
  if (
    terms.stayAwayYards !== undefined &&
    terms.stayAwayYards !== null &&
    (!Number.isInteger(terms.stayAwayYards) || terms.stayAwayYards < 0 || terms.stayAwayYards > 10_000)
  ) {
    throw badUserInput('terms.stayAwayYards must be a whole number of yards between 0 and 10000');
  }
  if (terms.stayAwayFrom && (terms.stayAwayFrom.length > LIMITS.stayAwayFrom || terms.stayAwayFrom.some((p) => !p.trim() || p.length > 100))) {
    throw badUserInput(`terms.stayAwayFrom takes at most ${LIMITS.stayAwayFrom} places of 1–100 characters`);
  }
  if (terms.other) text(terms.other, 'terms.other', LIMITS.text, false);
}

function actorOf(caller: Caller): Actor {
  return { sub: caller.sub, name: caller.name || null, ori: caller.ori };
}

/** The order, or BAD_USER_INPUT naming the id. */
async function existing(ctx: Ctx, id: string): Promise<OrderRecord> {
  const order = await ctx.loaders.order.load(id);
  if (!order) throw badUserInput(`no protective order ${id}`);
  return order;
}

/** Changes apply to orders in force: not terminated, not expired. */
function requireActive(order: OrderRecord, now: Date, action: string): void {
  const status = orderStatusAt(order, now);
  if (status !== 'ACTIVE') throw badUserInput(`order ${order.id} is ${status} and cannot be ${action}`);
}

/** Appends an event and turns the store's refusals into the contract's error codes. */
async function append(ctx: Ctx, id: string | null, expectedVersion: number, payload: OrderEventPayload): Promise<OrderRecord> {
  try {
    const order = await ctx.store.append(id, expectedVersion, ctx.clock.now().toISOString(), actorOf(ctx.caller), payload);
    // Whatever the caller selects, the audit names the order and the persons it touched.
    ctx.disclosure.subjects.add(`ProtectiveOrder:${order.id}`);
    ctx.disclosure.subjects.add(`Person:${order.restrainedPersonId}`);
    ctx.loaders.order.clear(order.id).prime(order.id, order);
    ctx.loaders.events.clear(order.id);
    return order;
  } catch (error) {
    if (error instanceof VersionConflictError) {
      throw conflict(
        `order ${error.orderId} has changed: it is at version ${error.actualVersion ?? 'none'}, not ${error.expectedVersion}; read it again and retry`,
        {
          currentVersion: error.actualVersion,
        },
      );
    }
    if (error instanceof OrderRuleError) throw badUserInput(error.message);
    throw error;
  }
}

function checkVersion(expectedVersion: number): void {
  if (!Number.isInteger(expectedVersion) || expectedVersion < 1) throw badUserInput('expectedVersion must be the version you read (1 or more)');
}

/** The four court entries of docs/design.md §2, each an event on the order's log. */
export const orderMutationResolvers = {
  Mutation: {
    async issueProtectiveOrder(_: unknown, { input }: { input: IssueInput }, ctx: Ctx) {
      const now = ctx.clock.now();
      const caseNumber = text(input.caseNumber, 'caseNumber', LIMITS.caseNumber)!;
      const court = text(input.court, 'court', LIMITS.court)!;
      const refusal = issuingRefusal(input.type, ctx.caller.ori, court);
      if (refusal) throw badUserInput(`this order type cannot be issued here: ${refusal}`);
      if (!SID.test(input.restrainedPersonId)) throw badUserInput('restrainedPersonId must be a state identification number (A + 8 digits)');
      if (input.protectedParties.length === 0 && input.type !== 'GVRO') throw badUserInput('a protective order names at least one protected party');
      if (input.protectedParties.length > 20) throw badUserInput('at most 20 protected parties');
      for (const [i, p] of input.protectedParties.entries()) {
        text(p.name.last, `protectedParties[${i}].name.last`, LIMITS.name);
        text(p.name.first, `protectedParties[${i}].name.first`, LIMITS.name);
        if (p.personId && !SID.test(p.personId)) throw badUserInput(`protectedParties[${i}].personId must be a state identification number`);
        if (p.personId === input.restrainedPersonId) throw badUserInput('the restrained person cannot also be a protected party');
      }
      checkTerms(input.terms);
      const issuedAt = input.issuedAt ?? now.toISOString();
      if (Date.parse(issuedAt) > now.getTime() + FUTURE_SLACK_MS) throw badUserInput('issuedAt cannot be in the future');
      const expiresAt = input.expiresAt ?? null;
      if (expiresAt !== null && expiresAt <= issuedAt) throw badUserInput('expiresAt must be after issuedAt');
      if (expiresAt !== null && Date.parse(expiresAt) <= now.getTime()) throw badUserInput('expiresAt has already passed');

      let known: Set<string>;
      const named = [input.restrainedPersonId, ...input.protectedParties.flatMap((p) => (p.personId ? [p.personId] : []))];
      try {
        known = await knownPersons(ctx.peers, named);
      } catch {
        throw new GraphQLError('The person registry could not be consulted; nothing was issued', { extensions: { code: ErrorCode.SOURCE_UNAVAILABLE } });
      }
      const unknown = named.filter((id) => !known.has(id));
      if (unknown.length) throw badUserInput(`unknown person${unknown.length > 1 ? 's' : ''} in the state repository: ${unknown.join(', ')}`);

      // The protected persons' addresses close before the order exists, under a provisional key
      // (the store gives the id): should anything after this fail, they stay closed rather than
      // open (docs/design.md §4 rule 11). No registry, no order.
      const protections = protectionsOf({
        terminatedAt: null,
        expiresAt,
        protectedParties: input.protectedParties.map((p) => ({ personId: p.personId ?? null })),
      });
      const provisional = `PENDING:${ctx.caller.requestId}`.slice(0, 80);
      if (protections.length > 0) {
        try {
          await recordProtections(ctx.peers, provisional, protections);
        } catch {
          throw new GraphQLError('The person registry could not be told whom the order protects; nothing was issued', {
            extensions: { code: ErrorCode.SOURCE_UNAVAILABLE },
          });
        }
      }
      const issue = append(ctx, null, 0, {
        type: 'ISSUED',
        caseNumber,
        court,
        orderType: input.type,
        restrainedPersonId: input.restrainedPersonId,
        protectedParties: input.protectedParties.map((p) => ({
          name: { last: p.name.last.trim(), first: p.name.first.trim(), middle: p.name.middle?.trim() || null },
          dateOfBirth: p.dateOfBirth ?? null,
          relationship: p.relationship,
          personId: p.personId ?? null,
          address: p.address ?? null,
        })),
        terms: {
          noContact: input.terms.noContact,
          stayAwayYards: input.terms.stayAwayYards ?? null,
          stayAwayFrom: input.terms.stayAwayFrom ?? [],
          firearmsProhibited: input.terms.firearmsProhibited,
          moveOut: input.terms.moveOut ?? false,
          other: input.terms.other?.trim() || null,
        },
        issuedAt,
        expiresAt,
      });
      const order = await issue.catch(async (error: unknown) => {
        // Not issued: withdraw the provisional protections (if that fails too, they lapse at expiresAt).
        if (protections.length > 0) await recordProtections(ctx.peers, provisional, []).catch(() => undefined);
        throw error;
      });
      // Under the order's id now; if this fails the provisional rows keep the addresses closed.
      if (protections.length > 0) await recordProtections(ctx.peers, order.id, protections, provisional).catch(() => undefined);
      for (const id of named) ctx.disclosure.subjects.add(`Person:${id}`);
      return order;
    },

    async modifyProtectiveOrder(
      _: unknown,
      args: { id: string; expectedVersion: number; changes: { terms?: Partial<OrderTerms> | null; expiresAt?: string | null } },
      ctx: Ctx,
    ) {
      checkVersion(args.expectedVersion);
      const order = await existing(ctx, args.id);
      requireActive(order, ctx.clock.now(), 'modified');
      const terms = args.changes.terms ? Object.fromEntries(Object.entries(args.changes.terms).filter(([, v]) => v !== null && v !== undefined)) : undefined;
      if (terms) checkTerms(terms);
      if (!terms && !('expiresAt' in args.changes)) throw badUserInput('changes must give terms or expiresAt');
      if (args.changes.expiresAt && Date.parse(args.changes.expiresAt) <= ctx.clock.now().getTime()) throw badUserInput('expiresAt has already passed');
      const parties = 'expiresAt' in args.changes ? await ctx.loaders.parties.load(order.id) : [];
      const newEnd = args.changes.expiresAt ?? null;
      // A new expiry moves the end of the protection too: first to the later of the two ends, so
      // that no moment of the change leaves an address open; then, once written, to the new one.
      if (protectionsOf({ ...order, protectedParties: parties }).length > 0) {
        try {
          await recordProtections(
            ctx.peers,
            order.id,
            protectionsOf({ terminatedAt: null, expiresAt: laterEnd(order.expiresAt, newEnd), protectedParties: parties }),
          );
        } catch {
          throw new GraphQLError('The person registry could not be told of the new expiry; nothing was changed', {
            extensions: { code: ErrorCode.SOURCE_UNAVAILABLE },
          });
        }
      }
      const modified = await append(ctx, args.id, args.expectedVersion, {
        type: 'MODIFIED',
        ...(terms ? { terms } : {}),
        ...('expiresAt' in args.changes ? { expiresAt: newEnd } : {}),
      });
      // If this fails, the later end stays: closed a while longer, never open too soon.
      const protections = protectionsOf({ ...modified, protectedParties: parties });
      if (protections.length > 0) await recordProtections(ctx.peers, order.id, protections).catch(() => undefined);
      return modified;
    },

    async recordProofOfService(_: unknown, args: { id: string; expectedVersion: number; servedAt: string; method: ServiceMethod }, ctx: Ctx) {
      checkVersion(args.expectedVersion);
      const order = await existing(ctx, args.id);
      requireActive(order, ctx.clock.now(), 'served');
      if (Date.parse(args.servedAt) > ctx.clock.now().getTime() + FUTURE_SLACK_MS) throw badUserInput('servedAt cannot be in the future');
      return append(ctx, args.id, args.expectedVersion, { type: 'SERVED', servedAt: args.servedAt, method: args.method });
    },

    async terminateProtectiveOrder(_: unknown, args: { id: string; expectedVersion: number; reason: string }, ctx: Ctx) {
      checkVersion(args.expectedVersion);
      const reason = text(args.reason, 'reason', LIMITS.reason)!;
      const order = await existing(ctx, args.id);
      requireActive(order, ctx.clock.now(), 'terminated');
      const terminated = await append(ctx, args.id, args.expectedVersion, { type: 'TERMINATED', terminatedAt: ctx.clock.now().toISOString(), reason });
      // The protected persons' addresses reopen with the order's end. If the registry cannot be
      // told, they stay closed until the order would have expired: the safe way to be wrong.
      const protections = protectionsOf({ ...terminated, protectedParties: await ctx.loaders.parties.load(order.id) });
      if (protections.length > 0) await recordProtections(ctx.peers, order.id, protections).catch(() => undefined);
      return terminated;
    },
  },
};
