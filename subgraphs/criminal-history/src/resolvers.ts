import type { GraphQLResolveInfo } from 'graphql';
import { badUserInput } from '../../../access-policy/src';
import { selectedBelow } from '../../../platform/src';
import { dateScalar, dateTimeScalar } from '../../../platform/src/scalars';
import { loadHistoriesAhead } from './history-look-ahead';
import type { CriminalHistoryContext as Ctx } from './loaders';
import { findExactIdentityMatches, findMatches, searchPolicyFor, type IdentitySearch, type PersonSearch } from './person-search';
import type { ArrestRecord, ChargeRecord, PersonDetails, PersonIdentity } from './store/criminal-history-store';

/** The object behind `Person.criminalHistory`: whose history it is. */
export interface CriminalHistoryParent {
  personId: string;
}

const SID = /^A\d{8}$/;

function latest(dates: Array<string | null | undefined>): string | null {
  let max: string | null = null;
  for (const d of dates) if (d && (max === null || d > max)) max = d;
  return max;
}

const detailsOf = (p: PersonIdentity, ctx: Ctx): Promise<PersonDetails | null> => ctx.loaders.personDetails.load(p.id);

/**
 * Resolvers of criminal-history. They only fetch through the loaders (so rows arrive already
 * filtered by the row rules) and shape results; field access is decided by access-rules.ts.
 */
export const criminalHistoryResolvers = {
  Date: dateScalar,
  DateTime: dateTimeScalar,

  Query: {
    person: (_: unknown, args: { id: string }, ctx: Ctx) => (SID.test(args.id) ? ctx.loaders.person.load(args.id) : null),

    async searchPersons(_: unknown, args: PersonSearch, ctx: Ctx, info: GraphQLResolveInfo) {
      const policy = searchPolicyFor(ctx.caller);
      const limit = args.limit ?? policy.defaultLimit;
      if (!Number.isInteger(limit) || limit < 1 || limit > policy.maxResults) {
        throw badUserInput(`limit must be between 1 and ${policy.maxResults}`);
      }
      if (args.lastName.trim().length < 2) throw badUserInput('lastName needs at least 2 letters');
      // The candidates are read from the persons' own rows: nothing more to load to answer them.
      // Match-only callers (employers) get exact identity or nothing (docs/design.md §4 rule 9); the
      // argument rule has already required all three parts of it.
      const matches = policy.requireFullIdentity
        ? await findExactIdentityMatches(ctx.store, args as IdentitySearch, limit)
        : await findMatches(ctx.store, args, policy, limit);
      const ids = matches.map((m) => m.person.id);
      await loadHistoriesAhead(ids, selectedBelow(info.fieldNodes, 'person', info.fragments), info, ctx);
      return matches;
    },
  },

  Mutation: {
    /** The orders subgraph's report of whom an order protects (its @access declaration in schema/criminal-history.graphql). */
    async recordAddressProtections(
      _: unknown,
      args: { orderId: string; protections: Array<{ personId: string; inForceUntil?: string | null }>; replacing?: string | null },
      ctx: Ctx,
    ) {
      const key = /^[A-Za-z0-9:_-]{1,80}$/;
      if (!key.test(args.orderId) || (args.replacing != null && !key.test(args.replacing)))
        throw badUserInput('orderId and replacing are order keys of at most 80 letters, digits, -, _ or :');
      if (args.protections.length > 100) throw badUserInput('at most 100 protections per order');
      if (args.protections.some((p) => !SID.test(p.personId))) throw badUserInput('every personId must be a state identification number');
      await ctx.store.recordAddressProtections(
        args.orderId,
        args.protections.map((p) => ({ personId: p.personId, inForceUntil: p.inForceUntil ?? null })),
        args.replacing ?? null,
      );
      return true;
    },
  },

  Person: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.person.load(ref.id),
    aliases: async (p: PersonIdentity, _: unknown, ctx: Ctx) => (await ctx.loaders.aliases.load(p.id)).map((a) => a.name),
    physical: async (p: PersonIdentity, _: unknown, ctx: Ctx) => (await detailsOf(p, ctx))?.physical ?? null,
    identifiers: async (p: PersonIdentity, _: unknown, ctx: Ctx) => (await detailsOf(p, ctx))?.identifiers ?? null,
    lastKnownAddress: async (p: PersonIdentity, _: unknown, ctx: Ctx) => (await detailsOf(p, ctx))?.lastKnownAddress ?? null,
    criminalHistory: (p: PersonIdentity): CriminalHistoryParent => ({ personId: p.id }),
  },

  CriminalHistory: {
    arrests: (h: CriminalHistoryParent, _: unknown, ctx: Ctx) => ctx.loaders.arrests.now(h.personId),
    convictions: (h: CriminalHistoryParent, _: unknown, ctx: Ctx) => ctx.loaders.convictions.now(h.personId),
    /** The latest date among the records this caller may see: hidden records leave no trace here. */
    async lastUpdated(h: CriminalHistoryParent, _: unknown, ctx: Ctx) {
      const convictions = await ctx.loaders.convictions.load(h.personId);
      let dates = convictions.map((c) => c.date);
      if (ctx.loaders.visibility.employmentConvictionsSince === null) {
        const arrests = await ctx.loaders.arrests.load(h.personId);
        const charges = (await ctx.loaders.charges.loadMany(arrests.map((a) => a.id))).flatMap((c) => (Array.isArray(c) ? c : []));
        dates = [...dates, ...arrests.map((a) => a.date), ...charges.map((c) => c.disposition?.date ?? null)].filter((d): d is string => !!d);
      }
      const day = latest(dates);
      return day ? `${day}T00:00:00.000Z` : null;
    },
  },

  Arrest: {
    charges: (a: ArrestRecord, _: unknown, ctx: Ctx) => ctx.loaders.charges.now(a.id),
  },

  Charge: {
    disposition: (c: ChargeRecord) => c.disposition,
  },
};

/** The subject a resolved field of this type discloses (for the audit). */
export function criminalHistorySubjectOf(typeName: string, parent: unknown): string | null {
  const p = parent as Partial<{ id: string; personId: string; person: { id: string } }> | null;
  if (!p) return null;
  switch (typeName) {
    case 'Person':
      return p.id ? `Person:${p.id}` : null;
    case 'CriminalHistory':
    case 'Arrest':
    case 'Charge':
    case 'Conviction':
      return p.personId ? `Person:${p.personId}` : null;
    case 'PersonMatch':
      return p.person?.id ? `Person:${p.person.id}` : null;
    default:
      return null;
  }
}
