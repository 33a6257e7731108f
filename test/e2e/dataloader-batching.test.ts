import type { SubgraphName } from '../../access-policy/src';
import { startStack, type Stack } from '../support/stack';

/**
 * DataLoader everywhere a list fans out: the number of store statements per request must not
 * grow with the number of persons in the answer. Counted on the real stores, through the real
 * gateway and HTTP, with the services running inside the test process so their counters are readable.
 */
describe('store calls per request do not grow with the result', () => {
  let stack: Stack;
  beforeAll(async () => {
    // 10,000 persons: 77 SMITHs, so a search for SMITH takes the exact-spelling path at limit 50
    // too, and SMYTHE (spelled so by no one) the sound-alike path at every limit.
    stack = await startStack({ mode: 'in-process', persons: 10_000 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function countStatements(run: () => Promise<unknown>): Promise<Record<SubgraphName, number>> {
    const before = Object.fromEntries(Object.entries(stack.stores).map(([k, s]) => [k, s.stats.statements]));
    await run();
    return Object.fromEntries(Object.entries(stack.stores).map(([k, s]) => [k, s.stats.statements - before[k]])) as Record<SubgraphName, number>;
  }

  const wideSearch = (limit: number, lastName = 'SMITH') => /* GraphQL */ `{
    searchPersons(lastName: "${lastName}", limit: ${limit}) {
      score
      person {
        id name { last first }
        criminalHistory { arrests { date charges { statute disposition { type } } } convictions { statute } }
        protectiveOrders { id status protectedParties { relationship } }
        protectedBy { id }
        alerts { id type caution { codes } }
      }
    }
  }`;

  it('fetches the persons of an _entities batch with one store query per subgraph', async () => {
    let persons = 0;
    const counts = await countStatements(async () => {
      const { body } = await stack.query('officer', '{ searchPersons(lastName: "SMITH", limit: 50) { person { protectiveOrders { id } alerts { id } } } }');
      expect(body.errors).toBeUndefined();
      persons = body.data!.searchPersons.length;
    });
    expect(persons).toBe(50);
    expect(counts.orders).toBe(1);
    expect(counts.alerts).toBe(1);
  });

  // One statement per loader at most, whatever the width: an N+1 would cost 50 here. (Narrow and
  // wide answers may differ by a loader that had nothing to load — no order among five persons.)
  it.each([
    ['SMITH', 5],
    ['SMYTHE', 6],
  ])(
    'costs no more store queries for searchPersons(lastName: %s, limit: 50) than for limit: 5, with arrests, orders and alerts nested',
    async (lastName, criminalHistoryStatements) => {
      const small = await countStatements(async () => {
        const { body } = await stack.query('officer', wideSearch(5, lastName));
        expect(body.errors).toBeUndefined();
        expect(body.data!.searchPersons).toHaveLength(5);
      });
      let wide: unknown[] = [];
      const large = await countStatements(async () => {
        const { body } = await stack.query('officer', wideSearch(50, lastName));
        expect(body.errors).toBeUndefined();
        wide = body.data!.searchPersons;
      });
      expect(wide).toHaveLength(50);
      // criminal-history: exactly-spelled candidates + their aliases (SMITH: these settle it), or
      // for SMYTHE the exact lookup (no one) then sound-alike candidates + their aliases; then
      // arrests, charges, convictions. (The persons returned are answered from their candidate rows.)
      expect(small['criminal-history']).toBe(criminalHistoryStatements);
      expect(large['criminal-history']).toBe(criminalHistoryStatements);
      // orders: restraining, protecting, parties; alerts: one.
      expect(large.orders).toBeLessThanOrEqual(3);
      expect(small.orders).toBeLessThanOrEqual(large.orders);
      expect(large.alerts).toBe(1);
      expect(small.alerts).toBe(1);
    },
  );
});
