import DataLoader from 'dataloader';
import type { Caller } from '../../../access-policy/src';
import { manyByKey, oneByKey, type Clock, type SettledLoader, type SubgraphContext } from '../../../platform/src';
import { recordVisibilityFor } from './record-visibility';
import type {
  AliasRecord,
  ArrestRecord,
  ChargeRecord,
  ConvictionRecord,
  CriminalHistoryStore,
  PersonDetails,
  PersonIdentity,
  RecordVisibility,
} from './store/criminal-history-store';

/** What criminal-history's resolvers receive as their context. */
export type CriminalHistoryContext = SubgraphContext<CriminalHistoryStore, CriminalHistoryLoaders>;

/** The per-request loaders of criminal-history. */
export interface CriminalHistoryLoaders {
  /** Row rules in force for this request. */
  readonly visibility: RecordVisibility;
  readonly person: SettledLoader<string, PersonIdentity | null>;
  /** Physical description, identifiers and address: read only for the fields that show them. */
  readonly personDetails: SettledLoader<string, PersonDetails | null>;
  readonly aliases: SettledLoader<string, AliasRecord[]>;
  readonly arrests: SettledLoader<string, ArrestRecord[]>;
  readonly charges: SettledLoader<string, ChargeRecord[]>;
  readonly convictions: SettledLoader<string, ConvictionRecord[]>;
  /**
   * Whether a person's addresses are confidential now: protected by an order in force — or not
   * known to be unprotected (a store whose protections were never synced), which counts the same.
   */
  readonly addressConfidential: DataLoader<string, boolean>;
}

/**
 * Builds one request's loaders. They hold no authorization logic of their own: the row rules
 * (`recordVisibilityFor`) are computed once here and handed to the store's queries.
 */
export function createCriminalHistoryLoaders(store: CriminalHistoryStore, caller: Caller, clock: Clock): CriminalHistoryLoaders {
  const visibility = recordVisibilityFor(caller, clock);
  return {
    visibility,
    person: oneByKey(
      (ids) => store.personsByIds(ids),
      (p) => p.id,
    ),
    personDetails: oneByKey(
      (ids) => store.personDetailsByIds(ids),
      (d) => d.personId,
    ),
    aliases: manyByKey(
      (ids) => store.aliasesByPersonIds(ids),
      (a) => a.personId,
    ),
    arrests: manyByKey(
      (ids) => store.arrestsByPersonIds(ids, visibility),
      (a) => a.personId,
    ),
    charges: manyByKey(
      (ids) => store.chargesByArrestIds(ids),
      (c) => c.arrestId,
    ),
    convictions: manyByKey(
      (ids) => store.convictionsByPersonIds(ids, visibility),
      (c) => c.personId,
    ),
    addressConfidential: new DataLoader(async (ids: readonly string[]) => {
      if (!(await store.addressProtectionsKnown())) return ids.map(() => true);
      const confidential = new Set(await store.personsWithConfidentialAddress(ids, clock.now().toISOString()));
      return ids.map((id) => confidential.has(id));
    }),
  };
}
