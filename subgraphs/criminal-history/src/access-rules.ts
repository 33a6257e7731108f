import { argumentRule, declaredRules, forbidden, recordRule, Scope, type RuleTable } from '../../../access-policy/src';
import { loadSubgraphSdl } from '../../../schema/subgraphs';
import type { CriminalHistoryContext } from './loaders';
import { searchPolicyFor } from './person-search';

// Who may read each field at all is declared in schema/criminal-history.graphql (`@access`): name
// and date of birth need person:read or person:match, the rest of a person person:read (rule 2),
// arrests and every disposition but a conviction criminal_history:read (rule 3; Labor Code
// 432.7), convictions also the employment view — criminal_history:employment with purpose I
// (rule 4), sealed and juvenile flags criminal_history:sealed (rule 5), a lookup by SID
// person:read (rule 9). Here are only the rules a declaration over scopes and purposes cannot say.

/** A protected party's every address, while an order in force protects them, needs orders:protected_address — docs/design.md §4 rule 11. */
export const canReadPersonAddress = recordRule<{ id: string }, CriminalHistoryContext>('canReadPersonAddress', async (person, ctx) => {
  if (ctx.caller.scopes.has(Scope.ORDERS_PROTECTED_ADDRESS)) return true;
  // Unknown counts as protected (a store never told whom orders protect), and a failed read denies
  // (recordRule): the address is closed whenever the subgraph cannot tell.
  return !(await ctx.loaders.addressConfidential.load(person.id));
});

/**
 * Match-only callers must search by lastName, firstName and exact dateOfBirth — docs/design.md §4 rule 9.
 * (They then get exact identity only: `findExactIdentityMatches` in person-search.ts.)
 */
export const searchArgumentsAllowed = argumentRule('searchArgumentsAllowed', (args, caller) => {
  if (!searchPolicyFor(caller).requireFullIdentity) return true;
  const given = (v: unknown) => typeof v === 'string' && v.trim().length > 0;
  if (given(args.lastName) && given(args.firstName) && given(args.dateOfBirth)) return true;
  return forbidden('Searches with person:match need lastName, firstName and dateOfBirth');
});

/**
 * Who may read each field of criminal-history: the SDL's declarations, with the record and
 * argument rules above on top. A field the SDL does not declare has no rule; the fallback denies.
 */
export const criminalHistoryAccessRules: RuleTable = declaredRules(loadSubgraphSdl('criminal-history'), {
  Query: { searchPersons: searchArgumentsAllowed },
  Person: { lastKnownAddress: canReadPersonAddress },
});
