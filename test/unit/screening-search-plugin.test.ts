import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { LimiterStore } from '../../gateway/src/http/limiter-store';
import { RateLimits } from '../../gateway/src/http/rate-limits';
import { countRootSearches, screeningSearchPlugin } from '../../gateway/src/http/screening-search-plugin';
import type { VerifiedIdentity } from '../../gateway/src/identity/authenticate';
import { createLogger } from '../../platform/src';

const SCREENER: VerifiedIdentity = {
  sub: 'u-screen',
  name: 'Screener',
  ori: 'CA0000000',
  client: 'screening-co',
  scopes: new Set(['person:match', 'criminal_history:employment']),
  purposes: new Set(['I']),
};
const OFFICER: VerifiedIdentity = {
  ...SCREENER,
  sub: 'u-officer',
  client: 'patrol',
  scopes: new Set(['person:read', 'criminal_history:read']),
  purposes: new Set(['C']),
};
const LIMITS = { redisUrl: null, userPerMinute: 1000, clientPerMinute: 1000, lockoutAttempts: 5, lockoutWindowSeconds: 900, lockoutSeconds: 900 };
const SEARCH = 'searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score }';

function operationOf(source: string) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return { document, operation, fragments };
}

/** docs/design.md §4 rule 9: one searchPersons per operation for background-check clients; the quota counts searches. */
describe('the screening search limit', () => {
  it('counts searchPersons at the root, aliases and fragments included', () => {
    const count = (source: string) => {
      const { operation, fragments } = operationOf(source);
      return countRootSearches(operation.selectionSet, fragments);
    };
    expect(count('{ __typename }')).toBe(0);
    expect(count(`{ ${SEARCH} }`)).toBe(1);
    expect(count(`{ a: ${SEARCH} b: ${SEARCH} }`)).toBe(2);
    expect(count(`{ ... on Query { ${SEARCH} } ...s } fragment s on Query { x: ${SEARCH} }`)).toBe(2);
    expect(count(`{ ...s ...s } fragment s on Query { ${SEARCH} }`)).toBe(2);
  });

  const run = async (identity: VerifiedIdentity, source: string, rateLimits: RateLimits) => {
    const { document, operation } = operationOf(source);
    const hooks = (await screeningSearchPlugin(rateLimits).requestDidStart!({} as never)) as { didResolveOperation(x: unknown): Promise<void> };
    return hooks.didResolveOperation({ operation, document, contextValue: { identity } });
  };

  it('takes one point of the daily quota per search, none for an operation without one, and refuses a second search without taking any', async () => {
    const rateLimits = new RateLimits(new LimiterStore(null, createLogger('test', 'silent')), { ...LIMITS, screeningPerDay: 2 });
    await run(SCREENER, '{ __typename }', rateLimits);
    await run(SCREENER, `{ ${SEARCH} }`, rateLimits);
    await expect(run(SCREENER, `{ a: ${SEARCH} b: ${SEARCH} }`, rateLimits)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', http: { status: 403 } },
    });
    await run(SCREENER, `{ ${SEARCH} }`, rateLimits);
    await expect(run(SCREENER, `{ ${SEARCH} }`, rateLimits)).rejects.toMatchObject({
      message: expect.stringContaining('daily quota'),
      extensions: { code: 'RATE_LIMITED' },
    });
  });

  it('leaves criminal-justice callers their several searches and no quota', async () => {
    const rateLimits = new RateLimits(new LimiterStore(null, createLogger('test', 'silent')), { ...LIMITS, screeningPerDay: 1 });
    for (let i = 0; i < 3; i++) await expect(run(OFFICER, `{ a: ${SEARCH} b: ${SEARCH} }`, rateLimits)).resolves.toBeUndefined();
  });
});
