import { allOf, anyOf, hasAnyScope, hasScope, purposeIn, sameRule, Scope, type RuleTable } from '../../../access-policy/src';

/** Orders need orders:read — DESIGN §4 rule 6. */
export const canReadOrders = hasScope(Scope.ORDERS_READ);

/** A protected party's address is confidential: only orders:protected_address — Family Code 6252.5; DESIGN §4 rule 6. */
export const canSeeProtectedAddress = hasScope(Scope.ORDERS_PROTECTED_ADDRESS);

/** A person's key may be read by anyone who may reach persons at all. */
export const canReferencePersons = hasAnyScope(Scope.ORDERS_READ, Scope.PERSON_READ, Scope.PERSON_MATCH);

/** Courts enter, change and end orders: orders:write with purpose C or D — DESIGN §4 rule 6. */
export const canWriteOrders = allOf(hasScope(Scope.ORDERS_WRITE), purposeIn('C', 'D'));

/**
 * Proof of service: the court (orders:write, C or D), or the serving officer with orders:serve and
 * purpose C — Family Code 6380; DESIGN §4 rule 6.
 */
export const canRecordService = anyOf(canWriteOrders, allOf(hasScope(Scope.ORDERS_SERVE), purposeIn('C')));

/**
 * Who changed an order is shown as a name and an agency, as on the court's paper; the author's
 * account id only to the court that keeps the order (orders:write): an account id helps no one
 * serve or enforce an order, and is what an attacker needs to aim at an account — DESIGN §7.
 */
export const canSeeOrderAuthorAccounts = hasScope(Scope.ORDERS_WRITE);


/** Who may read each field of orders. Every field is named; the fallback denies. */
export const ordersAccessRules: RuleTable = {
  Query: { protectiveOrder: canReadOrders, protectiveOrders: canReadOrders },
  Mutation: {
    issueProtectiveOrder: canWriteOrders,
    modifyProtectiveOrder: canWriteOrders,
    recordProofOfService: canRecordService,
    terminateProtectiveOrder: canWriteOrders,
  },
  Person: { id: canReferencePersons, protectiveOrders: canReadOrders, protectedBy: canReadOrders },
  ProtectiveOrder: sameRule(
    ['id', 'caseNumber', 'court', 'type', 'status', 'issuedAt', 'expiresAt', 'restrainedPerson', 'protectedParties', 'terms', 'service', 'version', 'history'],
    canReadOrders,
  ),
  ProtectedParty: {
    ...sameRule(['name', 'dateOfBirth', 'relationship', 'person'], canReadOrders),
    address: canSeeProtectedAddress,
  },
  PersonName: sameRule(['last', 'first', 'middle'], canReadOrders),
  // Address appears in orders only as a protected party's: the same rule guards its fields.
  Address: sameRule(['street', 'city', 'state', 'postalCode'], canSeeProtectedAddress),
  OrderTerms: sameRule(['noContact', 'stayAwayYards', 'stayAwayFrom', 'firearmsProhibited', 'moveOut', 'other'], canReadOrders),
  OrderService: sameRule(['served', 'servedAt', 'method'], canReadOrders),
  OrderEvent: { ...sameRule(['version', 'type', 'at', 'byName', 'byOri', 'changes'], canReadOrders), by: canSeeOrderAuthorAccounts },
  OrderChange: sameRule(['field', 'from', 'to'], canReadOrders),
};
