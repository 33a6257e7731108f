/**
 * The layers of docs/design.md §1, checked on every `npm test` (test/schema/module-boundaries.test.ts).
 * Each folder may depend only on those above it: access-policy → platform → subgraphs → gateway.
 * schema/ (SDLs, the composed supergraph, the event contracts) is read by every layer, so it may
 * itself lean only on access-policy and platform. bench/, scripts/, seed/ and test/ are tools:
 * they start, fill and measure the services, so they may import anything — seed in particular
 * writes every subgraph's store through that subgraph's own migrations and store, which is the
 * point of seeding through the code rather than beside it. No service imports a tool.
 */
const services = '^(access-policy|platform|subgraphs|gateway|schema)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'access-policy-stands-alone',
      comment: 'access-policy is what gateway and subgraphs share about who may see what; it imports nothing of the project (docs/design.md §1).',
      severity: 'error',
      from: { path: '^access-policy/' },
      to: { path: '^(platform|subgraphs|gateway|schema|seed|scripts|bench|test)/' },
    },
    {
      name: 'platform-is-plumbing',
      comment: 'platform is what every service uses; it may import access-policy and nothing else of the project (docs/design.md §1).',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(subgraphs|gateway|schema|seed|scripts|bench|test)/' },
    },
    {
      name: 'platform-sql-below-its-subgraph-runtime',
      comment: 'Stores are built on the SQL layer and served by the subgraph runtime; the SQL layer knows nothing of serving.',
      severity: 'error',
      from: { path: '^platform/src/sql/' },
      to: { path: '^platform/src/subgraph/' },
    },
    {
      name: 'subgraphs-stand-apart',
      comment: "A subgraph reaches another only over HTTP, on the caller's behalf, never by import (docs/design.md §1).",
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/' },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'subgraphs-below-the-gateway',
      comment: 'Subgraphs import platform, access-policy and schema, never the gateway (docs/design.md §1).',
      severity: 'error',
      from: { path: '^subgraphs/' },
      to: { path: '^gateway/' },
    },
    {
      name: 'gateway-never-imports-a-subgraph',
      comment: 'The gateway knows subgraphs by their SDL and URL only, so none of their code or data runs in it (docs/design.md §1).',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^subgraphs/' },
    },
    {
      name: 'schema-leans-on-the-base-only',
      comment: 'schema/ is read by every layer, so it may import only access-policy and platform.',
      severity: 'error',
      from: { path: '^schema/' },
      to: { path: '^(subgraphs|gateway|seed|scripts|bench|test)/' },
    },
    {
      name: 'services-never-import-tools',
      comment: "bench, scripts, seed and test start and measure the services; production code carries none of them (the bench's switches included).",
      severity: 'error',
      from: { path: services },
      to: { path: '^(seed|scripts|bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data|bench/hive|bench/\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
