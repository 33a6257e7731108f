import { buildSchema, parse, print } from 'graphql';
import { answerRemovedFields } from '../../gateway/src/policy/answer-removed-fields';
import { pruneOperation, PRUNED_PLACEHOLDER } from '../../gateway/src/policy/prune-operation';

/** The gateway's removal of never-readable fields (docs/design.md §4 rule 13), on a schema of its own. */
const schema = buildSchema(`
  type Query { person: Person people: [Person!]! secret: String! open: String }
  type Person { id: ID! name: String secret: String pin: String! items: [Item!] }
  type Item { label: String hidden: String! }
`);
const DENIED = new Set(['Query.secret', 'Person.secret', 'Person.pin', 'Item.hidden']);
const mayRead = (coordinate: string) => !DENIED.has(coordinate);
const noSource = () => undefined;

function run(source: string, answer: Record<string, unknown>, variables?: Record<string, unknown>) {
  const document = parse(source);
  const pruned = pruneOperation(document, schema, mayRead)!;
  const result = answerRemovedFields({ data: answer }, document, undefined, schema, variables, pruned, noSource);
  return { pruned, result, errors: (result.errors ?? []).map((e) => e.path!.join('.')) };
}

describe('removing the fields a caller can never read, before planning', () => {
  it('leaves a document with nothing to remove as it is (planned under its own hash)', () => {
    expect(pruneOperation(parse('{ person { id name } open }'), schema, mayRead)).toBeNull();
  });

  it('removes denied fields in operations and fragments, and keeps an emptied selection valid with a placeholder', () => {
    const pruned = pruneOperation(parse('{ person { ...p } } fragment p on Person { secret pin }'), schema, mayRead)!;
    expect(print(pruned.document)).toContain(`fragment p on Person {\n  ${PRUNED_PLACEHOLDER}: __typename\n}`);
    expect(pruned.removedCoordinates).toEqual(['Person.pin', 'Person.secret']);
  });

  it('answers each removed field null with a FORBIDDEN error at its path, once per list element, in the order asked', () => {
    const { result, errors } = run('{ people { id secret name } }', {
      people: [
        { id: '1', name: 'A' },
        { id: '2', name: 'B' },
      ],
    });
    expect(result.data).toEqual({
      people: [
        { id: '1', secret: null, name: 'A' },
        { id: '2', secret: null, name: 'B' },
      ],
    });
    expect(Object.keys((result.data!.people as object[])[0])).toEqual(['id', 'secret', 'name']);
    expect(errors).toEqual(['people.0.secret', 'people.1.secret']);
    expect(result.errors![0]).toMatchObject({ message: 'Not authorised to read Person.secret', extensions: { code: 'FORBIDDEN' } });
  });

  it('carries null up from a removed non-null field to the nearest nullable parent, as graphql-js does', () => {
    // Item.hidden is String! inside [Item!]: the item cannot be null, so the nullable list is.
    const items = run('{ person { id items { label hidden } } }', { person: { id: '1', items: [{ label: 'x' }, { label: 'y' }] } });
    expect(items.result.data).toEqual({ person: { id: '1', items: null } });
    expect(items.errors).toEqual(['person.items.0.hidden', 'person.items.1.hidden']);
    // Person.pin is String!: the nullable person becomes null.
    expect(run('{ person { id pin } }', { person: { id: '1' } }).result.data).toEqual({ person: null });
    // Query.secret is String!: the whole data.
    expect(run('{ open secret }', { open: 'o' }).result.data).toBeNull();
  });

  it('takes the placeholder out, and answers nothing for a skipped field or below a null parent', () => {
    const emptied = run('{ person { secret } }', { person: { [PRUNED_PLACEHOLDER]: 'Person' } });
    expect(emptied.result.data).toEqual({ person: { secret: null } });
    const skipped = run('query($x: Boolean!) { person { id secret @include(if: $x) } }', { person: { id: '1' } }, { x: false });
    expect(skipped.result).toStrictEqual({ data: { person: { id: '1' } } });
    expect(run('{ person { id secret } }', { person: null }).errors).toEqual([]);
  });
});
