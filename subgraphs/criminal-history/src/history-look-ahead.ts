import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { callerPasses } from '../../../access-policy/src';
import { selectedBelow } from '../../../platform/src';
import { criminalHistoryAccessRules } from './access-rules';
import type { CriminalHistoryContext } from './loaders';

/**
 * A search answers up to fifty persons. Loaded field by field, each person's arrests and
 * convictions and each arrest's charges are a promise graphql-js waits on, and so is every object
 * above one: a fifth of criminal-history's work on a 50-person answer. So when the query selects
 * them below `persons` (the Person fields of the answer), and this caller's field rules let them
 * be read, they are loaded here for every person found, before the answer is built: the same
 * batched statements the loaders would issue, and the fields then read them without a promise
 * (`SettledLoader.now`).
 * The field rules still guard every field; what they would deny is not loaded. (The table asked is
 * the one the subgraph serves under: `index.ts` hands this same `criminalHistoryAccessRules` to shield.)
 */
export async function loadHistoriesAhead(
  personIds: readonly string[],
  persons: readonly FieldNode[],
  info: GraphQLResolveInfo,
  ctx: CriminalHistoryContext,
): Promise<void> {
  const rules = criminalHistoryAccessRules;
  const may = (type: string, field: string) => callerPasses(rules[type]?.[field], ctx.caller);
  const below = (fields: readonly FieldNode[], name: string) => selectedBelow(fields, name, info.fragments);

  if (personIds.length === 0 || !may('Person', 'criminalHistory')) return;
  const history = below(persons, 'criminalHistory');
  if (history.length === 0) return;
  const arrests = may('CriminalHistory', 'arrests') ? below(history, 'arrests') : [];
  const charges = arrests.length > 0 && may('Arrest', 'charges') && below(arrests, 'charges').length > 0;
  const convictions = may('CriminalHistory', 'convictions') && below(history, 'convictions').length > 0;

  const loadArrests = async () => {
    const lists = await ctx.loaders.arrests.loadMany(personIds);
    if (charges) await ctx.loaders.charges.loadMany(lists.flatMap((list) => (Array.isArray(list) ? list.map((a) => a.id) : [])));
  };
  // A failed read is not thrown here: it stays in its loader (SettledLoader) and fails its own fields.
  await Promise.all([arrests.length > 0 ? loadArrests() : null, convictions ? ctx.loaders.convictions.loadMany(personIds) : null]);
}
