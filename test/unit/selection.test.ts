import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { selectedBelow } from '../../platform/src';

/** The look-ahead a resolver uses to load what its query will ask for (platform/src/selection.ts). */
describe('selectedBelow', () => {
  const read = (source: string) => {
    const doc = parse(source);
    const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const fragments = Object.fromEntries(
      doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
    );
    return { root: operation.selectionSet.selections as FieldNode[], fragments };
  };
  const names = (fields: FieldNode[]) => fields.map((f) => `${f.alias?.value ?? ''}:${f.name.value}`);

  it('finds a field directly below, under any alias, and nothing deeper', () => {
    const { root, fragments } = read('{ search { a: person { id } person { criminalHistory { person { id } } } } }');
    expect(names(selectedBelow(root, 'person', fragments))).toEqual(['a:person', ':person']);
    const persons = selectedBelow(root, 'person', fragments);
    expect(names(selectedBelow(persons, 'criminalHistory', fragments))).toEqual([':criminalHistory']);
    expect(selectedBelow(root, 'criminalHistory', fragments)).toEqual([]);
  });

  it('looks through inline fragments and fragment spreads, nested, each spread once', () => {
    const { root, fragments } = read(`
      { search { ... on Match { ...M ...M } } }
      fragment M on Match { ...N }
      fragment N on Match { ... { person { id } } }`);
    expect(names(selectedBelow(root, 'person', fragments))).toEqual([':person']);
  });

  it('finds nothing below a leaf or an unknown fragment', () => {
    const { root, fragments } = read('{ search { ...Missing } score }');
    expect(selectedBelow(root, 'person', fragments)).toEqual([]);
    expect(selectedBelow(selectedBelow(root, 'score', fragments), 'x', fragments)).toEqual([]);
  });
});
