import {
  getNamedType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Entity types whose ids are subjects of disclosure. */
export const SUBJECT_TYPES: ReadonlySet<string> = new Set(['Person', 'ProtectiveOrder', 'Alert']);

/**
 * The typed ids (`Person:A10000001`) of the entities in a response as sent, found by walking the
 * data alongside the operation and the schema, through aliases and fragments.
 */
export function subjectsInResponse(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  data: unknown,
): Set<string> {
  const found = new Set<string>();
  const root = schema.getRootType(operation.operation);
  if (!root || !data || typeof data !== 'object') return found;

  const walk = (type: GraphQLObjectType, selections: SelectionSetNode, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(type, selections, item);
      return;
    }
    const object = value as Record<string, unknown>;
    if (SUBJECT_TYPES.has(type.name) && typeof object.id === 'string') found.add(`${type.name}:${object.id}`);
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        // The id of a subject may sit under an alias.
        if (SUBJECT_TYPES.has(type.name) && selection.name.value === 'id' && typeof object[key] === 'string') found.add(`${type.name}:${object[key]}`);
        if (!selection.selectionSet) continue;
        const field = type.getFields()[selection.name.value];
        const child = field && getNamedType(field.type);
        if (child && isObjectType(child)) walk(child, selection.selectionSet, object[key]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(type, selection.selectionSet, object);
      } else {
        const fragment = fragments[selection.name.value];
        if (fragment) walk(type, fragment.selectionSet, object);
      }
    }
  };
  walk(root, operation.selectionSet, data);
  return found;
}
