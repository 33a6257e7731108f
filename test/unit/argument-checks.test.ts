import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { projectRoot } from '../../platform/src';
import { argumentError } from '../../platform/src/argument-checks';

const schema = buildSchema(readFileSync(join(projectRoot(), 'schema/supergraph.graphql'), 'utf8'), { assumeValidSDL: true });

function check(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  return argumentError(schema, document, getOperationAST(document)!, variables)?.message ?? null;
}

/** The walk behind the argument checks finds every argument, wherever the document puts it (issue 18, items 4 and 5). */
describe('argument checks', () => {
  it('a well-formed operation passes', () => {
    expect(check('query($d: Date) { searchPersons(lastName: "DOE", dateOfBirth: $d) { score person { id } } }', { d: '1985-03-14' })).toBeNull();
  });

  it('an argument inside a named fragment', () => {
    expect(check('query { ...Q } fragment Q on Query { searchPersons(lastName: "DOE", dateOfBirth: "1985-3-14") { score } }')).toMatch(
      /Argument "dateOfBirth" of searchPersons: Date must be a calendar date/,
    );
  });

  it('an argument inside an inline fragment, and a fragment spread twice is walked once', () => {
    expect(check('query { ... on Query { person(id: "A10000001") { ...P ...P } } } fragment P on Person { protectiveOrders { id } } ')).toBeNull();
    expect(check('query($id: ID!) { ... on Query { alert(id: $id) { id } } }', { id: 'X'.repeat(65) })).toMatch(
      /Variable "\$id" \(argument "id" of alert\) is longer than 64 characters/,
    );
  });

  it('an argument below a field of a list of objects, and the introspection field __type', () => {
    expect(check('query { searchPersons(lastName: "DOE") { person { protectiveOrders { id } } } __type(name: "' + 'T'.repeat(65) + '") { name } }')).toMatch(
      /Argument "name" of __type is longer than 64/,
    );
  });

  it('a directive argument given by a variable of the wrong shape is left to graphql-js (not a project scalar)', () => {
    expect(check('query($x: Boolean!) { __typename @include(if: $x) }', { x: 'yes' })).toBeNull();
  });

  it('a default value of a variable is checked when the caller sends none', () => {
    expect(check('query($d: Date = "1985-3-14") { searchPersons(lastName: "DOE", dateOfBirth: $d) { score } }')).toMatch(
      /Argument "dateOfBirth" of searchPersons/,
    );
  });

  it('each string of a list', () => {
    const input = { noContact: true, firearmsProhibited: true, stayAwayFrom: ['HOME', 'S'.repeat(101)] };
    expect(
      check('mutation($id: ID!, $t: OrderTermsChangesInput) { modifyProtectiveOrder(id: $id, expectedVersion: 1, changes: { terms: $t }) { id } }', {
        id: 'PO-000001',
        t: input,
      }),
    ).toMatch(/Variable "\$t" \(argument "changes" of modifyProtectiveOrder\) at changes\.terms\.stayAwayFrom\[1\] is longer than 100 characters/);
  });
});
