import {
  getNamedType,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getDirectiveValues,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import { ErrorCode } from '../../../access-policy/src';
import { PRUNED_PLACEHOLDER, type PrunedOperation } from './prune-operation';

type Path = Array<string | number>;
type Data = Record<string, unknown>;

/** Marks a position that became null although its type is non-null: its parent becomes null. */
const INVALID = Symbol('invalid');

/** The answer to an operation, as the gateway's executor returns it. */
export interface ExecutionAnswer {
  data?: Data | null;
  errors?: ReadonlyArray<GraphQLError>;
  extensions?: Record<string, unknown>;
}

/**
 * Puts back, into the answer of a pruned operation, every field removed before planning: null,
 * with a FORBIDDEN error at its path — the message, code and serviceName a subgraph's denial has — once
 * per object that holds it (each element of a list has its own path). Where the removed field is
 * non-null, null travels up to the nearest nullable parent, as graphql-js and the gateway do for
 * a subgraph's denial. The placeholders the pruning added are taken out.
 */
export function answerRemovedFields(
  answer: ExecutionAnswer,
  original: DocumentNode,
  operationName: string | null | undefined,
  schema: GraphQLSchema,
  variables: Record<string, unknown> | undefined,
  pruned: PrunedOperation,
  sourceOf: (coordinate: string) => string | undefined,
): ExecutionAnswer {
  const operation = original.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root || !answer.data) return answer;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of original.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  const variableValues = coerced.coerced ?? {};

  const errors: GraphQLError[] = [];
  const reported = new Set<string>();

  const included = (selection: SelectionNode): boolean => {
    if (!selection.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, selection, variableValues)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, selection, variableValues)?.if !== false;
  };

  /**
   * Fills one object; false when a non-null field of it became null (the object becomes null).
   * Where it put a removed field back, the object's keys are put in the order they were asked.
   */
  const fillObject = (selections: readonly SelectionNode[], parent: GraphQLNamedType | undefined, object: Data, path: Path): boolean => {
    if (!isObjectType(parent)) {
      delete object[PRUNED_PLACEHOLDER];
      return true;
    }
    const order: string[] = [];
    let inserted = false;
    let valid = true;
    const walk = (list: readonly SelectionNode[]): void => {
      for (const selection of list) {
        if (!included(selection)) continue;
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type: GraphQLNamedType | undefined | null = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          if (type === parent) walk(selection.selectionSet.selections);
          continue;
        }
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = fragments[selection.name.value];
          if (fragment && fragment.typeCondition.name.value === parent.name) walk(fragment.selectionSet.selections);
          continue;
        }
        const key = selection.alias?.value ?? selection.name.value;
        order.push(key);
        const definition = parent.getFields()[selection.name.value];
        if (!definition) continue;
        if (pruned.removed.has(selection)) {
          object[key] = null;
          inserted = true;
          const at = [...path, key];
          const id = JSON.stringify(at);
          if (!reported.has(id)) {
            reported.add(id);
            const coordinate = `${parent.name}.${selection.name.value}`;
            const serviceName = sourceOf(coordinate);
            errors.push(
              new GraphQLError(`Not authorised to read ${coordinate}`, {
                path: at,
                extensions: { code: ErrorCode.FORBIDDEN, ...(serviceName ? { serviceName } : {}) },
              }),
            );
          }
          if (isNonNullType(definition.type)) valid = false;
          continue;
        }
        if (!selection.selectionSet) continue;
        const filled = fillPosition(definition.type, object[key], selection.selectionSet.selections, [...path, key]);
        if (filled === INVALID) valid = false;
        else if (filled === null) object[key] = null;
      }
    };
    walk(selections);
    // The placeholder goes, unless the caller asked for a field under that very name.
    if (!order.includes(PRUNED_PLACEHOLDER)) delete object[PRUNED_PLACEHOLDER];
    if (inserted) inQueryOrder(object, order);
    return valid;
  };

  /** Fills a field's value; null when it must become null, INVALID when that null must travel up. */
  const fillPosition = (type: GraphQLOutputType, value: unknown, selections: readonly SelectionNode[], path: Path): unknown => {
    if (value === null || value === undefined) return value;
    const nonNull = isNonNullType(type);
    const inner = nonNull ? type.ofType : type;
    let valid = true;
    if (isListType(inner)) {
      const list = value as unknown[];
      for (let i = 0; i < list.length; i++) {
        const item = fillPosition(inner.ofType, list[i], selections, [...path, i]);
        if (item === INVALID) valid = false;
        else if (item === null) list[i] = null;
      }
    } else {
      valid = fillObject(selections, getNamedType(inner), value as Data, path);
    }
    if (valid) return value;
    return nonNull ? INVALID : null;
  };

  const valid = fillObject(operation.selectionSet.selections, root, answer.data, []);
  // No errors at all stays no `errors` key: an empty list would show in the answer.
  const all = [...(answer.errors ?? []), ...errors];
  return { ...answer, data: valid ? answer.data : null, ...(all.length > 0 ? { errors: all } : {}) };
}

/** Moves the object's keys into the order the query asked for them (a re-added key moves to the end). */
function inQueryOrder(object: Data, order: readonly string[]): void {
  const seen = new Set<string>();
  for (const key of order) {
    if (seen.has(key) || !(key in object)) continue;
    seen.add(key);
    const value = object[key];
    delete object[key];
    object[key] = value;
  }
}
