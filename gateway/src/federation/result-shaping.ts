import * as federation from '@apollo/federation-internals';
import type { CompositeType, NamedType, Operation, Schema, Selection, SelectionSet, Type } from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';
import { dirname } from 'node:path';

// Read once: the package re-exports each name through a getter, and shaping calls these for every
// value of every answer.
const assert: typeof federation.assert = federation.assert;
const { ERRORS, isCompositeType, isListType, isNonNullType, isObjectType, isSubtype, isValidLeafValue, typenameFieldName, Variable } = federation;

/**
 * The last step of every federated answer — @apollo/gateway's result shaping — without its
 * garbage.
 *
 * After the plan's fetches, the gateway copies the merged subgraph data into a fresh response that
 * holds exactly what the operation selected, in its order: key fields and `__typename`s fetched
 * only to join entities are left out here (minimal disclosure depends on it), and a null in a
 * non-null field bubbles up. @apollo/gateway 2.14 does this in `resultShaping.js`, and on a wide
 * answer it made more than half of everything the gateway allocated (bench workload 3: 700 of
 * 1,200 MB sampled in 10 s): an argument object and a result object per value, two filtered
 * directive lists per selection per object for @skip/@include, a filled array then a mapped one
 * per list, and output objects made with `Object.create(null)`, which V8 keeps in its slow
 * dictionary mode (and which JSON.stringify then reads slowly).
 *
 * This is the same algorithm, value for value and error for error, with positional arguments, the
 * two flags kept on the shared parameters instead of a result object, @skip/@include looked for
 * only on selections that carry a directive, and output objects of a class whose prototype is an empty frozen
 * object without a prototype: as safe as `Object.create(null)` against a `__proto__` alias, but in
 * V8's fast mode. `test/unit/result-shaping.test.ts` checks it against @apollo/gateway's own on
 * every case the gateway can meet. Ported from @apollo/gateway (MIT licence, Apollo Graph, Inc.).
 */
