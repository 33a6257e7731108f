import type { DocumentNode } from 'graphql';
import { accessAllows, describeAccess, readFieldAccess } from './field-access';
import type { RuleTable } from './permissions';
import { allOf, callerRule } from './rules';

/**
 * A subgraph's shield rule table, derived from the `@access` declarations of its SDL: one rule
 * over the caller per field, named after what it requires (`access(person:read | person:match)`,
 * so fields with the same declaration share one rule and shield's cache). A field the SDL does
 * not declare gets no rule, and shield's fallback denies it.
 *
 * `rowRules` adds what a declaration over scopes and purposes cannot say — a rule over the record
 * (a protected party's address) or the arguments (a screener's search) — on top of the field's
 * declaration: both must pass. It may only name fields the SDL declares, so the SDL stays the one
 * place that says who may read a field at all.
 * @example declaredRules(loadSubgraphSdl('criminal-history'), { Query: { searchPersons: searchArgumentsAllowed } })
 */
export function declaredRules(sdl: DocumentNode, rowRules: RuleTable = {}): RuleTable {
  const table: RuleTable = {};
  for (const [coordinate, access] of readFieldAccess(sdl)) {
    const [type, field] = coordinate.split('.');
    const declared = callerRule(`access(${describeAccess(access)})`, (caller) => accessAllows(access, caller));
    (table[type] ??= {})[field] = declared;
  }
  for (const [type, fields] of Object.entries(rowRules)) {
    for (const [field, extra] of Object.entries(fields)) {
      const declared = table[type]?.[field];
      if (!declared) throw new TypeError(`A row rule for ${type}.${field}, which the SDL gives no @access`);
      table[type][field] = allOf(declared, extra);
    }
  }
  return table;
}
