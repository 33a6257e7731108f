import { shield, allow, rule } from 'graphql-shield';
import { middleware, type IMiddlewareFieldMap, type IMiddlewareFunction, type IMiddlewareGenerator } from 'graphql-middleware';
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { Caller } from './caller';
import { forbidden } from './error-codes';
import { callerPredicateOf, type Rule, type RuleContext } from './rules';

/** A subgraph's rule table: type → field → rule. Every field must be named (no wildcards). */
export type RuleTable = Record<string, Record<string, Rule>>;

// A named deny, so that shield's duplicate-name check sees it like any other rule.
const denyByDefault = rule('denyByDefault', { cache: 'contextual' })(() => false);

const notAuthorised = (info: GraphQLResolveInfo) => forbidden(`Not authorised to read ${info.parentType.name}.${info.fieldName}`);

/**
 * Federation's own fields. Reaching them at all needs a valid internal token (checked before
 * execution), so the rules here only let the gateway's planner work: `_entities` hands each
 * entity to its type's field rules, which decide as they would on any other path.
 * `__resolveReference` runs inside `_entities` under the middleware, so the type rules are the
 * guard (docs/design.md §7).
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
 *
 * shield turns every field into a promise (its middleware is async), which on a wide result —
 * fifty persons with their arrests and charges — is most of the cost of authorisation. So the
 * fields whose rule reads the caller alone (almost all of them) are decided by that rule's
 * predicate synchronously; shield keeps the fields whose rules read arguments or parents. Both
 * paths answer a denial with the same FORBIDDEN error, and a predicate that throws denies.
 */
export function buildPermissions(table: RuleTable, schema?: GraphQLSchema): IMiddlewareGenerator<unknown, RuleContext, unknown> {
  const tree: RuleTable = { ...table };
  for (const [type, fields] of Object.entries(FEDERATION_RULES)) {
    // A subgraph without entities has no `_entities`: add only the federation fields it has.
    const present = schema?.getType(type);
    const existing = present && 'getFields' in present ? (present.getFields() as Record<string, unknown>) : null;
    const applicable = Object.fromEntries(Object.entries(fields).filter(([f]) => !schema || (existing && f in existing)));
    tree[type] = { ...(tree[type] ?? {}), ...applicable };
  }
  const viaShield = shield(tree, {
    fallbackRule: denyByDefault,
    allowExternalErrors: true,
    debug: false,
    fallbackError: (_thrown: unknown, _parent: object, _args: object, _ctx: unknown, info: GraphQLResolveInfo) => notAuthorised(info),
  });
  return middleware<unknown, RuleContext, unknown>((target: GraphQLSchema) => {
    // shield validates the table against the schema and builds a guard for every field; the
    // caller-only ones are then swapped for their synchronous form.
    const guards = viaShield.generate(target) as Record<string, IMiddlewareFieldMap>;
    for (const [type, fields] of Object.entries(guards)) {
      for (const field of Object.keys(fields)) {
        const rule = tree[type]?.[field] ?? denyByDefault;
        const predicate = rule === denyByDefault ? () => false : callerPredicateOf(rule);
        if (predicate) fields[field] = synchronousGuard(predicate);
      }
    }
    return guards;
  });
}

type Resolve = (parent: unknown, args: unknown, ctx: RuleContext, info: GraphQLResolveInfo) => unknown;

/** A field guard that decides from the caller alone and returns the resolver's value as is. */
function synchronousGuard(predicate: (caller: Caller) => boolean): IMiddlewareFunction<unknown, RuleContext, unknown> {
  const guard = (resolve: Resolve, parent: unknown, args: unknown, ctx: RuleContext, info: GraphQLResolveInfo) => {
    let allowed: boolean;
    try {
      allowed = predicate(ctx?.caller) === true;
    } catch {
      allowed = false; // closed: a rule that cannot decide denies
    }
    return allowed ? resolve(parent, args, ctx, info) : notAuthorised(info);
  };
  // graphql-middleware types every middleware as async; it calls this one as it is.
  return guard as unknown as IMiddlewareFunction<unknown, RuleContext, unknown>;
}
