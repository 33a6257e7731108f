import {
  buildSchema,
  isCompositeType,
  isEnumType,
  isListType,
  isNonNullType,
  operationFromDocument,
  Supergraph,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { computeResponse, installResultShaping, type ShapingInput } from '../../gateway/src/federation/result-shaping';
import { supergraphPath } from '../../schema/subgraphs';
import { wideSearch } from '../../bench/lib/workloads';
import { EMPLOYMENT_SCREENING, OFFICER_PROFILE } from '../../gateway/src/explorer/example-operations';

/**
 * The gateway's result shaping must answer exactly as @apollo/gateway's: the same data, key for
 * key and in the same order, the same errors at the same paths, the same exceptions. Both run on
 * the same inputs: the merged data of a plan's fetches, with the extra key fields, `__typename`s,
 * nulls, wrong types and skipped selections a subgraph can hand back.
 */
// @apollo/gateway's own, read before anything in this file installs ours in its place.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const apollo = (require('@apollo/gateway/dist/resultShaping') as { computeResponse: unknown }).computeResponse;

function outcome(shape: (input: ShapingInput) => { data: unknown; errors: Array<{ message: string; extensions?: unknown; path?: unknown }> }, input: ShapingInput) {
  try {
    const { data, errors } = shape(input);
    return { data: JSON.stringify(data), errors: errors.map((e) => ({ message: e.message, path: e.path, code: (e.extensions as { code?: string })?.code })) };
  } catch (error) {
    return { thrown: (error as Error).message };
  }
}

function expectSame(operation: Operation, input: Record<string, unknown> | null, variables: Record<string, unknown> = {}) {
  const args = (): ShapingInput => ({ operation, variables, input: input === null ? null : structuredClone(input), introspectionHandling: () => ({ introspected: true }) });
  const expected = outcome(apollo as never, args());
  expect(outcome(computeResponse as never, args())).toEqual(expected);
  return expected;
}

const apiSchema = Supergraph.build(readFileSync(supergraphPath(), 'utf8')).apiSchema();
const op = (schema: Schema, query: string) => operationFromDocument(schema, parse(query));

/** A deterministic random source, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * Input data for an operation as subgraphs could return it: mostly well formed, with extra fields
 * (keys fetched for joins), `__typename`s right, wrong or missing, nulls where the schema allows
 * them and where it does not, and now and then a value of the wrong kind.
 */
function inputFor(schema: Schema, selectionSet: SelectionSet, rand: () => number, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rand() < 0.3) out.__typename = rand() < 0.85 ? selectionSet.parentType.name : rand() < 0.5 ? 'NoSuchType' : 'String';
  if (rand() < 0.3) out.id = `extra-${depth}`;
  if (rand() < 0.2) out.unrequested = { secret: 'not selected' };
  for (const selection of selectionSet.selections()) {
    if (selection.kind === 'FragmentSelection') {
      Object.assign(out, inputFor(schema, selection.selectionSet, rand, depth + 1));
      continue;
    }
    const field = selection.element;
    if (field.name === '__typename') {
      if (rand() < 0.7) out[field.responseName()] = selectionSet.parentType.name;
      continue;
    }
    if (rand() < 0.03) continue; // missing altogether
    out[field.responseName()] = valueFor(schema, field.definition.type!, selection.selectionSet, rand, depth + 1);
  }
  return out;
}

function valueFor(schema: Schema, type: Type, selectionSet: SelectionSet | undefined, rand: () => number, depth: number): unknown {
  if (rand() < (isNonNullType(type) ? 0.04 : 0.15)) return null;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (rand() < 0.02) return 'not a list';
    return Array.from({ length: Math.floor(rand() * 4) }, () => valueFor(schema, inner.ofType, selectionSet, rand, depth));
  }
  if (isCompositeType(inner)) {
    if (rand() < 0.02) return 42;
    return depth > 8 ? {} : inputFor(schema, selectionSet!, rand, depth);
  }
  if (rand() < 0.04) return { not: 'a leaf' };
  if (isEnumType(inner)) return rand() < 0.9 ? inner.values[Math.floor(rand() * inner.values.length)].name : 'NOT_A_VALUE';
  switch (inner.name) {
    case 'Int':
      return rand() < 0.9 ? Math.floor(rand() * 100) : 'seven';
    case 'Boolean':
      return rand() < 0.9 ? rand() < 0.5 : 'yes';
    case 'Float':
      return rand() * 10;
    default:
      return rand() < 0.95 ? `v${Math.floor(rand() * 1000)}` : 7;
  }
}