export function computeResponse({ operation, variables, input, introspectionHandling }: ShapingInput): ShapingOutput {
  if (!input) return { data: input, errors: [] };
  const schema = operation.schema();
  const parameters: ShapingState = {
    schema,
    variables: Object.assign(Object.create(null) as Record<string, unknown>, operation.collectDefaultedVariableValues(), variables),
    errors: [],
    introspectionHandling,
    invalid: false,
    hasErrors: false,
  };
  const data = new ResponseObject();
  const res = applySelectionSet(input, operation.selectionSet, data, parameters, [], schema.schemaDefinition.rootType(operation.rootKind)!);
  return { data: res === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
}

/** What @apollo/gateway passes to its `computeResponse`. */
export interface ShapingInput {
  operation: Operation;
  variables?: Record<string, unknown>;
  input: Record<string, unknown> | null | undefined;
  introspectionHandling: (selection: Selection) => unknown;
}

/** What @apollo/gateway expects back. */
export interface ShapingOutput {
  data: Record<string, unknown> | null | undefined;
  errors: GraphQLError[];
}

/**
 * Output objects: in V8's fast mode, with nothing inherited. The prototype has no prototype, so no
 * key (`__proto__`, `constructor`, `toString`) means anything but an own field, as with
 * `Object.create(null)`.
 */
const ResponseObject = function ResponseObject(this: object) {} as unknown as new () => Record<string, unknown>;
ResponseObject.prototype = Object.freeze(Object.create(null));

const OK = 0;
const NULL_BUBBLE_UP = 1;

type LeafType = Parameters<typeof isValidLeafValue>[2];
type AppliedDirective = { name: string; arguments(): Record<string, unknown> };

interface ShapingState {
  schema: Schema;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
  introspectionHandling: (selection: Selection) => unknown;
  /** Set by each updateOutputValue call: its value makes the parent invalid (a null in a non-null). */
  invalid: boolean;
  /** Set by each updateOutputValue call: an error was recorded under it. */
  hasErrors: boolean;
}

/** @skip/@include as Apollo's `shouldSkip` reads them; most selections carry no directive at all. */
function shouldSkip(selection: Selection, variables: Record<string, unknown>): boolean {
  const directives = (selection.element as unknown as { appliedDirectives: readonly AppliedDirective[] }).appliedDirectives;
  if (directives.length === 0) return false;
  const skip = directives.find((d) => d.name === 'skip');
  const include = directives.find((d) => d.name === 'include');
  return (!!skip && ifValue(skip, variables)) || (!!include && !ifValue(include, variables));
}

function ifValue(directive: AppliedDirective, variables: Record<string, unknown>): boolean {
  const ifArg = directive.arguments().if;
  if (ifArg instanceof Variable) {
    const value = variables[ifArg.name];
    assert(value !== undefined && typeof value === 'boolean', () => `Unexpected value ${String(value)} for variable ${String(ifArg)} of ${String(directive)}`);
    return value as boolean;
  }
  return ifArg as boolean;
}

function typeConditionApplies(schema: Schema, typeCondition: CompositeType | undefined, typename: string | undefined, parentType: CompositeType): boolean {
  if (!typeCondition) return true;
  if (typename) {
    const type = schema.type(typename);
    return !!type && isSubtype(typeCondition, type as CompositeType);
  }
  return isSubtype(typeCondition, parentType);
}

function applySelectionSet(
  input: Record<string, unknown>,
  selectionSet: SelectionSet,
  output: Record<string, unknown>,
  p: ShapingState,
  path: Array<string | number>,
  parentType: CompositeType,
): number {
  for (const selection of selectionSet.selections()) {
    if (shouldSkip(selection, p.variables)) continue;
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const definition = field.definition;
      const responseName = field.responseName();
      const outputValue = output[responseName];
      if (definition.isSchemaIntrospectionField()) {
        if (outputValue === undefined) output[responseName] = p.introspectionHandling(selection);
        continue;
      }
      let inputValue = (Object.hasOwn(input, responseName) ? input[responseName] : undefined) ?? null;
      if (field.name === typenameFieldName) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== typenameFieldName) inputValue = input[typenameFieldName] ?? null;
          const type: NamedType = inputValue !== null && typeof inputValue === 'string' ? (p.schema.type(inputValue) ?? parentType) : parentType;
          if (!isObjectType(type)) return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      output[responseName] = updateOutputValue(outputValue, definition.type!, inputValue, selection.selectionSet, path, p, parentType);
      path.pop();
      if (p.invalid) return NULL_BUBBLE_UP;
    } else {
      const fragment = selection.element;
      const typename = input[typenameFieldName];
      assert(!typename || typeof typename === 'string', () => `Got unexpected value for __typename: ${String(typename)}`);
      if (typeConditionApplies(p.schema, fragment.typeCondition, typename as string | undefined, parentType)) {
        const res = applySelectionSet(input, selection.selectionSet, output, p, path, fragment.typeCondition ?? parentType);
        if (res === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
      }
    }
  }
  return OK;
}

