import {
  getNamedType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Entity types whose ids are subjects of disclosure. */
export const SUBJECT_TYPES: ReadonlySet<string> = new Set(['Person', 'ProtectiveOrder', 'Alert']);

/**
 * Where the subjects are in the responses to one operation: for an object of a subject type, the
 * response keys its id may sit under; and the fields below that can lead to a subject. Fields
 * that cannot (an arrest's charges, an order's terms) are left out, so a wide answer is walked
 * only along the paths where subjects are.
 */
interface SubjectPlan {
  /** The subject type of the objects at this place, or null. */
  subjectType: string | null;
  /** Response keys (aliases included) of the `id` field, when this is a subject type. */
  idKeys: string[];
  /** The plans of the objects under a response key (one per field type found under that key). */
  children: { key: string; plan: SubjectPlan }[];
}

/**
 * Plans by operation: Apollo keeps one parsed document per query text, so each is built once. A
 * plan serves only the document (its fragments) and schema it was built from; another is rebuilt.
 */
const plans = new WeakMap<OperationDefinitionNode, { document: DocumentNode; schema: GraphQLSchema; plan: SubjectPlan | null }>();

/** A selection set to plan, with the fragments being expanded around it (never expanded again inside). */
interface Selections {
  set: SelectionSetNode;
  within: ReadonlySet<string>;
}

function buildPlan(type: GraphQLObjectType, selections: readonly Selections[], fragments: Record<string, FragmentDefinitionNode>): SubjectPlan | null {
  const plan: SubjectPlan = { subjectType: SUBJECT_TYPES.has(type.name) ? type.name : null, idKeys: [], children: [] };
  // The selections at this place, fragments flattened: for each response key and the type of the
  // field under it, all its sub-selections. (Two fields may share a key under different fragment
  // types; each is followed as its own type, as a walk of every selection would.)
  const byKey = new Map<string, { key: string; type: GraphQLObjectType; selections: Selections[] }>();
  const collect = ({ set, within }: Selections): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        if (plan.subjectType && selection.name.value === 'id' && !plan.idKeys.includes(key)) plan.idKeys.push(key);
        if (!selection.selectionSet) continue;
        const field = type.getFields()[selection.name.value];
        const child = field && getNamedType(field.type);
        if (!child || !isObjectType(child)) continue;
        const slot = `${key}\u0000${child.name}`;
        const entry = byKey.get(slot) ?? { key, type: child, selections: [] };
        entry.selections.push({ set: selection.selectionSet, within });
        byKey.set(slot, entry);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect({ set: selection.selectionSet, within });
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        // A fragment spread inside itself is invalid GraphQL (validation refuses it); never loop on one.
        if (fragment && !within.has(name)) collect({ set: fragment.selectionSet, within: new Set([...within, name]) });
      }
    }
  };
  for (const s of selections) collect(s);
  for (const child of byKey.values()) {
    const childPlan = buildPlan(child.type, child.selections, fragments);
    if (childPlan) plan.children.push({ key: child.key, plan: childPlan });
  }
  // `object.id` counts as the object's id even when selected under another key (as the walk always did).
  if (plan.subjectType && !plan.idKeys.includes('id')) plan.idKeys.push('id');
  return plan.subjectType || plan.children.length > 0 ? plan : null;
}

function planFor(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): SubjectPlan | null {
  const kept = plans.get(operation);
  if (kept && kept.document === document && kept.schema === schema) return kept.plan;
  const root = schema.getRootType(operation.operation);
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const plan = root ? buildPlan(root, [{ set: operation.selectionSet, within: new Set() }], fragments) : null;
  plans.set(operation, { document, schema, plan });
  return plan;
}

/**
 * The typed ids (`Person:A10000001`) of the entities in a response as sent, found by walking the
 * data alongside the operation (of `document`) and the schema, through aliases and fragments.
 */
export function subjectsInResponse(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, data: unknown): Set<string> {
  const found = new Set<string>();
  const plan = planFor(schema, document, operation);
  if (plan && data && typeof data === 'object') walk(plan, data, found);
  return found;
}

function walk(plan: SubjectPlan, value: unknown, found: Set<string>): void {
  if (value === null || value === undefined || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) walk(plan, item, found);
    return;
  }
  const object = value as Record<string, unknown>;
  if (plan.subjectType) {
    for (const key of plan.idKeys) {
      const id = object[key];
      if (typeof id === 'string') found.add(`${plan.subjectType}:${id}`);
    }
  }
  for (const child of plan.children) walk(child.plan, object[child.key], found);
}
