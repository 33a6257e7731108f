import { createServer } from 'node:http';
import type { SubgraphName } from '../../access-policy/src';
import { readSubgraphConfig, stopOnSignals } from '../../platform/src';
import { serveSubgraph } from '../../platform/src/subgraph/serve-subgraph';
import { SUBGRAPHS } from '../../subgraphs';

/**
 * A subgraph as the bench starts it (`node subgraph.js <name>`). BENCH_WITHOUT_SHIELD=1 serves it
 * without graphql-shield (a guard that leaves the schema as built) to measure the rules' cost:
 * only this bench-only entry point asks for that. With
 * BENCH_STATS_PORT it also answers `GET /` there with its store's statement count, so the bench
 * can report store queries per request.
 */
async function main(): Promise<void> {
  const name = process.argv[2] as SubgraphName;
  const module = SUBGRAPHS[name];
  if (!module) throw new Error(`unknown subgraph ${name}`);
  const running = await serveSubgraph(module as never, readSubgraphConfig(name), process.env.BENCH_WITHOUT_SHIELD === '1' ? { guard: (schema) => schema } : {});
  const statsPort = Number(process.env.BENCH_STATS_PORT || 0);
  const stats = statsPort
    ? createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify(running.store.stats))).listen(statsPort, '127.0.0.1')
    : null;
  stopOnSignals(async () => {
    stats?.close();
    await running.stop();
  });
}

main().catch((error: Error) => {
  console.error(`bench subgraph failed: ${error.message}`);
  process.exit(1);
});
