import { buildSchema, Kind, parse, visit, type OperationDefinitionNode } from 'graphql';
import { subjectsInResponse } from '../../gateway/src/audit/response-subjects';

// The shapes that matter: subjects (Person, ProtectiveOrder, Alert) under subjects, under other
// types, in lists; and subtrees with no subject in them (arrests and their charges).
const schema = buildSchema(`
  type Query { person(id: ID!): Person, searchPersons(lastName: String!): [PersonMatch!]! }
  type PersonMatch { person: Person!, score: Float! }
  type Person { id: ID!, name: PersonName, arrests: [Arrest!], protectedBy: [ProtectiveOrder!], alerts: [Alert!] }
  type PersonName { last: String, first: String }
  type Arrest { id: ID!, charges: [Charge!] }
  type Charge { statute: String }
  type ProtectiveOrder { id: ID!, restrainedPerson: Person }
  type Alert { id: ID!, type: String }
`);

function subjects(query: string, data: unknown): string[] {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return [...subjectsInResponse(schema, document, operation, data)].sort();
}

describe('the subjects of a response (who the audit says was looked at)', () => {
  it('finds every subject, at any depth, in lists and under other types', () => {
    const query = `{ searchPersons(lastName: "DOE") { score person { id protectedBy { id restrainedPerson { id } } alerts { id } } } }`;
    const data = {
      searchPersons: [
        { score: 1, person: { id: 'A1', protectedBy: [{ id: 'PO-1', restrainedPerson: { id: 'A9' } }], alerts: [{ id: 'AL-1' }] } },
        { score: 0.5, person: { id: 'A2', protectedBy: [], alerts: null } },
      ],
    };
    expect(subjects(query, data)).toEqual(['Alert:AL-1', 'Person:A1', 'Person:A2', 'Person:A9', 'ProtectiveOrder:PO-1']);
  });

  it('finds ids under aliases, and an object whose id is not selected as `id` by its alias only', () => {
    const query = `{ who: person(id: "A1") { key: id orders: protectedBy { ref: id } } }`;
    expect(subjects(query, { who: { key: 'A1', orders: [{ ref: 'PO-7' }] } })).toEqual(['Person:A1', 'ProtectiveOrder:PO-7']);
  });

  it('follows named and inline fragments, the same fragment at two depths included', () => {
    const query = `
      query { person(id: "A1") { ...Who protectedBy { ... on ProtectiveOrder { id restrainedPerson { ...Who } } } } }
      fragment Who on Person { id alerts { id } }`;
    const data = { person: { id: 'A1', alerts: [], protectedBy: [{ id: 'PO-1', restrainedPerson: { id: 'A2', alerts: [{ id: 'AL-2' }] } }] } };
    expect(subjects(query, data)).toEqual(['Alert:AL-2', 'Person:A1', 'Person:A2', 'ProtectiveOrder:PO-1']);
  });

  it('passes over nulls and missing parts', () => {
    const query = `{ person(id: "A1") { id protectedBy { id restrainedPerson { id } } } }`;
    expect(subjects(query, { person: null })).toEqual([]);
    expect(subjects(query, { person: { id: 'A1', protectedBy: [{ id: 'PO-1', restrainedPerson: null }] } })).toEqual(['Person:A1', 'ProtectiveOrder:PO-1']);
    expect(subjects(query, null)).toEqual([]);
  });

  it('answers each response to the same operation from its own data', () => {
    const document = parse(`{ person(id: "A1") { id alerts { id } } }`);
    const operation = document.definitions[0] as OperationDefinitionNode;
    expect([...subjectsInResponse(schema, document, operation, { person: { id: 'A1', alerts: [{ id: 'AL-1' }] } })]).toEqual(['Person:A1', 'Alert:AL-1']);
    expect([...subjectsInResponse(schema, document, operation, { person: { id: 'A2', alerts: [] } })]).toEqual(['Person:A2']);
  });

  it('does not walk the parts of an answer where no subject can be (a wide answer’s arrests and charges)', () => {
    const query = `{ person(id: "A1") { id name { last } arrests { id charges { statute } } alerts { id } } }`;
    let arrestsRead = 0;
    const person = { id: 'A1', name: { last: 'DOE' }, alerts: [{ id: 'AL-1' }] };
    Object.defineProperty(person, 'arrests', { enumerable: true, get: () => (arrestsRead++, [{ id: 'AR-1', charges: [{ statute: 'PC 459' }] }]) });
    expect(subjects(query, { person })).toEqual(['Alert:AL-1', 'Person:A1']);
    expect(arrestsRead).toBe(0);
  });

  it('follows two fields under one response key each as its own type (fields of different fragment types)', () => {
    const withUnion = buildSchema(`
      union Thing = Person | Alert
      type Query { person(id: ID!): Person }
      type Person { id: ID!, subjectOf: [Arrest!], protectedBy: [ProtectiveOrder!] }
      type Alert { id: ID!, subjectOf: [Person!] }
      type Arrest { id: ID! }
      type ProtectiveOrder { id: ID! }
    `);
    // Valid GraphQL (the fragment on Alert never applies to a Person); the order's key is shared.
    const document = parse(`{ person(id: "A1") { id ... on Thing { ... on Alert { x: subjectOf { id } } } x: protectedBy { id } } }`);
    const operation = document.definitions[0] as OperationDefinitionNode;
    expect([...subjectsInResponse(withUnion, document, operation, { person: { id: 'A1', x: [{ id: 'PO-1' }] } })].sort()).toEqual([
      'Person:A1',
      'ProtectiveOrder:PO-1',
    ]);
  });

  it('plans a rewritten document afresh even when its operation node is the same one', () => {
    const first = parse(`query { person(id: "A1") { ...F } } fragment F on Person { id }`);
    const operation = first.definitions[0] as OperationDefinitionNode;
    // A rewrite that widens the fragment keeps the untouched operation node (graphql's visit does).
    const second = visit(first, {
      FragmentDefinition: (node) => ({ ...node, selectionSet: (parse(`{ id protectedBy { id } }`).definitions[0] as OperationDefinitionNode).selectionSet }),
    });
    expect(second.definitions[0]).toBe(operation);
    const data = { person: { id: 'A1', protectedBy: [{ id: 'PO-1' }] } };
    expect([...subjectsInResponse(schema, first, operation, data)]).toEqual(['Person:A1']);
    expect([...subjectsInResponse(schema, second, operation, data)].sort()).toEqual(['Person:A1', 'ProtectiveOrder:PO-1']);
  });

  it('stops on a fragment spread inside itself rather than looping (such a document never validates)', () => {
    const query = `query { person(id: "A1") { ...Loop } } fragment Loop on Person { id ...Loop }`;
    expect(subjects(query, { person: { id: 'A1' } })).toEqual(['Person:A1']);
  });
});