function pathLastElementDescription(path: Array<string | number>, currentType: Type, parentType: CompositeType): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${String(parentType)}.${element}` : `array element of type ${String(currentType)} at index ${element}`;
}

/** Returns the value to store; leaves `p.invalid` and `p.hasErrors` as @apollo/gateway's result object would have them. */
function updateOutputValue(
  outputValue: unknown,
  type: Type,
  inputValue: unknown,
  selectionSet: SelectionSet | undefined,
  path: Array<string | number>,
  p: ShapingState,
  parentType: CompositeType,
): unknown {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && !selectionSet)) return done(p, outputValue, false, false);
  if (isNonNullType(type)) {
    const updated = updateOutputValue(outputValue, type.ofType, inputValue, selectionSet, path, p, parentType);
    if (updated === null) {
      if (!p.hasErrors) {
        p.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${pathLastElementDescription(path, type.ofType, parentType)}.`, { path: Array.from(path) }));
      }
      return done(p, updated, true, true);
    }
    return done(p, updated, false, false);
  }
  if (inputValue === null) return done(p, null, false, false);
  if (isListType(type)) {
    assert(Array.isArray(inputValue), () => `Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${String(type)}`);
    assert(outputValue === undefined || Array.isArray(outputValue), () => `Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${String(type)}`);
    const outputList = outputValue as unknown[] | undefined;
    const inputList = inputValue as unknown[];
    assert(outputList === undefined || inputList.length === outputList.length, () => `[${String(inputList)}].length (${inputList.length}) !== [${String(outputList)}].length (${outputList!.length})`);
    let shouldNullify = false;
    let hasErrors = false;
    const updated: unknown[] = [];
    for (let i = 0; i < inputList.length; i++) {
      path.push(i);
      updated.push(updateOutputValue(outputList === undefined ? undefined : outputList[i], type.ofType, inputList[i], selectionSet, path, p, parentType));
      path.pop();
      if (p.invalid) shouldNullify = true;
      if (p.hasErrors) hasErrors = true;
    }
    return done(p, shouldNullify ? null : updated, false, hasErrors);
  }
  if (isCompositeType(type)) {
    assert(selectionSet, () => `Invalid empty selection set for composite type ${String(type)}`);
    assert(typeof inputValue === 'object', () => `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type)}`);
    assert(outputValue === undefined || typeof outputValue === 'object', () => `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type)}`);
    const input = inputValue as Record<string, unknown>;
    const inputTypename = input[typenameFieldName];
    assert(inputTypename === undefined || typeof inputTypename === 'string', () => `Invalid non-string value ${String(inputTypename)} for __typename at ${String(path)}`);
    let objType: CompositeType = type;
    if (inputTypename) {
      const typenameType = p.schema.type(inputTypename as string);
      if (!typenameType || !isCompositeType(typenameType)) {
        p.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${pathLastElementDescription(path, type, parentType)}.`, { path: Array.from(path) }));
        return done(p, null, false, true);
      }
      objType = typenameType;
    }
    const outputObject = outputValue === undefined ? new ResponseObject() : (outputValue as Record<string, unknown>);
    const res = applySelectionSet(input, selectionSet!, outputObject, p, path, objType);
    const hasErrors = res === NULL_BUBBLE_UP;
    return done(p, hasErrors ? null : outputObject, false, hasErrors);
  }
  assert(outputValue === undefined, () => `Excepted output to be undefined but got ${String(type)} for type ${String(type)}`);
  // An output type that is neither list nor composite is a leaf: a scalar or an enum.
  const isValidValue = isValidLeafValue(p.schema, inputValue, type as LeafType);
  if (!isValidValue) {
    p.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${pathLastElementDescription(path, type, parentType)}.`, { path: Array.from(path) }));
  }
  return done(p, isValidValue ? inputValue : null, false, !isValidValue);
}

function done(p: ShapingState, value: unknown, invalid: boolean, hasErrors: boolean): unknown {
  p.invalid = invalid;
  p.hasErrors = hasErrors;
  return value;
}

/** @apollo/gateway's own module, whose export its executor calls on every operation. */
interface ApolloResultShaping {
  computeResponse: (input: ShapingInput) => ShapingOutput;
}

/**
 * Puts this shaping in place of @apollo/gateway's. Its executor calls `computeResponse` through the
 * module's exports object at each operation, so replacing the export is enough. Throws if the
 * module no longer has that export (an upgrade moved it), or if @apollo/gateway resolves another
 * copy of @apollo/federation-internals than this module (a `Variable` of its operations would not
 * be one of ours): better to stop at start-up than to run silently on a change a test vouches for.
 */
export function installResultShaping(): void {
  const gatewayDir = dirname(require.resolve('@apollo/gateway/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const internals = require(require.resolve('@apollo/federation-internals', { paths: [gatewayDir] })) as { Variable: unknown };
  if (internals.Variable !== Variable) throw new Error('@apollo/gateway uses another copy of @apollo/federation-internals than the result shaping');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const apollo = require('@apollo/gateway/dist/resultShaping') as ApolloResultShaping;
  if (typeof apollo.computeResponse !== 'function') throw new Error('@apollo/gateway no longer exports computeResponse from dist/resultShaping');
  apollo.computeResponse = computeResponse;
}
