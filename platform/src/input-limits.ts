/**
 * The longest string a caller may send in each argument or input field, in characters (UTF-16
 * code units), by schema coordinate. Checked before any work: at the gateway before planning, and
 * again in each subgraph (which never trusts its caller). Every `String` and `ID` input not named
 * here takes `DEFAULT_MAX_INPUT_LENGTH`. docs/integrators.md's "Input limits" table lists the same figures.
 *
 * Why a bound at all: criminal-history keys its name caches by the caller's `lastName`; unbounded,
 * a 95 KB name kept about 230 KB per search and a 96 MB heap died after about 312 searches.
 */
export const DEFAULT_MAX_INPUT_LENGTH = 64;

/** Inputs allowed more (or fewer) characters than the default, each at the orders subgraph's own rule where it has one. */
export const MAX_INPUT_LENGTHS: Readonly<Record<string, number>> = {
  // Names: the longest recorded name in the state repository is far shorter; docs/design.md §4 rule 9.
  'Query.searchPersons(lastName:)': 64,
  'Query.searchPersons(firstName:)': 64,
  'PersonNameInput.last': 60,
  'PersonNameInput.first': 60,
  'PersonNameInput.middle': 60,
  // Court records: the orders subgraph's own limits (subgraphs/orders/src/order-mutations.ts).
  'Query.protectiveOrders(caseNumber:)': 32,
  'IssueProtectiveOrderInput.caseNumber': 32,
  'IssueProtectiveOrderInput.court': 100,
  'OrderTermsInput.stayAwayFrom': 100,
  'OrderTermsChangesInput.stayAwayFrom': 100,
  'OrderTermsInput.other': 1000,
  'OrderTermsChangesInput.other': 1000,
  'Mutation.terminateProtectiveOrder(reason:)': 500,
  'AddressInput.street': 200,
  'AddressInput.city': 100,
  // A user id is the identity provider's `sub`, which may be a long URI.
  'Query.auditEvents(user:)': 200,
};

/** The most characters the input at `coordinate` (`Type.field(arg:)` or `Input.field`) may hold. */
export function maxInputLength(coordinate: string): number {
  return Object.hasOwn(MAX_INPUT_LENGTHS, coordinate) ? MAX_INPUT_LENGTHS[coordinate] : DEFAULT_MAX_INPUT_LENGTH;
}
