import { allOf, anyOf, hasAnyScope, hasScope, purposeIn, Scope, type RuleTable } from '../../../access-policy/src';

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

const everyField = (fields: string[], rule: ReturnType<typeof hasScope>) => Object.fromEntries(fields.map((f) => [f, rule]));

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
  ProtectiveOrder: everyField(
    ['id', 'caseNumber', 'court', 'type', 'status', 'issuedAt', 'expiresAt', 'restrainedPerson', 'protectedParties', 'terms', 'service', 'version', 'history'],
    canReadOrders,
  ),
  ProtectedParty: {
    ...everyField(['name', 'dateOfBirth', 'relationship', 'person'], canReadOrders),
    address: canSeeProtectedAddress,
  },
  PersonName: everyField(['last', 'first', 'middle'], canReadOrders),
  // Address appears in orders only as a protected party's: the same rule guards its fields.
  Address: everyField(['street', 'city', 'state', 'postalCode'], canSeeProtectedAddress),
  OrderTerms: everyField(['noContact', 'stayAwayYards', 'stayAwayFrom', 'firearmsProhibited', 'moveOut', 'other'], canReadOrders),
  OrderService: everyField(['served', 'servedAt', 'method'], canReadOrders),
  OrderEvent: everyField(['version', 'type', 'at', 'by', 'byName', 'byOri', 'changes'], canReadOrders),
  OrderChange: everyField(['field', 'from', 'to'], canReadOrders),
};
