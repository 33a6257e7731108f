import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, isObjectType, parse, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import {
  accessAllows,
  allOf,
  argumentRule,
  badUserInput,
  buildPermissions,
  callerPredicateOf,
  callerRule,
  declaredRules,
  findPersona,
  hasScope,
  readFieldAccess,
  Scope,
  SUBGRAPH_NAMES,
  type Caller,
  type PurposeCode,
} from '../../access-policy/src';
import { allow } from 'graphql-shield';
import { SUBGRAPHS } from '../../subgraphs';
import { AUDIT_SUBGRAPH, loadSubgraphSdl } from '../../schema/subgraphs';
import { auditAccessRules } from '../../gateway/src/audit/audit-access-rules';

/** Federation's fields, whose rules access-policy/src/permissions.ts adds for every subgraph. */
const FEDERATION_FIELDS = new Set(['Query._entities', 'Query._service', '_Service.sdl']);

/** A minimal subgraph with an entity, so federation's fields exist as in the real ones. */
const toySdl = (fields: string) =>
  parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query { ${fields} }
    type Thing @key(fields: "id") { id: ID! }`);
const thingRules = { Thing: { id: allow } };

/** Every field of a subgraph's schema but federation's own, as `Type.field`. */
function fieldsOf(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'))
    .flatMap((t) => Object.keys(t.getFields()).map((f) => `${t.name}.${f}`))
    .filter((c) => !FEDERATION_FIELDS.has(c));
}

/** Every combination of scopes and purposes a rule could tell apart (all scopes, every purpose, none). */
function everyCaller(): Array<Pick<Caller, 'scopes' | 'purpose'>> {
  const scopes = Object.values(Scope) as string[];
  const purposes: Array<PurposeCode | null> = [null, 'A', 'C', 'D', 'F', 'I', 'X'];
  const callers: Array<Pick<Caller, 'scopes' | 'purpose'>> = [];
  for (let mask = 0; mask < 1 << scopes.length; mask++) {
    const held = new Set(scopes.filter((_, i) => mask & (1 << i)));
    for (const purpose of purposes) callers.push({ scopes: held, purpose });
  }
  return callers;
}

describe('every field of every subgraph declares who may read it in its SDL (@access), and has a rule (fallback: deny)', () => {
  it.each(SUBGRAPH_NAMES)('%s: every field is declared in schema/%s.graphql and ruled', (name) => {
    const module = SUBGRAPHS[name];
    const schema = buildSubgraphSchema({ typeDefs: module.typeDefs, resolvers: module.resolvers as never });
    const declared = readFieldAccess(loadSubgraphSdl(name));
    const undeclared = fieldsOf(schema).filter((c) => !declared.has(c));
    const unruled = fieldsOf(schema).filter((c) => !module.accessRules[c.split('.')[0]]?.[c.split('.')[1]]);
    expect({ undeclared, unruled }).toEqual({ undeclared: [], unruled: [] });
  });

  it.each(SUBGRAPH_NAMES)("%s: the shield rule table is the SDL's (no field ruled that the SDL does not declare)", (name) => {
    const declared = readFieldAccess(loadSubgraphSdl(name));
    const ruled = Object.entries(SUBGRAPHS[name].accessRules).flatMap(([type, fields]) => Object.keys(fields).map((f) => `${type}.${f}`));
    expect(ruled.filter((c) => !declared.has(c))).toEqual([]);
  });

  it.each(SUBGRAPH_NAMES)('%s: each caller-only rule lets in exactly the callers its declaration names', (name) => {
    const declared = readFieldAccess(loadSubgraphSdl(name));
    const callers = everyCaller();
    const differing: string[] = [];
    for (const [coordinate, access] of declared) {
      const predicate = callerPredicateOf(SUBGRAPHS[name].accessRules[coordinate.split('.')[0]][coordinate.split('.')[1]]);
      if (!predicate) continue; // a row or argument rule on top: shield decides it per record
      const wrong = callers.find((c) => predicate(c as Caller) !== accessAllows(access, c));
      if (wrong) differing.push(`${coordinate} for ${[...wrong.scopes].join(' ')} / ${wrong.purpose}`);
    }
    expect(differing).toEqual([]);
  });

  it('audit (served by the gateway): every field declared, and its rule table checked equal to schema/audit.graphql', () => {
    const schema = buildSubgraphSchema({ typeDefs: loadSubgraphSdl(AUDIT_SUBGRAPH) });
    const declared = readFieldAccess(loadSubgraphSdl(AUDIT_SUBGRAPH));
    const fields = fieldsOf(schema).filter((c) => !c.startsWith('_'));
    expect(fields.filter((c) => !declared.has(c))).toEqual([]);
    const differing = fields.filter((c) => {
      const predicate = callerPredicateOf(auditAccessRules[c.split('.')[0]]?.[c.split('.')[1]]);
      return !predicate || everyCaller().some((caller) => predicate(caller as Caller) !== accessAllows(declared.get(c), caller));
    });
    expect(differing).toEqual([]);
  });

  it('a row rule may only tighten a field the SDL declares: one for an undeclared field is refused at start-up', () => {
    const sdl = parse(`type Query { declared: String @access(anyOf: [["person:read"]]) undeclared: String }`);
    expect(() => declaredRules(sdl, { Query: { undeclared: allow } })).toThrow('Query.undeclared');
    expect(declaredRules(sdl).Query.undeclared).toBeUndefined();
  });

  it('reads a declaration as alternatives: criminal_history:read, or criminal_history:employment with purpose I', () => {
    const access = readFieldAccess(parse(`type T { f: String @access(anyOf: [["criminal_history:read"], ["criminal_history:employment", "purpose:I"]]) }`)).get(
      'T.f',
    );
    const screener = findPersona('employment-screener')!;
    const dispatcher = findPersona('dispatcher')!;
    expect(accessAllows(access, { scopes: new Set(screener.scopes), purpose: 'I' })).toBe(true);
    expect(accessAllows(access, { scopes: new Set(screener.scopes), purpose: 'C' })).toBe(false);
    expect(accessAllows(access, { scopes: new Set(dispatcher.scopes), purpose: 'C' })).toBe(false);
    expect(() => readFieldAccess(parse(`type T { f: String @access(anyOf: [["purpose:R2"]]) }`))).toThrow('T.f');
  });

  it('denies, with FORBIDDEN naming the field, a field that has no rule', async () => {
    const schema = buildSubgraphSchema({
      typeDefs: toySdl('ruled: String unruled: String'),
      resolvers: { Query: { ruled: () => 'ok', unruled: () => 'leak' } },
    });
    const guarded = applyMiddleware(schema, buildPermissions({ Query: { ruled: allow }, ...thingRules }));
    const result = await graphql({ schema: guarded, source: '{ ruled unruled }', contextValue: {} });
    expect(result.data).toEqual({ ruled: 'ok', unruled: null });
    expect(result.errors![0].message).toBe('Not authorised to read Query.unruled');
    expect(result.errors![0].extensions.code).toBe('FORBIDDEN');
  });

  it("lets a resolver's own error through as itself, not as a denial (allowExternalErrors)", async () => {
    const schema = buildSubgraphSchema({
      typeDefs: toySdl('broken: String'),
      resolvers: {
        Query: {
          broken: () => {
            throw badUserInput('limit must be between 1 and 50');
          },
        },
      },
    });
    const result = await graphql({
      schema: applyMiddleware(schema, buildPermissions({ Query: { broken: allow }, ...thingRules })),
      source: '{ broken }',
      contextValue: {},
    });
    expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  describe("caller-only rules, decided without shield's promise", () => {
    const officer = findPersona('officer')!;
    const caller = { sub: officer.sub, scopes: new Set(officer.scopes), purpose: 'C' } as unknown as Caller;
    const run = (rules: Parameters<typeof buildPermissions>[0], source: string, contextValue: object, resolvers: Record<string, () => unknown>) => {
      const fields = Object.keys(resolvers)
        .map((f) => `${f}: String`)
        .join(' ');
      const schema = buildSubgraphSchema({ typeDefs: toySdl(fields), resolvers: { Query: resolvers } });
      return graphql({ schema: applyMiddleware(schema, buildPermissions({ ...rules, ...thingRules })), source, contextValue });
    };

    it('serves what the caller may read and refuses the rest with FORBIDDEN', async () => {
      const result = await run(
        { Query: { mine: hasScope('criminal_history:read'), sealed: hasScope('criminal_history:sealed') } },
        '{ mine sealed }',
        { caller },
        { mine: () => 'ok', sealed: () => 'leak' },
      );
      expect(result.data).toEqual({ mine: 'ok', sealed: null });
      expect(result.errors!.map((e) => [e.message, e.extensions.code])).toEqual([['Not authorised to read Query.sealed', 'FORBIDDEN']]);
    });

    it('denies when a rule cannot decide (no caller, or a predicate that throws)', async () => {
      const throwing = callerRule('throwsForTest', () => {
        throw new Error('boom');
      });
      const noCaller = await run({ Query: { mine: hasScope('criminal_history:read') } }, '{ mine }', {}, { mine: () => 'leak' });
      expect(noCaller.data).toEqual({ mine: null });
      expect(noCaller.errors![0].extensions.code).toBe('FORBIDDEN');
      const thrown = await run({ Query: { odd: throwing } }, '{ odd }', { caller }, { odd: () => 'leak' });
      expect(thrown.data).toEqual({ odd: null });
      expect(thrown.errors![0].extensions.code).toBe('FORBIDDEN');
    });

    it('still asks shield for rules that read arguments, combined with caller rules', async () => {
      const notOnSunday = argumentRule('argumentForTest', () => false);
      const result = await run(
        {
          Query: { both: allOf(hasScope('criminal_history:read'), notOnSunday), callerOnly: allOf(hasScope('criminal_history:read'), hasScope('person:read')) },
        },
        '{ both callerOnly }',
        { caller },
        { both: () => 'leak', callerOnly: () => 'ok' },
      );
      expect(result.data).toEqual({ both: null, callerOnly: 'ok' });
      expect(result.errors![0].message).toBe('Not authorised to read Query.both');
    });
  });
});
