import type { StoreBase } from '../../../../platform/src';

export type Sex = 'M' | 'F' | 'X' | 'U';
export type ChargeLevel = 'FELONY' | 'MISDEMEANOR' | 'INFRACTION';
export type DispositionType = 'CONVICTED' | 'DISMISSED' | 'ACQUITTED' | 'DIVERSION' | 'PENDING';
export type Relief = 'DISMISSED_1203_4' | 'DISMISSED_1203_41' | 'DISMISSED_1203_425' | 'ARREST_RELIEF_851_93';

export interface PersonName {
  last: string;
  first: string;
  middle: string | null;
}

export interface AddressRecord {
  street: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
}

/** Who a person is: what a search scores and most answers show. */
export interface PersonIdentity {
  id: string;
  name: PersonName;
  dateOfBirth: string;
  sex: Sex;
}

/** The rest of a person's record: read only when a query asks for it. */
export interface PersonDetails {
  personId: string;
  physical: { heightInches: number | null; weightPounds: number | null; eyeColor: string | null; hairColor: string | null };
  identifiers: { fbiNumber: string | null; driverLicense: { number: string; state: string } | null; ssnLast4: string | null };
  lastKnownAddress: AddressRecord | null;
}

/** A person as the store holds them (whole, as seeding writes it). */
export type PersonRecord = PersonIdentity & Omit<PersonDetails, 'personId'>;

export interface AliasRecord {
  personId: string;
  name: PersonName;
}

export interface DispositionRecord {
  type: DispositionType;
  date: string | null;
  court: string | null;
  sentence: string | null;
  relief: Relief | null;
}

export interface ChargeRecord {
  arrestId: string;
  personId: string;
  seq: number;
  statute: string;
  description: string;
  level: ChargeLevel;
  disposition: DispositionRecord | null;
}

export interface ArrestRecord {
  id: string;
  personId: string;
  date: string;
  agency: string;
  sealed: boolean;
  juvenile: boolean;
}

/** A charge whose disposition is CONVICTED, flattened (docs/design.md §3). */
export interface ConvictionRecord {
  personId: string;
  arrestId: string;
  statute: string;
  description: string;
  level: ChargeLevel;
  date: string;
  court: string | null;
  sentence: string | null;
}

/**
 * Which rows exist for a caller (row-level rules, docs/design.md §4 rules 4–5). Built once per request
 * by `record-visibility.ts` and applied inside the store's queries, so no path can skip it.
 */
export interface RecordVisibility {
  /** Sealed and juvenile records; without it they do not exist, not even counted. */
  includeSealed: boolean;
  /**
   * The employment view: only convictions dated on or after this day, without relief, never
   * sealed or juvenile. Null when the caller sees every conviction they may see at all.
   */
  employmentConvictionsSince: string | null;
}

/**
 * What a search scores a candidate on: identity and aliases. The candidates returned are answered
 * from these rows; details are read only for the fields that ask for them.
 */
export interface SearchCandidate extends PersonIdentity {
  aliases: PersonName[];
}

/** Phonetic keys a search looks up (Double Metaphone primary and alternate codes). */
export interface SearchKeys {
  lastNameCodes: string[];
}

/**
 * One level of a search's candidates (person-search.ts): the names it asks for, by their keys
 * in `person_search_keys`. Every part given narrows; a name matches when it meets them all.
 */
export interface SearchKeyQuery {
  /** The last name sounds like this (Double Metaphone codes, one or two). */
  lastCodes: readonly string[];
  /** The last name is spelled so (`normaliseName`); `lastCodes` then holds its first code only. */
  lastNorm?: string;
  /** The first name sounds like this (codes, one or two). */
  firstCodes?: readonly string[];
  /** The first name is spelled so (`normaliseName`); `firstCodes` then holds its first code only. */
  firstNorm?: string;
  /** The person was born on one of these days (ISO text). */
  dates?: readonly string[];
  /** The person was born in [from, to) (ISO text compared as text: a year is [`1985-`, `1985.`)). */
  dateRange?: readonly [string, string];
}

