import {
  getNamedType,
  isObjectType,
  Kind,
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The response key of the `__typename` the gateway adds where removal left a selection set empty
 * (an empty one is not GraphQL). Taken out of the answer again before the caller sees it.
 */
export const PRUNED_PLACEHOLDER = '_custodianPrunedTypename';

/** What removal did to one document for one set of rights. */
export interface PrunedOperation {
  /** The document to plan: every field the caller may never read taken out. */
  readonly document: DocumentNode;
  /** The removed field selections (nodes of the original document). */
  readonly removed: ReadonlySet<FieldNode>;
  /**
   * The coordinates (`Type.field`) removed, sorted: with the original document they determine the
   * pruned one, so they key its query plan.
   */
  readonly removedCoordinates: readonly string[];
}

/**
 * Takes out of `document` every field selection whose coordinate `mayRead` refuses, in every
 * operation and fragment. Decisions depend on the field's coordinate alone (the supergraph has no
 * interfaces or unions, so a fragment's fields mean the same wherever it is spread). A selection
 * set left empty keeps an aliased `__typename` (PRUNED_PLACEHOLDER). Returns null when nothing is
 * removed: the document is planned as sent.
 */
export function pruneOperation(document: DocumentNode, schema: GraphQLSchema, mayRead: (coordinate: string) => boolean): PrunedOperation | null {
  const removed = new Set<FieldNode>();
  const coordinates = new Set<string>();

  const pruneSet = (set: SelectionSetNode, parent: GraphQLNamedType | null | undefined): SelectionSetNode => {
    let changed = false;
    const kept: SelectionNode[] = [];
    for (const selection of set.selections) {
      const next = pruneSelection(selection, parent);
      if (next !== selection) changed = true;
      if (next) kept.push(next);
    }
    if (!changed) return set;
    if (kept.length === 0) kept.push(placeholder());
    return { ...set, selections: kept };
  };

  const pruneSelection = (selection: SelectionNode, parent: GraphQLNamedType | null | undefined): SelectionNode | null => {
    if (selection.kind === Kind.FRAGMENT_SPREAD) return selection;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      const selectionSet = pruneSet(selection.selectionSet, type);
      return selectionSet === selection.selectionSet ? selection : { ...selection, selectionSet };
    }
    const name = selection.name.value;
    // Introspection (its fields and its own types' fields) and __typename read no record; a type
    // the schema lacks fails validation anyway.
    if (name.startsWith('__') || !isObjectType(parent) || parent.name.startsWith('__')) return selection;
    const definition = parent.getFields()[name];
    if (!definition) return selection;
    const coordinate = `${parent.name}.${name}`;
    if (!mayRead(coordinate)) {
      removed.add(selection);
      coordinates.add(coordinate);
      return null;
    }
    if (!selection.selectionSet) return selection;
    const selectionSet = pruneSet(selection.selectionSet, getNamedType(definition.type));
    return selectionSet === selection.selectionSet ? selection : { ...selection, selectionSet };
  };

  const definitions = document.definitions.map((definition): DefinitionNode => {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const root = schema.getRootType(definition.operation);
      const selectionSet = pruneSet(definition.selectionSet, root);
      return selectionSet === definition.selectionSet ? definition : { ...definition, selectionSet };
    }
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const selectionSet = pruneSet(definition.selectionSet, schema.getType(definition.typeCondition.name.value));
      return selectionSet === definition.selectionSet ? definition : { ...definition, selectionSet };
    }
    return definition;
  });
  if (removed.size === 0) return null;
  return { document: { ...document, definitions }, removed, removedCoordinates: [...coordinates].sort() };
}

function placeholder(): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: PRUNED_PLACEHOLDER }, name: { kind: Kind.NAME, value: '__typename' } };
}
