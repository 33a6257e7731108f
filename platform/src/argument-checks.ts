import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  GraphQLError,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import { badUserInput } from '../../access-policy/src';
import { maxInputLength } from './input-limits';
import { PROJECT_SCALARS } from './scalars';

/** Where a value sits: the argument it was given to, and the path inside it. */
interface Place {
  /** `Argument "dateOfBirth" of searchPersons`, or `Variable "$dob" (argument …)`. */
  readonly label: string;
  /** The schema coordinate that sets its length limit (`Query.searchPersons(lastName:)`, `PersonNameInput.last`). */
  readonly coordinate: string;
  /** `input.protectedParties[0].dateOfBirth`, or the argument's name. */
  readonly path: string;
}

const at = (place: Place, argument: string) => (place.path === argument ? place.label : `${place.label} at ${place.path}`);

/** A string leaf: its length, then (for the project's scalars) its form. Never echoes the value. */
function checkLeaf(type: GraphQLInputType, place: Place, argument: string, read: () => unknown, text: string | null): void {
  if (text !== null && text.length > maxInputLength(place.coordinate)) {
    throw refused(`${at(place, argument)} is longer than ${maxInputLength(place.coordinate)} characters`);
  }
  if (!isScalarType(type) || !PROJECT_SCALARS.has(type.name)) return;
  try {
    read();
  } catch (error) {
    throw refused(`${at(place, argument)}: ${error instanceof GraphQLError ? error.message : `not a valid ${type.name}`}`);
  }
}

function refused(message: string): GraphQLError {
  // Thrown before execution: without a status Apollo would answer 500.
  return badUserInput(message, { http: { status: 400 } });
}

/** Checks a value as sent in variables (JSON). */
function checkValue(value: unknown, type: GraphQLInputType, place: Place, argument: string): void {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) return checkValue(value, type.ofType, place, argument);
  if (isListType(type)) {
    if (!Array.isArray(value)) return checkValue(value, type.ofType, place, argument);
    value.forEach((item, i) => checkValue(item, type.ofType, { ...place, path: `${place.path}[${i}]` }, argument));
    return;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    const fields = type.getFields();
    for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
      if (!Object.hasOwn(fields, name)) continue;
      checkValue(field, fields[name].type, { ...place, coordinate: `${type.name}.${name}`, path: `${place.path}.${name}` }, argument);
    }
    return;
  }
  const scalar = PROJECT_SCALARS.get(type.name);
  checkLeaf(type, place, argument, () => scalar?.parseValue(value), typeof value === 'string' ? value : null);
}

/** Checks a value written in the document, following variables to their values. */
function checkLiteral(node: ValueNode, type: GraphQLInputType, place: Place, argument: string, variables: Variables): void {
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    const label = `Variable "$${name}" (${place.label.charAt(0).toLowerCase()}${place.label.slice(1)})`;
    if (Object.hasOwn(variables.values, name)) return checkValue(variables.values[name], type, { ...place, label }, argument);
    const fallback = variables.definitions.get(name)?.defaultValue;
    if (fallback) checkLiteral(fallback, type, place, argument, variables);
    return;
  }
  if (node.kind === Kind.NULL) return;
  if (isNonNullType(type)) return checkLiteral(node, type.ofType, place, argument, variables);
  if (isListType(type)) {
    if (node.kind !== Kind.LIST) return checkLiteral(node, type.ofType, place, argument, variables);
    node.values.forEach((item, i) => checkLiteral(item, type.ofType, { ...place, path: `${place.path}[${i}]` }, argument, variables));
    return;
  }
  if (isInputObjectType(type)) {
    if (node.kind !== Kind.OBJECT) return;
    const fields = type.getFields();
    for (const field of node.fields) {
      const name = field.name.value;
      if (!Object.hasOwn(fields, name)) continue;
      checkLiteral(field.value, fields[name].type, { ...place, coordinate: `${type.name}.${name}`, path: `${place.path}.${name}` }, argument, variables);
    }
    return;
  }
  const scalar = PROJECT_SCALARS.get(type.name);
  checkLeaf(type, place, argument, () => scalar?.parseLiteral(node, undefined), node.kind === Kind.STRING ? node.value : null);
}

