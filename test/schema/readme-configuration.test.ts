import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_ENV } from '../../gateway/src/config';
import { projectRoot, SUBGRAPH_ENV } from '../../platform/src';

/** Everything an operator can set is in the README's configuration reference. */
describe("the README's configuration reference", () => {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const documented = (name: string) => readme.includes(`\`${name}\``);

  it.each([...new Set([...Object.keys(GATEWAY_ENV), ...Object.keys(SUBGRAPH_ENV), 'SEED_PERSONS', 'SEED_DATE', 'AUDIT_ROSTER_FILE', 'AUDIT_SHIFT_HOURS', 'AUDIT_TIMEZONE'])])(
    'documents %s',
    (name) => expect(documented(name)).toBe(true),
  );
});
