import { createHash } from 'node:crypto';
/**
 * Example operations, one set per persona: the explorer's tabs, the README's examples and the
 * tests' and bench's queries come from here, so they cannot drift apart.
 */

/** The officer's profile of a person: identity, rap sheet, orders and alerts, across all three subgraphs. */
export const OFFICER_PROFILE = /* GraphQL */ `
  query OfficerProfile($id: ID!) {
    person(id: $id) {
      id
      name { last first middle }
      dateOfBirth
      sex
      aliases { last first }
      criminalHistory {
        arrests { id date agency charges { statute description level disposition { type date court } } }
        convictions { statute description level date court sentence }
      }
      protectiveOrders {
        id type status issuedAt expiresAt
        terms { noContact stayAwayYards firearmsProhibited }
        service { served servedAt method }
        protectedParties { name { last first } relationship }
      }
      protectedBy { id status restrainedPerson { id name { last first } } }
      alerts { id type active caution { codes note } warrant { number offense extradition } missing { category categories } }
    }
  }
`;

/** The employment screening: a full-identity search and the convictions view. */
export const EMPLOYMENT_SCREENING = /* GraphQL */ `
  query EmploymentScreening($last: String!, $first: String!, $dob: Date!) {
    searchPersons(lastName: $last, firstName: $first, dateOfBirth: $dob) {
      score
      person {
        id
        name { last first }
        dateOfBirth
        criminalHistory { convictions { statute description level date court sentence } }
      }
    }
  }
`;

/** A dispatcher's check: who is this, any orders or alerts? */
export const DISPATCH_CHECK = /* GraphQL */ `
  query DispatchCheck($last: String!, $first: String) {
    searchPersons(lastName: $last, firstName: $first, limit: 5) {
      score
      person {
        id name { last first } dateOfBirth
        protectiveOrders { id status terms { noContact stayAwayYards firearmsProhibited } }
        alerts { type caution { codes note } }
        criminalHistory { convictions { statute } }
      }
    }
  }
`;

/** The court clerk's view of an order, confidential address included. */
export const CLERK_ORDER = /* GraphQL */ `
  query ClerkOrder($id: ID!) {
    protectiveOrder(id: $id) {
      id caseNumber court type status version issuedAt expiresAt
      restrainedPerson { id name { last first } }
      protectedParties { name { last first } relationship address { street city postalCode } }
      terms { noContact stayAwayYards stayAwayFrom firearmsProhibited moveOut }
      service { served servedAt method }
      history { version type at by byOri changes { field from to } }
    }
  }
`;

/** A dispatcher told the moment an order about a person changes (graphql-ws; docs/integrators.md, subscriptions). */
export const ORDER_WATCH = /* GraphQL */ `
  subscription OrderWatch($personId: ID) {
    protectiveOrderEvents(personId: $personId) { orderId type version at }
  }
`;

/** The auditor: who looked at a person, when and why. */
export const WHO_LOOKED = /* GraphQL */ `
  query WhoLooked($subject: String!) {
    auditEvents(subject: $subject, limit: 20) {
      at user ori client purpose reason operationName outcome deniedPaths fieldsResolved
    }
  }
`;

/** One tab of the explorer. */
export interface ExampleOperation {
  persona: string;
  title: string;
  query: string;
  variables: Record<string, unknown>;
  /**
   * The id under which the persona's client registered this operation (trusted documents): the
   * explorer sends it by id while its text is unchanged. `trusted-documents/<client>.json` holds it.
   */
  documentId?: string;
}

/** The id Apollo's manifest tooling gives an operation: SHA-256 of its text, hex. */
function documentIdOf(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The explorer's tabs, in order; the first is what a new developer runs first. */
export const EXAMPLE_OPERATIONS: readonly ExampleOperation[] = [
  { persona: 'officer', title: 'Officer: profile of A10000001', query: OFFICER_PROFILE, variables: { id: 'A10000001' } },
  { persona: 'dispatcher', title: 'Dispatcher: quick check', query: DISPATCH_CHECK, variables: { last: 'SMITH', first: 'MARCUS' } },
  {
    persona: 'dispatcher',
    title: 'Dispatcher: told when an order about A10000001 changes (a subscription)',
    query: ORDER_WATCH,
    variables: { personId: 'A10000001' },
  },
  { persona: 'court-clerk', title: 'Court clerk: order PO-000001', query: CLERK_ORDER, variables: { id: 'PO-000001' } },
  {
    persona: 'employment-screener',
    title: 'Screener: employment check (a registered operation: sent by id)',
    query: EMPLOYMENT_SCREENING,
    variables: { last: 'DOE', first: 'JOHN', dob: '1985-03-14' },
    documentId: documentIdOf(EMPLOYMENT_SCREENING),
  },
  { persona: 'auditor', title: 'Auditor: who looked at A10000001', query: WHO_LOOKED, variables: { subject: 'Person:A10000001' } },
];

/** The fixture persons, for the explorer's side note. */
export const FIXTURE_PERSONS: ReadonlyArray<{ id: string; name: string; profile: string }> = [
  {
    id: 'A10000001',
    name: 'DOE, JOHN MICHAEL (1985-03-14)',
    profile: 'convictions, dismissed and pending arrests, sealed and juvenile records, restrained by PO-000001',
  },
  { id: 'A10000002', name: 'ROE, JANE (1988-07-02)', profile: 'protected by PO-000001, confidential address' },
  { id: 'A10000003', name: 'SMITH, MARCUS (1979-11-30)', profile: 'wanted, armed and dangerous; officer-safety alert' },
  { id: 'A10000004', name: 'NGUYEN, LINDA (2009-05-21)', profile: 'missing juvenile, endangered' },
  { id: 'A10000005', name: 'GARCIA, ROBERT (1970-01-09)', profile: 'conviction dismissed under PC 1203.4; expired and terminated orders' },
  { id: 'A10000006', name: 'LEE, SARAH (1992-12-12)', profile: 'no records anywhere' },
  { id: 'A10000007', name: 'DOE, JON (1985-03-14)', profile: 'look-alike of A10000001' },
];
