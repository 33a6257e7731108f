import { allOf, argumentRule, callerRule, forbidden, hasAnyScope, hasScope, purposeIn, recordRule, Scope, type RuleTable } from '../../../access-policy/src';
import type { CriminalHistoryContext } from './loaders';
import { searchPolicyFor } from './person-search';
import { usesEmploymentView } from './record-visibility';

/** Name and date of birth need person:read or person:match — DESIGN §4 rule 2. */
export const canIdentifyPersons = hasAnyScope(Scope.PERSON_READ, Scope.PERSON_MATCH);

/** Everything else about a person (aliases, physical, identifiers, address) needs person:read — DESIGN §4 rule 2. */
export const canReadPersonDetails = hasScope(Scope.PERSON_READ);

/** A protected party's every address, while an order in force protects them, needs orders:protected_address — DESIGN §4 rule 11. */
export const canReadPersonAddress = recordRule<{ id: string }, CriminalHistoryContext>('canReadPersonAddress', async (person, ctx) => {
  if (!ctx.caller.scopes.has(Scope.PERSON_READ)) return false;
  if (ctx.caller.scopes.has(Scope.ORDERS_PROTECTED_ADDRESS)) return true;
  // Unknown counts as protected (a store never told whom orders protect), and a failed read denies
  // (recordRule): the address is closed whenever the subgraph cannot tell.
  return !(await ctx.loaders.addressConfidential.load(person.id));
});

/**
 * Only the court's order entries tell this subgraph whom an order protects (orders:write with
 * purpose C or D, on the caller's behalf through the orders subgraph) — DESIGN §4 rules 6, 11.
 */
export const canRecordAddressProtections = allOf(hasScope(Scope.ORDERS_WRITE), purposeIn('C', 'D'));

/**
 * Looking a person up by SID needs person:read: match-only callers (employers) reach persons only
 * through a full-identity search — DESIGN §4 rule 9.
 */
export const canLookUpBySid = hasScope(Scope.PERSON_READ);

/** Employers never see arrests, or any disposition but a conviction — Labor Code 432.7; DESIGN §4 rule 3. */
export const canReadArrests = hasScope(Scope.CRIMINAL_HISTORY_READ);

/**
 * Convictions need criminal_history:read, or the employment view (criminal_history:employment
 * with purpose I), whose rows the store limits to 7 years without relief — DESIGN §4 rule 4.
 */
export const canReadConvictions = callerRule(
  'canReadConvictions',
  (caller) => caller.scopes.has(Scope.CRIMINAL_HISTORY_READ) || usesEmploymentView(caller),
);

/** Sealed and juvenile flags exist only for criminal_history:sealed — PC 851.8; DESIGN §4 rule 5. */
export const canSeeSealedFlags = hasScope(Scope.CRIMINAL_HISTORY_SEALED);

/**
 * Match-only callers must search by lastName, firstName and exact dateOfBirth — DESIGN §4 rule 9.
 * (They then get exact identity only: `findExactIdentityMatches` in person-search.ts.)
 */
export const searchArgumentsAllowed = argumentRule('searchArgumentsAllowed', (args, caller) => {
  if (!searchPolicyFor(caller).requireFullIdentity) return true;
  const given = (v: unknown) => typeof v === 'string' && v.trim().length > 0;
  if (given(args.lastName) && given(args.firstName) && given(args.dateOfBirth)) return true;
  return forbidden('Searches with person:match need lastName, firstName and dateOfBirth');
});

/** Who may read each field of criminal-history. Every field is named; the fallback denies. */
export const criminalHistoryAccessRules: RuleTable = {
  Query: {
    person: canLookUpBySid,
    searchPersons: allOf(canIdentifyPersons, searchArgumentsAllowed),
  },
  Mutation: { recordAddressProtections: canRecordAddressProtections },
  PersonMatch: { person: canIdentifyPersons, score: canIdentifyPersons },
  Person: {
    id: canIdentifyPersons,
    name: canIdentifyPersons,
    dateOfBirth: canIdentifyPersons,
    aliases: canReadPersonDetails,
    sex: canReadPersonDetails,
    physical: canReadPersonDetails,
    identifiers: canReadPersonDetails,
    lastKnownAddress: canReadPersonAddress,
    criminalHistory: canReadConvictions,
  },
  PersonName: { last: canIdentifyPersons, first: canIdentifyPersons, middle: canIdentifyPersons },
  Physical: {
    heightInches: canReadPersonDetails,
    weightPounds: canReadPersonDetails,
    eyeColor: canReadPersonDetails,
    hairColor: canReadPersonDetails,
  },
  Identifiers: { fbiNumber: canReadPersonDetails, driverLicense: canReadPersonDetails, ssnLast4: canReadPersonDetails },
  DriverLicense: { number: canReadPersonDetails, state: canReadPersonDetails },
  Address: { street: canReadPersonDetails, city: canReadPersonDetails, state: canReadPersonDetails, postalCode: canReadPersonDetails },
  CriminalHistory: { arrests: canReadArrests, convictions: canReadConvictions, lastUpdated: canReadConvictions },
  Arrest: {
    id: canReadArrests,
    date: canReadArrests,
    agency: canReadArrests,
    charges: canReadArrests,
    sealed: canSeeSealedFlags,
    juvenile: canSeeSealedFlags,
  },
  Charge: { statute: canReadArrests, description: canReadArrests, level: canReadArrests, disposition: canReadArrests },
  Disposition: { type: canReadArrests, date: canReadArrests, court: canReadArrests, sentence: canReadArrests, relief: canReadArrests },
  Conviction: {
    statute: canReadConvictions,
    description: canReadConvictions,
    level: canReadConvictions,
    date: canReadConvictions,
    court: canReadConvictions,
    sentence: canReadConvictions,
    // Employers never see booking data or the arrest behind a conviction — DESIGN §4 rule 4.
    arrestId: canReadArrests,
  },
};
