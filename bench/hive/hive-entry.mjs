// Configuration (d): Hive Gateway on the same supergraph and the same subgraphs, one process, with
// in-flight request merging off, and the internal token supplied the way Custodian supplies it
// (one signed token per subgraph per request, carrying the caller and purpose). The caller's JWT is
// decoded, not verified — if anything, an advantage to Hive.
//   node hive-entry.mjs <port> <supergraph file> <internal private key file> <js|rust>
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';

const [port, supergraphFile, keyFile, planner] = process.argv.slice(2);
const project = createRequire(new URL('../../package.json', import.meta.url));
const { internalTokenFor, parseScopes, parsePurposes, INTERNAL_ALGORITHM, INTERNAL_TOKEN_HEADER } = project('./dist/access-policy/src/index.js');
const { importKey, readJwk } = project('./dist/platform/src/index.js');
const { decodeJwt } = project('jose');

const key = await importKey(readJwk(keyFile), INTERNAL_ALGORITHM);
const perRequest = new WeakMap();

function callerOf(request) {
  const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
  const claims = token ? decodeJwt(token) : {};
  return {
    sub: String(claims.sub ?? 'anonymous'),
    name: String(claims.name ?? ''),
    ori: String(claims.ori ?? ''),
    client: claims.client ?? null,
    scopes: parseScopes(claims.scope),
    purposes: parsePurposes(claims.purposes),
    purpose: request.headers.get('x-purpose-code'),
    reason: request.headers.get('x-reason'),
    requestId: crypto.randomUUID(),
  };
}

const extra = planner === 'rust' ? { unifiedGraphHandler: (await import('@graphql-hive/router-runtime')).unifiedGraphHandler } : {};
const gateway = createGatewayRuntime({
  supergraph: readFileSync(supergraphFile, 'utf8'),
  logging: process.env.HIVE_DEBUG ? 'debug' : false,
  maskedErrors: !process.env.HIVE_DEBUG,
  graphiql: false,
  landingPage: false,
  transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
  propagateHeaders: {
    async fromClientToSubgraphs({ request, subgraphName }) {
      let tokens = perRequest.get(request);
      if (!tokens) perRequest.set(request, (tokens = { caller: callerOf(request), bySubgraph: new Map() }));
      let token = tokens.bySubgraph.get(subgraphName);
      if (!token) tokens.bySubgraph.set(subgraphName, (token = internalTokenFor(tokens.caller, subgraphName, key)));
      return { [INTERNAL_TOKEN_HEADER]: await token };
    },
  },
  ...extra,
});
createServer(gateway).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
