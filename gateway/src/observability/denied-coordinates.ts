import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The schema coordinate (`Person.criminalHistory`) of the field at a response path. Paths hold
 * aliases and list indexes a caller chooses; the coordinate is one of the schema's fields, so a
 * metric labelled by it stays bounded. `null` when the path does not lead to a field (a path the
 * gateway made up, say).
 */
export function coordinateOfPath(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  path: readonly (string | number)[],
): string | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let parent: GraphQLNamedType | null | undefined = schema.getRootType(operation.operation);
  let selections: SelectionSetNode | undefined = operation.selectionSet;
  let coordinate: string | null = null;
  for (const key of path) {
    if (typeof key === 'number') continue;
    if (!parent || !selections) return null;
    const found = findField(selections, key, parent.name, fragments, schema);
    if (!found) return null;
    const owner = schema.getType(found.typeName);
    if (!owner || !(isObjectType(owner) || isInterfaceType(owner))) return null;
    const definition = owner.getFields()[found.field.name.value];
    if (!definition) return null;
    coordinate = `${owner.name}.${definition.name}`;
    parent = getNamedType(definition.type);
    selections = found.field.selectionSet;
  }
  return coordinate;
}

/** The field answering `key` in a selection set, through inline fragments and spreads, with the type it is selected on. */
function findField(
  set: SelectionSetNode,
  key: string,
  typeName: string,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  schema: GraphQLSchema,
  depth = 0,
): { field: FieldNode; typeName: string } | null {
  // Fragments cannot nest without bound in a valid document, but this runs on what was sent.
  if (depth > 20) return null;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if ((s.alias ?? s.name).value === key) return { field: s, typeName };
    } else {
      const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : fragments.get(s.name.value);
      if (!fragment) continue;
      const on = fragment.typeCondition?.name.value ?? typeName;
      const found = findField(fragment.selectionSet, key, schema.getType(on) ? on : typeName, fragments, schema, depth + 1);
      if (found) return found;
    }
  }
  return null;
}
