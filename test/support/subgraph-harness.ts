import { graphql, type ExecutionResult } from 'graphql';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPersona, type Caller, type PurposeCode, type SubgraphName } from '../../access-policy/src';
import { DisclosureLog, fixedClock, peerAccessFor, type Clock, type StoreBase } from '../../platform/src';
import { buildSubgraphExecutableSchema } from '../../platform/src/subgraph/serve-subgraph';
import { buildFixtures } from '../../seed/src/fixtures';
import { SUBGRAPHS } from '../../subgraphs';

/** The seed date the fixture stores are built with, and the clock these tests run at. */
export const FIXTURE_T = new Date('2026-06-15T12:00:00.000Z');

/** The caller a persona's token (with its default purpose, unless overridden) would carry. */
export function personaCaller(persona: string, purpose?: PurposeCode | null, reason?: string | null): Caller {
  const p = findPersona(persona);
  if (!p) throw new Error(`unknown persona ${persona}`);
  return {
    sub: p.sub,
    name: p.name,
    ori: p.ori,
    client: p.client,
    scopes: new Set(p.scopes),
    purposes: new Set(p.purposes),
    purpose: purpose === undefined ? p.defaultPurpose : purpose,
    reason: reason === undefined ? p.defaultReason : reason,
    requestId: 'test',
  };
}

/**
 * One subgraph's executable schema (resolvers under its access rules) over a fresh SQLite store
 * holding the docs/design.md §6 fixtures, executed directly: the resolver and rule tests' workbench.
 */
export async function openSubgraph(name: SubgraphName, clock: Clock = fixedClock(FIXTURE_T)) {
  const module = SUBGRAPHS[name] as (typeof SUBGRAPHS)['criminal-history'];
  const store = await module.openStore({ kind: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), `custodian-${name}-`)) });
  const fixtures = buildFixtures(FIXTURE_T);
  if (name === 'criminal-history') await store.insertSeed(fixtures.criminalHistory);
  if (name === 'orders') await (store as unknown as { insertSeed(x: unknown): Promise<void> }).insertSeed(fixtures.orders);
  if (name === 'alerts') await (store as unknown as { insertSeed(x: unknown): Promise<void> }).insertSeed(fixtures.alerts);
  const schema = buildSubgraphExecutableSchema(module);
  return {
    store: store as unknown as StoreBase,
    async execute(
      caller: Caller,
      source: string,
      variableValues?: Record<string, unknown>,
    ): Promise<{ data?: Record<string, any> | null; errors?: ExecutionResult['errors'] }> {
      const contextValue = {
        caller,
        store,
        clock,
        disclosure: new DisclosureLog(),
        peers: peerAccessFor(() => undefined, {}),
        loaders: module.createLoaders(store, caller, clock),
      };
      const result = await graphql({ schema, source, variableValues, contextValue });
      return result;
    },
    close: () => store.close(),
  };
}
