import type { SubgraphName } from '../../platform/src';
import { startStack, type Stack } from '../support/stack';

/**
 * DataLoader everywhere a list fans out: the number of store statements per request must not
 * grow with the number of persons in the answer. Counted on the real stores, through the real
 * gateway and HTTP, with the services running inside the test process so their counters are readable.
 */
describe('store calls per request do not grow with the result', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode: 'in-process', persons: 3000 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function countStatements(run: () => Promise<unknown>): Promise<Record<SubgraphName, number>> {
    const before = Object.fromEntries(Object.entries(stack.stores).map(([k, s]) => [k, s!.stats.statements]));
    await run();
    return Object.fromEntries(Object.entries(stack.stores).map(([k, s]) => [k, s!.stats.statements - before[k]])) as Record<SubgraphName, number>;
  }

  const wideSearch = (limit: number) => /* GraphQL */ `{
    searchPersons(lastName: "SMITH", limit: ${limit}) {
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

  it('costs the same number of store queries for searchPersons(limit: 50) as for limit: 5, with arrests, orders and alerts nested', async () => {
    const small = await countStatements(async () => {
      const { body } = await stack.query('officer', wideSearch(5));
      expect(body.errors).toBeUndefined();
      expect(body.data!.searchPersons).toHaveLength(5);
    });
    let wide: unknown[] = [];
    const large = await countStatements(async () => {
      const { body } = await stack.query('officer', wideSearch(50));
      expect(body.errors).toBeUndefined();
      wide = body.data!.searchPersons;
    });
    expect(wide).toHaveLength(50);
    expect(large).toEqual(small);
    // candidates + their aliases + the persons returned + arrests + charges + convictions;
    // orders: restraining, protecting, parties; alerts: one.
    expect(large['criminal-history']).toBeLessThanOrEqual(6);
    expect(large.orders).toBeLessThanOrEqual(3);
    expect(large.alerts).toBe(1);
  });
});
