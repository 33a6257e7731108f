import { shield, allow, rule } from 'graphql-shield';
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { forbidden } from './error-codes';
import type { Rule } from './rules';

/** A subgraph's rule table: type → field → rule. Every field must be named (no wildcards). */
export type RuleTable = Record<string, Record<string, Rule>>;

// A named deny, so that shield's duplicate-name check sees it like any other rule.
const denyByDefault = rule('denyByDefault', { cache: 'contextual' })(() => false);

/**
 * Federation's own fields. Reaching them at all needs a valid internal token (checked before
 * execution), so the rules here only let the gateway's planner work: `_entities` hands each
 * entity to its type's field rules, which decide as they would on any other path.
 * `__resolveReference` runs inside `_entities` under the middleware, so the type rules are the
 * guard (DESIGN §7).
 */
const FEDERATION_RULES: RuleTable = {
  Query: { _entities: allow, _service: allow },
  _Service: { sdl: allow },
};

/**
 * Builds the graphql-shield middleware for a subgraph from its rule table.
 *
 * Safety defaults (please leave them intact):
 * - `fallbackRule: deny` — a field without a rule is refused, never served (shield's default is allow).
 * - `allowExternalErrors: true` — a resolver's own error (CONFLICT, BAD_USER_INPUT) reaches the
 *   caller as itself, not as a denial, so the audit records the right outcome.
 * - `fallbackError` — a FORBIDDEN GraphQLError naming the field, instead of a bare "Not Authorised!".
 * - `debug: false` — never let shield rethrow internals.
 */
export function buildPermissions(table: RuleTable, schema?: GraphQLSchema) {
  const tree: RuleTable = { ...table };
  for (const [type, fields] of Object.entries(FEDERATION_RULES)) {
    // A subgraph without entities has no `_entities`: add only the federation fields it has.
    const present = schema?.getType(type);
    const existing = present && 'getFields' in present ? (present.getFields() as Record<string, unknown>) : null;
    const applicable = Object.fromEntries(Object.entries(fields).filter(([f]) => !schema || (existing && f in existing)));
    tree[type] = { ...(tree[type] ?? {}), ...applicable };
  }
  return shield(tree, {
    fallbackRule: denyByDefault,
    allowExternalErrors: true,
    debug: false,
    fallbackError: (_thrown: unknown, _parent: object, _args: object, _ctx: unknown, info: GraphQLResolveInfo) =>
      forbidden(`Not authorised to read ${info.parentType.name}.${info.fieldName}`),
  });
}
