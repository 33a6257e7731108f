import { composeServices } from '@apollo/composition';
import { readFileSync, writeFileSync } from 'node:fs';
import { subgraphDefinitions, supergraphPath } from '../schema/subgraphs';

/** Composes the supergraph from the subgraph SDLs in `schema/`; throws with every composition error. */
export function composeSupergraph(): string {
  const result = composeServices(subgraphDefinitions());
  if (result.errors) {
    throw new Error('Composition failed:\n' + result.errors.map((e) => `- ${e.message}`).join('\n'));
  }
  return result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : result.supergraphSdl + '\n';
}

/** `npm run compose` writes the supergraph; `npm run compose -- --check` fails if the checked-in one is stale. */
function main(): void {
  const fresh = composeSupergraph();
  const path = supergraphPath();
  if (process.argv.includes('--check')) {
    const current = readFileSync(path, 'utf8');
    if (current !== fresh) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit the result');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql matches the subgraph SDLs');
    return;
  }
  writeFileSync(path, fresh);
  console.log(`wrote ${path}`);
}

if (require.main === module) main();