/**
 * A person protected by a protective order: while the order is in force every address of the
 * person is confidential (docs/design.md §4 rule 11). Orders owns the orders; it tells this store, on
 * every write that changes who is protected or until when (and the seed does for seeded orders).
 */
export interface AddressProtection {
  personId: string;
  orderId: string;
  /** When the order stops being in force (its termination or expiry); null: no end date. */
  inForceUntil: string | null;
}

/** Store metadata key set once the store holds every protection (seeded with them, or synced). */
export const ADDRESS_PROTECTIONS_META = 'address-protections';

/** A seed batch for this store. */
export interface CriminalHistorySeed {
  persons: Array<PersonRecord & { lastNameCodes: [string, string] }>;
  aliases: Array<AliasRecord & { seq: number; lastNameCodes: [string, string] }>;
  arrests: ArrestRecord[];
  charges: ChargeRecord[];
  /** The protections of the seed's orders; writing a seed marks the store's protections as known. */
  addressProtections: AddressProtection[];
}

/**
 * The criminal-history store port. Every read takes a batch of ids (DataLoader calls it once per
 * batch) and returns rows in no particular order; the loaders put them in key order.
 */
export interface CriminalHistoryStore extends StoreBase {
  personsByIds(ids: readonly string[]): Promise<PersonIdentity[]>;
  personDetailsByIds(ids: readonly string[]): Promise<PersonDetails[]>;
  aliasesByPersonIds(ids: readonly string[]): Promise<AliasRecord[]>;
  arrestsByPersonIds(ids: readonly string[], visibility: RecordVisibility): Promise<ArrestRecord[]>;
  chargesByArrestIds(ids: readonly string[]): Promise<ChargeRecord[]>;
  convictionsByPersonIds(ids: readonly string[], visibility: RecordVisibility): Promise<ConvictionRecord[]>;
  /** Persons whose last name or an alias's shares a phonetic code with the search. */
  searchCandidates(keys: SearchKeys): Promise<SearchCandidate[]>;
  /**
   * Persons with a name or alias that `query` matches, whose id sorts after `after` (bytewise;
   * null: from the first), the first `limit` of them by id, with their aliases, in id order.
   */
  candidatesByKeys(query: SearchKeyQuery, after: string | null, limit: number): Promise<SearchCandidate[]>;
  /** Persons whose name or an alias's last name normalises (`normaliseName`) to `normalised`, with their aliases. */
  candidatesByExactLastName(normalised: string): Promise<SearchCandidate[]>;
  /**
   * Persons born on `dateOfBirth` whose name or an alias's last name normalises to `lastNorm`,
   * with their aliases: the screening search's one lookup (docs/design.md §4 rule 9).
   */
  candidatesByExactIdentity(lastNorm: string, dateOfBirth: string): Promise<SearchCandidate[]>;
  /**
   * False until the store holds every protection (ADDRESS_PROTECTIONS_META): a store from before
   * protections were kept, not yet synced from orders. Readers must then treat every address as
   * confidential (fail closed).
   */
  addressProtectionsKnown(): Promise<boolean>;
  /** Those of these persons protected by an order in force at `at` (ISO instant). */
  personsWithConfidentialAddress(ids: readonly string[], at: string): Promise<string[]>;
  /**
   * Replaces what an order protects: its rows (and those of `replacing`, a provisional key the
   * same order was recorded under before it had an id) give way to `protections`, in one transaction.
   */
  recordAddressProtections(orderId: string, protections: ReadonlyArray<Omit<AddressProtection, 'orderId'>>, replacing?: string | null): Promise<void>;
  /** Writes protections read from orders (a sync), replacing rows of the same person and order. */
  loadAddressProtections(protections: readonly AddressProtection[]): Promise<void>;
  /** Number of persons (seeding decides from it whether the store is empty). */
  countPersons(): Promise<number>;
  /** Writes a seed batch in one transaction (COPY on PostgreSQL). */
  insertSeed(batch: CriminalHistorySeed): Promise<void>;
  /** Refreshes the planner's statistics of every table (after a bulk load). */
  analyze(): Promise<void>;
}
