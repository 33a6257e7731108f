import { DISPATCH_CHECK, EMPLOYMENT_SCREENING, OFFICER_PROFILE } from '../../gateway/src/explorer/example-operations';

/** One request of a workload: who sends what. */
export interface BenchRequest {
  persona: 'officer' | 'dispatcher' | 'employment-screener' | 'court-clerk';
  purpose: string | null;
  reason: string | null;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
  /** A modification of the connection's own order (workload 4). */
  modifiesOrder?: boolean;
}

/** A workload: the requests each connection cycles through. */
export interface Workload {
  id: number;
  name: string;
  requests: BenchRequest[];
}

/** The wide search of workload 3, for any width. */
export function wideSearch(limit: number): string {
  return `query WideSearch { searchPersons(lastName: "SMITH", limit: ${limit}) {
    score
    person {
      id name { last first } dateOfBirth
      criminalHistory { arrests { date charges { statute level disposition { type } } } convictions { statute date } }
      protectiveOrders { id status terms { noContact stayAwayYards firearmsProhibited } }
      protectedBy { id status }
      alerts { id type caution { codes } }
    }
  } }`;
}

export const MODIFY_ORDER = `mutation Modify($id: ID!, $v: Int!, $yards: Int!) {
  modifyProtectiveOrder(id: $id, expectedVersion: $v, changes: { terms: { stayAwayYards: $yards } }) { id version terms { stayAwayYards } }
}`;

const officer = (body: BenchRequest['body']): BenchRequest => ({ persona: 'officer', purpose: 'C', reason: 'INC-BENCH-1', body });

/** The five workloads of the bench (issue 9). */
export const WORKLOADS: Workload[] = [
  {
    id: 1,
    name: 'officer profile (3 subgraphs)',
    requests: [officer({ query: OFFICER_PROFILE, variables: { id: 'A10000001' }, operationName: 'OfficerProfile' })],
  },
  {
    id: 2,
    name: 'employment screening',
    requests: [
      {
        persona: 'employment-screener',
        purpose: 'I',
        reason: null,
        body: { query: EMPLOYMENT_SCREENING, variables: { last: 'DOE', first: 'JOHN', dob: '1985-03-14' }, operationName: 'EmploymentScreening' },
      },
    ],
  },
  { id: 3, name: 'wide search, limit 50, nested', requests: [officer({ query: wideSearch(50), operationName: 'WideSearch' })] },
  {
    id: 4,
    name: 'mix: 9 profiles, 1 order modification',
    requests: [
      ...Array.from({ length: 9 }, (_, i) => officer({ query: OFFICER_PROFILE, variables: { id: `A${10000001 + i}` }, operationName: 'OfficerProfile' })),
      { persona: 'court-clerk', purpose: 'D', reason: 'FL-BENCH-1', body: { query: MODIFY_ORDER, operationName: 'Modify' }, modifiesOrder: true },
    ],
  },
  { id: 5, name: '{ __typename } (the floor)', requests: [officer({ query: '{ __typename }' })] },
];

const dispatcher = (body: BenchRequest['body']): BenchRequest => ({ persona: 'dispatcher', purpose: 'C', reason: 'CAD-BENCH-1', body });

/**
 * The screener's and the dispatcher's usual operations, for `bench/field-policy-bench.ts` (issue 21):
 * what removing, at the gateway, the fields a caller can never read saves — or costs, where
 * nothing is removed. Answers carry the FORBIDDEN errors of the removed fields by design.
 */
export const FIELD_POLICY_WORKLOADS: Workload[] = [
  WORKLOADS[1],
  {
    id: 6,
    name: "dispatcher's check (search, orders, alerts; convictions denied)",
    requests: [dispatcher({ query: DISPATCH_CHECK, variables: { last: 'SMITH' }, operationName: 'DispatchCheck' })],
  },
  {
    id: 7,
    name: "dispatcher runs the officer's profile (criminal history denied)",
    requests: [dispatcher({ query: OFFICER_PROFILE, variables: { id: 'A10000001' }, operationName: 'OfficerProfile' })],
  },
  {
    id: 8,
    name: "dispatcher: an order and its restrained person's history (denied)",
    requests: [
      dispatcher({
        query:
          'query OrderCheck { protectiveOrder(id: "PO-000001") { id status terms { noContact stayAwayYards firearmsProhibited } restrainedPerson { id criminalHistory { arrests { id date } convictions { statute } } } } }',
        operationName: 'OrderCheck',
      }),
    ],
  },
];
