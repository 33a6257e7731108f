import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getNamedType, isInputObjectType, isObjectType } from 'graphql';
import { projectRoot } from '../../platform/src';
import { DEFAULT_MAX_INPUT_LENGTH, MAX_INPUT_LENGTHS } from '../../platform/src/input-limits';

const root = projectRoot();
const supergraph = buildSchema(readFileSync(join(root, 'schema/supergraph.graphql'), 'utf8'), { assumeValidSDL: true });
const integrators = readFileSync(join(root, 'docs/integrators.md'), 'utf8');
const limitsSection = integrators.slice(integrators.indexOf('## Input limits'));
const rows = limitsSection.slice(0, limitsSection.indexOf('\n\n', limitsSection.indexOf('| input |'))).split('\n');

/** The type of the input a coordinate names (`Query.searchPersons(lastName:)`, `PersonNameInput.last`), or undefined. */
function inputAt(coordinate: string): string | undefined {
  const argument = /^(\w+)\.(\w+)\((\w+):\)$/.exec(coordinate);
  if (argument) {
    const type = supergraph.getType(argument[1]);
    const field = isObjectType(type) ? type.getFields()[argument[2]] : undefined;
    const arg = field?.args.find((a) => a.name === argument[3]);
    return arg ? getNamedType(arg.type).name : undefined;
  }
  const [typeName, fieldName] = coordinate.split('.');
  const type = supergraph.getType(typeName);
  return isInputObjectType(type) ? getNamedType(type.getFields()[fieldName]?.type)?.name : undefined;
}

/** docs/design.md §7 (issue 18, item 4): every caller-supplied string has a documented maximum length. */
describe('input limits', () => {
  it.each(Object.entries(MAX_INPUT_LENGTHS))('%s names a String or ID input of the supergraph', (coordinate) => {
    expect(['String', 'ID']).toContain(inputAt(coordinate));
  });

  it.each(Object.entries(MAX_INPUT_LENGTHS))('docs/integrators.md documents %s at %i', (coordinate, max) => {
    const written = coordinate.replace(/^(Query|Mutation)\./, '');
    const row = rows.find((r) => r.includes(`\`${written}\``));
    expect(row).toMatch(new RegExp(`\\| ${max} \\|$`));
  });

  it('docs/integrators.md documents the default for every other string', () => {
    expect(rows.find((r) => r.startsWith('| every other `String` or `ID`'))).toMatch(new RegExp(`\\| ${DEFAULT_MAX_INPUT_LENGTH} \\|$`));
  });
});
