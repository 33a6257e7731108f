import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Supergraph } from '@apollo/federation-internals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLScalarType, parse, printSchema, type GraphQLFieldResolver } from 'graphql';
import { readFileSync } from 'node:fs';
import { findPersona, type Caller, type PurposeCode, SUBGRAPH_NAMES, type SubgraphName } from '../../access-policy/src';
import { DisclosureLog, storeLocationFrom, systemClock, type PeerAccess, type StoreBase } from '../../platform/src';
import { supergraphPath } from '../../schema/subgraphs';
import { SUBGRAPHS } from '../../subgraphs';

type Resolvers = Record<string, Record<string, unknown>>;

/**
 * Configuration (c): the same resolvers and stores in one Apollo Server, without federation
 * (no gateway, no query plan, no subgraph HTTP hops) — and, like (b), without the shield or the
 * audit, so that (b)/(c) is the cost of federation alone. The caller is a sandbox persona named by
 * `x-bench-persona` (default officer); there is no authentication.
 */
async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 4090);
  const location = storeLocationFrom(process.env.DATABASE_URL ?? '', process.env.DATA_DIR ?? 'data');
  const stores = {} as Record<SubgraphName, StoreBase>;
  for (const name of SUBGRAPH_NAMES) stores[name] = await SUBGRAPHS[name].openStore(location);

  // Each module's resolvers see the context they were written for: their own store and loaders.
  const resolvers: Resolvers = {};
  for (const name of SUBGRAPH_NAMES) {
    for (const [type, fields] of Object.entries(SUBGRAPHS[name].resolvers as unknown as Resolvers)) {
      if (fields instanceof GraphQLScalarType) {
        resolvers[type] = fields as never;
        continue;
      }
      resolvers[type] ??= {};
      for (const [field, fn] of Object.entries(fields)) {
        if (field === '__resolveReference' || typeof fn !== 'function') continue;
        resolvers[type][field] = ((parent, args, ctx, info) =>
          (fn as GraphQLFieldResolver<unknown, unknown>)(parent, args, ctx.sub[name], info)) as GraphQLFieldResolver<unknown, { sub: Record<string, unknown> }>;
      }
    }
  }
  // Where a subgraph hands back a reference to another's entity, the monolith loads it.
  const person = (id: string | null, ctx: { sub: Record<SubgraphName, { loaders: { person: { load(id: string): Promise<unknown> } } }> }) =>
    id ? ctx.sub['criminal-history'].loaders.person.load(id) : null;
  resolvers.ProtectiveOrder.restrainedPerson = (o: { restrainedPersonId: string }, _a: unknown, ctx: never) => person(o.restrainedPersonId, ctx);
  resolvers.ProtectedParty.person = (p: { personId: string | null }, _a: unknown, ctx: never) => person(p.personId, ctx);
  resolvers.Alert.subject = (a: { subjectId: string | null }, _a: unknown, ctx: never) => person(a.subjectId, ctx);

  const apiSchema = Supergraph.build(readFileSync(supergraphPath(), 'utf8')).apiSchema().toGraphQLJSSchema();
  const schema = buildSubgraphSchema({ typeDefs: parse(printSchema(apiSchema)), resolvers: resolvers as never });
  const noPeers: PeerAccess = { has: () => false, call: () => Promise.reject(new Error('no peers in the monolith')) };
  const server = new ApolloServer({ schema, introspection: false, plugins: [ApolloServerPluginLandingPageDisabled()] });
  await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: async ({ req }) => {
      const p = findPersona(String(req.headers['x-bench-persona'] ?? 'officer')) ?? findPersona('officer')!;
      const purpose = (String(req.headers['x-purpose-code'] ?? p.defaultPurpose ?? '') || null) as PurposeCode | null;
      const caller: Caller = {
        sub: p.sub,
        name: p.name,
        ori: p.ori,
        client: p.client,
        scopes: new Set(p.scopes),
        purposes: new Set(p.purposes),
        purpose,
        reason: (req.headers['x-reason'] as string | undefined) ?? null,
        requestId: 'bench',
      };
      const sub = {} as Record<SubgraphName, unknown>;
      for (const name of SUBGRAPH_NAMES) {
        sub[name] = {
          caller,
          store: stores[name],
          clock: systemClock,
          disclosure: new DisclosureLog(),
          peers: noPeers,
          loaders: SUBGRAPHS[name].createLoaders(stores[name] as never, caller, systemClock),
        };
      }
      return { sub };
    },
  });
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((error: Error) => {
  console.error(`bench monolith failed: ${error.message}`);
  process.exit(1);
});
