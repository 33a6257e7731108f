import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, isObjectType, parse } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allOf, argumentRule, badUserInput, buildPermissions, callerRule, findPersona, hasScope, type Caller } from '../../access-policy/src';
import { allow } from 'graphql-shield';
import { SUBGRAPH_NAMES } from '../../platform/src';
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

describe('every field of every subgraph has an explicit rule (fallback: deny)', () => {
  it.each(SUBGRAPH_NAMES)('%s', (name) => {
    const module = SUBGRAPHS[name];
    const schema = buildSubgraphSchema({ typeDefs: module.typeDefs, resolvers: module.resolvers as never });
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.keys(type.getFields())) {
        const coordinate = `${type.name}.${field}`;
        if (FEDERATION_FIELDS.has(coordinate)) continue;
        if (!module.accessRules[type.name]?.[field]) missing.push(coordinate);
      }
    }
    expect(missing).toEqual([]);
  });

  it('audit (served by the gateway)', () => {
    const schema = buildSubgraphSchema({ typeDefs: loadSubgraphSdl(AUDIT_SUBGRAPH) });
    const missing = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith('__') && !t.name.startsWith('_'))
      .flatMap((t) => Object.keys((t as import('graphql').GraphQLObjectType).getFields()).map((f) => `${t.name}.${f}`))
      .filter((c) => !FEDERATION_FIELDS.has(c) && !auditAccessRules[c.split('.')[0]]?.[c.split('.')[1]]);
    expect(missing).toEqual([]);
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
    const schema = buildSubgraphSchema({ typeDefs: toySdl('broken: String'), resolvers: { Query: { broken: () => { throw badUserInput('limit must be between 1 and 50'); } } } });
    const result = await graphql({ schema: applyMiddleware(schema, buildPermissions({ Query: { broken: allow }, ...thingRules })), source: '{ broken }', contextValue: {} });
    expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  describe('caller-only rules, decided without shield\'s promise', () => {
    const officer = findPersona('officer')!;
    const caller = { sub: officer.sub, scopes: new Set(officer.scopes), purpose: 'C' } as unknown as Caller;
    const run = (rules: Parameters<typeof buildPermissions>[0], source: string, contextValue: object, resolvers: Record<string, () => unknown>) => {
      const fields = Object.keys(resolvers).map((f) => `${f}: String`).join(' ');
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
        { Query: { both: allOf(hasScope('criminal_history:read'), notOnSunday), callerOnly: allOf(hasScope('criminal_history:read'), hasScope('person:read')) } },
        '{ both callerOnly }',
        { caller },
        { both: () => 'leak', callerOnly: () => 'ok' },
      );
      expect(result.data).toEqual({ both: null, callerOnly: 'ok' });
      expect(result.errors![0].message).toBe('Not authorised to read Query.both');
    });
  });
});
