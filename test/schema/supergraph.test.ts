import { readFileSync } from 'node:fs';
import { composeSupergraph } from '../../scripts/compose-supergraph';
import { supergraphPath } from '../../schema/subgraphs';

describe('the checked-in supergraph', () => {
  it('is exactly what @apollo/composition makes of the subgraph SDLs (run `npm run compose` after changing one)', () => {
    expect(readFileSync(supergraphPath(), 'utf8')).toBe(composeSupergraph());
  });
});
