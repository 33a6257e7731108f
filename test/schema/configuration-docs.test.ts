import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_ENV } from '../../gateway/src/config';
import { SUBGRAPH_NAMES } from '../../access-policy/src';
import { projectRoot, SUBGRAPH_ENV, subgraphUrlVariable } from '../../platform/src';

const root = projectRoot();
const operators = readFileSync(join(root, 'docs/operators.md'), 'utf8');
const section = operators.slice(operators.indexOf('## Configuration'));
const tableRows = section
  .slice(0, section.indexOf('\n\n', section.indexOf('| variable |')))
  .split('\n')
  .filter((row) => row.startsWith('| `'));
/** Every variable the configuration table's first column names (`<NAME>_FILE` is the pattern, not a variable). */
const documentedNames = [...new Set(tableRows.flatMap((row) => [...row.split(' | ')[0].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])))];

/** The text of every TypeScript file outside node_modules and dist, read once. */
function sourceText(): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !path.endsWith('configuration-docs.test.ts')) texts.push(readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return texts.join('\n');
}

/** Everything an operator can set is in docs/operators.md's configuration table, and nothing else is. */
describe("docs/operators.md's configuration table", () => {
  const read = new Set([...Object.keys(GATEWAY_ENV), ...Object.keys(SUBGRAPH_ENV), ...SUBGRAPH_NAMES.map(subgraphUrlVariable)]);

  it.each([...new Set([...read, 'SEED_PERSONS', 'SEED_DATE', 'AUDIT_ROSTER_FILE', 'AUDIT_SHIFT_HOURS', 'AUDIT_TIMEZONE'])])('documents %s', (name) =>
    expect(documentedNames).toContain(name),
  );

  it('names only variables some code reads', () => {
    const source = sourceText();
    // Read by name (`process.env.X`, `env['X']`) or declared as an envalid spec (`X: str(…)`).
    const readBy = (name: string) => source.includes(`'${name}'`) || source.includes(`env.${name}`) || new RegExp(`\\b${name}: \\w+\\(`).test(source);
    const unread = documentedNames.filter((name) => !read.has(name) && !readBy(name));
    expect(unread).toEqual([]);
  });
});