interface Variables {
  values: Record<string, unknown>;
  definitions: Map<string, VariableDefinitionNode>;
}

/** What the walk over one operation needs. */
interface Walk {
  schema: GraphQLSchema;
  variables: Variables;
  fragments: Map<string, FragmentDefinitionNode>;
  /** Fragments already walked: each is checked once, however often it is spread. */
  walked: Set<string>;
}

/** The arguments of one field or directive against their definitions. */
function checkArguments(nodes: readonly ArgumentNode[] | undefined, definitions: readonly GraphQLArgument[], owner: string, label: string, walk: Walk): void {
  if (!nodes) return;
  for (const node of nodes) {
    const argument = definitions.find((d) => d.name === node.name.value);
    if (!argument) continue;
    const name = argument.name;
    checkLiteral(node.value, argument.type, { label: `Argument "${name}" of ${label}`, coordinate: `${owner}(${name}:)`, path: name }, name, walk.variables);
  }
}

function checkDirectives(nodes: readonly DirectiveNode[] | undefined, walk: Walk): void {
  for (const node of nodes ?? []) {
    const directive = walk.schema.getDirective(node.name.value);
    if (directive) checkArguments(node.arguments, directive.args, `@${directive.name}`, `@${directive.name}`, walk);
  }
}

/** The definition of a field selected on `parent`, the introspection fields included. */
function fieldOf(walk: Walk, parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === SchemaMetaFieldDef.name && parent === walk.schema.getQueryType()) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name && parent === walk.schema.getQueryType()) return TypeMetaFieldDef;
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/**
 * Walks the selections (not graphql-js's `visit` with a TypeInfo: this walk only follows fields
 * and fragments, and costs a few microseconds where that cost a few hundred on a profile query).
 */
function checkSelections(selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, walk: Walk): void {
  for (const selection of selectionSet.selections) {
    checkDirectives(selection.directives, walk);
    if (selection.kind === Kind.FIELD) {
      const field = fieldOf(walk, parent, selection.name.value);
      if (!field) continue;
      if (selection.arguments?.length) checkArguments(selection.arguments, field.args, `${parent!.name}.${field.name}`, field.name, walk);
      if (selection.selectionSet) checkSelections(selection.selectionSet, getNamedType(field.type), walk);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      checkSelections(selection.selectionSet, selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent, walk);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.walked.has(name)) continue;
      walk.walked.add(name);
      checkSelections(fragment.selectionSet, walk.schema.getType(fragment.typeCondition.name.value), walk);
    }
  }
}

/**
 * The first argument of an operation that breaks the input contract, as a BAD_USER_INPUT error
 * naming the argument (and the variable, and the path inside an input object), or null. Checks
 * every argument the operation and its fragments give, literals and variables alike:
 * - every string against its length limit (input-limits.ts);
 * - every value of the project's scalars (Date, DateTime) with their one definition (scalars.ts).
 * The value itself is never echoed: it may be record data, or megabytes.
 */
export function argumentError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  values: Record<string, unknown>,
): GraphQLError | null {
  const walk: Walk = {
    schema,
    variables: { values, definitions: new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d])) },
    fragments: new Map(),
    walked: new Set(),
  };
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) walk.fragments.set(d.name.value, d);
  try {
    checkDirectives(operation.directives, walk);
    checkSelections(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, walk);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  return null;
}

/**
 * Refuses an operation whose arguments break the input contract (see `argumentError`) once it is
 * resolved and before it runs: at the gateway, before the query planner or any subgraph; in a
 * subgraph, before any resolver or store. HTTP 400, BAD_USER_INPUT; the audit records INVALID.
 */
export function argumentChecksPlugin<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const error = argumentError(schema, document, operation, request.variables ?? {});
          if (error) throw error;
        },
      };
    },
  };
}
