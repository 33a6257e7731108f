import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { startStack, type Stack } from '../support/stack';
import { callerClaims, fakeIdentityProvider } from '../support/tokens';

/**
 * graphql-cop's checks (github.com/dolevf/graphql-cop, `lib/tests/`), each sending the request the
 * tool sends and judging the answer by the tool's own criterion. graphql-cop is a Python tool and
 * PyPI is not reachable from CI; npm has no port of it. So the checks are written out here (the
 * same requests and criteria, in this project's words) and run against a sandbox and a production
 * stack. Like the tool, every request carries the caller's `Authorization` header (its `-H`):
 * without one the gateway answers 401 to everything and every check would pass for nothing.
 */
interface Target {
  /** The GraphQL endpoint, as given to graphql-cop with `-t`. */
  url: string;
  /** The server's root, where the sandbox serves its explorer. */
  root: string;
  /** graphql-cop's own header plus the caller's. */
  headers: Record<string, string>;
}

type Json = Record<string, any> | any[] | null;

async function request(
  target: Target,
  init: { method?: string; path?: string; query?: Record<string, string>; body?: BodyInit; json?: unknown; headers?: Record<string, string> } = {},
) {
  const url = new URL(init.path ? new URL(init.path, target.root) : target.url);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...target.headers, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const res = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.json !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

/** graphql-cop's `graph_query`: a JSON POST of `{ query, operationName: "cop" }`. */
const graphQuery = (target: Target, query: string) => request(target, { json: { query, operationName: 'cop' } });
const dataOf = (json: Json, key: string) => (json && !Array.isArray(json) ? json.data?.[key] : undefined);
const errorsOf = (json: Json): any[] => (json && !Array.isArray(json) && Array.isArray(json.errors) ? json.errors : []);

/** Each check: its title in graphql-cop's report, and whether the target shows the weakness. */
const CHECKS: Record<string, (t: Target) => Promise<boolean>> = {
  'Field Suggestions': async (t) => /Did you mean/.test(errorsOf((await graphQuery(t, 'query cop { __schema { directive } }')).json)[0]?.message ?? ''),
  Introspection: async (t) => !!dataOf((await graphQuery(t, 'query cop { __schema { types { name fields { name } } } }')).json, '__schema')?.types,
  'GraphQL IDE': async (t) => {
    // graphql-cop asks the endpoint for HTML; the sandbox's explorer lives at the root, so ask there too.
    const heuristics = ['graphiql.min.css', 'GraphQL Playground', 'GraphiQL', 'graphql-playground'];
    for (const path of [undefined, '/']) {
      const { text } = await request(t, { path, headers: { accept: 'text/html' } });
      if (heuristics.some((h) => text.includes(h))) return true;
    }
    return false;
  },
  'GET Method Query Support': async (t) => !!dataOf((await request(t, { query: { query: 'query cop {__typename}' } })).json, '__typename'),
  'Alias Overloading': async (t) => {
    const aliases = Array.from({ length: 101 }, (_, i) => `alias${i}:__typename \n`).join('');
    return !!dataOf((await graphQuery(t, `query cop { ${aliases} }`)).json, 'alias100');
  },
  'Array-based Query Batching': async (t) => {
    const { json } = await request(t, { json: Array.from({ length: 10 }, () => ({ query: 'query cop { __typename }' })) });
    return Array.isArray(json) && json.length >= 10;
  },
  'Trace Mode': async (t) => {
    const { json } = await graphQuery(t, 'query cop { __typename }');
    return !!errorsOf(json)[0]?.extensions?.tracing || /"extensions":\{"tracing":/i.test(JSON.stringify(json));
  },
  'Directive Overloading': async (t) => errorsOf((await graphQuery(t, 'query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }')).json).length === 10,
  'Introspection-based Circular Query': async (t) => {
    const { json } = await graphQuery(
      t,
      'query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }',
    );
    return (dataOf(json, '__schema')?.types?.length ?? 0) > 25;
  },
  'Mutation is allowed over GET (possible CSRF)': async (t) =>
    !!dataOf((await request(t, { query: { query: 'mutation cop {__typename}' } })).json, '__typename'),
  'POST based url-encoded query (possible CSRF)': async (t) => {
    const body = new URLSearchParams({ query: 'query cop { __typename }' });
    return !!dataOf((await request(t, { body })).json, '__typename');
  },
  // Not one of graphql-cop's own, but the same weakness by the other form encoding a page can post.
  'POST based form-data query (possible CSRF)': async (t) => {
    const body = new FormData();
    body.set('query', 'query cop { __typename }');
    return !!dataOf((await request(t, { body })).json, '__typename');
  },
  'Unhandled Errors Detection': async (t) => {
    const { json, text } = await graphQuery(t, 'qwerty cop { abc }');
    return !!errorsOf(json)[0]?.extensions?.exception || /"exception"|"stacktrace"|\bat [\w.<>]+ \(/.test(text);
  },
};

/** Runs every check; the titles of those that found something, as graphql-cop would report them. */
async function findings(target: Target): Promise<string[]> {
  const found: string[] = [];
  for (const [title, check] of Object.entries(CHECKS)) if (await check(target)) found.push(title);
  return found;
}

/** graphql-cop's own first step (`is_graphql`): the target answers GraphQL, so the checks mean something. */
async function expectAnswersGraphQL(target: Target) {
  const { status, json } = await graphQuery(target, 'query cop { __typename }');
  expect({ status, typename: dataOf(json, '__typename') }).toEqual({ status: 200, typename: 'Query' });
}

const USER_AGENT = { 'user-agent': 'graphql-cop/1.14' };

/** docs/design.md §7 (issue 18, item 7): graphql-cop reports nothing beyond the sandbox's intended introspection and explorer. */
describe('graphql-cop checks', () => {
  describe('against the sandbox', () => {
    let stack: Stack;
    let target: Target;
    beforeAll(async () => {
      stack = await startStack({ persons: 50 });
      target = { url: stack.gatewayUrl, root: stack.baseUrl, headers: { ...USER_AGENT, authorization: `Bearer ${await stack.token('officer')}` } };
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('finds only the introspection and the explorer the sandbox means to offer', async () => {
      await expectAnswersGraphQL(target);
      expect(await findings(target)).toEqual(['Introspection', 'GraphQL IDE']);
    });

    it('ten duplicated unknown directives: one clear error, not one per directive', async () => {
      const { status, json } = await graphQuery(target, 'query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }');
      expect(status).toBe(400);
      const errors = errorsOf(json);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      expect(errors[0].message).toMatch(/unknown directive/i);
    });

    it('ten distinct unknown directives are not echoed one by one either', async () => {
      const directives = Array.from({ length: 10 }, (_, i) => `@d${i}`).join(' ');
      const errors = errorsOf((await graphQuery(target, `query cop { __typename ${directives} }`)).json);
      expect(errors.length).toBeLessThanOrEqual(3);
    });

    it("GraphiQL's own introspection query still runs (the explorer needs it)", async () => {
      const { getIntrospectionQuery } = await import('graphql');
      const { status, json } = await request(target, { json: { query: getIntrospectionQuery() } });
      expect(status).toBe(200);
      expect(dataOf(json, '__schema')?.types?.length).toBeGreaterThan(25);
    });
  });

  describe('against production', () => {
    let stack: Stack;
    let target: Target;
    beforeAll(async () => {
      const idp = await fakeIdentityProvider('https://idp.agency.example', 'custodian-api');
      const jwksFile = join(mkdtempSync(join(tmpdir(), 'custodian-jwks-')), 'jwks.json');
      writeFileSync(jwksFile, JSON.stringify(idp.jwks));
      stack = await startStack({
        persons: 50,
        sandbox: false,
        env: (dataDir) => ({
          AUTH_JWKS_FILE: jwksFile,
          AUTH_ISSUER: 'https://idp.agency.example',
          AUTH_AUDIENCE: 'custodian-api',
          INTERNAL_TOKEN_PRIVATE_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).privateFile,
          INTERNAL_TOKEN_PUBLIC_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).publicFile,
        }),
      });
      const token = await idp.sign(callerClaims({ scope: 'person:read criminal_history:read orders:read alerts:read' }));
      target = { url: stack.gatewayUrl, root: stack.baseUrl, headers: { ...USER_AGENT, authorization: `Bearer ${token}` } };
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('finds nothing: no introspection, no explorer', async () => {
      await expectAnswersGraphQL(target);
      expect(await findings(target)).toEqual([]);
    });
  });
});