describe('result shaping: the same answers as @apollo/gateway, with less garbage', () => {
  const operations: Array<[string, string]> = [
    ['officer profile', OFFICER_PROFILE],
    ['employment screening', EMPLOYMENT_SCREENING],
    ['wide search', wideSearch(50)],
  ];

  it.each(operations)('shapes the %s exactly as @apollo/gateway does, on 300 inputs of every shape', (_name, query) => {
    const operation = op(apiSchema, query);
    const rand = random(query.length);
    const messages: string[] = [];
    for (let i = 0; i < 300; i++) {
      const result = expectSame(operation, inputFor(apiSchema, operation.selectionSet, rand), { id: 'A10000001' });
      messages.push(...(result.errors ?? []).map((e) => e.message), ...(result.thrown ? [result.thrown] : []));
    }
    // The inputs reach the paths that matter: nulls bubbling out of non-null fields, bad values, bad types.
    expect(messages.filter((m) => m.startsWith('Cannot return null for non-nullable')).length).toBeGreaterThan(10);
    expect(messages.filter((m) => m.startsWith('Invalid value found')).length).toBeGreaterThan(10);
    expect(messages.filter((m) => m.startsWith('Invalid __typename')).length).toBeGreaterThan(0);
  });

  // A schema with what today's API has not: unions, interfaces, lists of lists, non-null lists.
  const schema = buildSchema(`
    type Query { node(id: ID!): Node  things: [Thing!]!  grid: [[Cell]]  must: Cell! }
    interface Node { id: ID! }
    type Person implements Node { id: ID! name: String! friends: [Node] }
    type Order implements Node { id: ID! status: Status owner: Person }
    union Thing = Person | Order
    type Cell { v: Int! label: String }
    enum Status { ACTIVE EXPIRED }
  `);
  const shapes: Array<[string, string]> = [
    ['interfaces and fragments', `query($s: Boolean!, $i: Boolean!) { node(id: "1") { id ... on Person { name friends { id ... on Order { status } } } ...O @skip(if: $s) } } fragment O on Order { status owner @include(if: $i) { name } }`],
    ['unions with aliases', `{ things { __typename ... on Person { who: name id } ... on Order { id status x: owner { id } } } }`],
    ['lists of lists', `{ grid { v label } must { v } }`],
    ['aliases of __typename', `{ t: __typename node(id: "1") { kind: __typename id } }`],
  ];
  it.each(shapes)('shapes %s exactly as @apollo/gateway does', (_name, query) => {
    const operation = op(schema, query);
    const rand = random(query.length * 7);
    for (let i = 0; i < 300; i++) {
      for (const variables of [{ s: true, i: true }, { s: false, i: false }]) expectSame(operation, inputFor(schema, operation.selectionSet, rand), variables);
    }
  });

  it('leaves out what was fetched only to join, and keeps the order the operation asked for', () => {
    const operation = op(apiSchema, '{ person(id: "A1") { dateOfBirth name { last first } } }');
    const input = { person: { __typename: 'Person', id: 'A1', name: { first: 'ANA', last: 'ROE', middle: 'Q' }, dateOfBirth: '1990-01-01' } };
    const { data, errors } = computeResponse({ operation, variables: {}, input, introspectionHandling: () => null });
    expect(errors).toEqual([]);
    expect(JSON.stringify(data)).toBe('{"person":{"dateOfBirth":"1990-01-01","name":{"last":"ROE","first":"ANA"}}}');
  });

  it('makes output objects on which no key means anything but an own field, as Object.create(null) does', () => {
    const operation = op(schema, '{ node(id: "1") { __proto__: id constructor: id toString: id } }');
    const input = { node: { __typename: 'Person', __proto__: 'a', constructor: 'b', toString: 'c' } };
    Object.defineProperty(input.node, '__proto__', { value: 'a', enumerable: true });
    const node = (computeResponse({ operation, variables: {}, input, introspectionHandling: () => null }).data as { node: Record<string, unknown> }).node;
    expect(Object.keys(node)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(node.constructor).toBe('b');
    expect(Object.getPrototypeOf(Object.getPrototypeOf(node))).toBeNull();
    expect(Object.isFrozen(Object.getPrototypeOf(node))).toBe(true);
  });

  it('is what the gateway runs once installed', () => {
    installResultShaping();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect((require('@apollo/gateway/dist/resultShaping') as { computeResponse: unknown }).computeResponse).toBe(computeResponse);
    // The comparisons above ran against Apollo's own, never ours against ours.
    expect(apollo).not.toBe(computeResponse);
  });
});
