import { rule, and, or } from 'graphql-shield';
import type { Caller } from './caller';
import type { PurposeCode } from './purposes';

/** What every rule may read from the context: the caller the internal token carries. */
export interface RuleContext {
  caller: Caller;
}

/** A shield rule or logic rule (graphql-shield does not export the union's name). */
export type Rule = Parameters<typeof and>[0];

// Rules are shared by name: shield refuses two different rules with one name, and its
// contextual cache is keyed by name, so building the same helper twice must give one instance.
const byName = new Map<string, Rule>();
function named(name: string, make: () => Rule): Rule {
  let found = byName.get(name);
  if (!found) {
    found = make();
    byName.set(name, found);
  }
  return found;
}

/**
 * The caller holds this scope. Cached per request (`contextual`): it depends on the caller alone.
 * @example hasScope('orders:read')
 */
export function hasScope(scope: string): Rule {
  return named(`hasScope(${scope})`, () =>
    rule(`hasScope(${scope})`, { cache: 'contextual' })((_p, _a, ctx: RuleContext) => ctx.caller.scopes.has(scope)),
  );
}

/** The caller holds at least one of these scopes. */
export function hasAnyScope(...scopes: string[]): Rule {
  const name = `hasAnyScope(${scopes.join(',')})`;
  return named(name, () =>
    rule(name, { cache: 'contextual' })((_p, _a, ctx: RuleContext) => scopes.some((s) => ctx.caller.scopes.has(s))),
  );
}

/** The operation was declared for one of these purposes. */
export function purposeIn(...purposes: PurposeCode[]): Rule {
  const name = `purposeIn(${purposes.join(',')})`;
  return named(name, () =>
    rule(name, { cache: 'contextual' })(
      (_p, _a, ctx: RuleContext) => ctx.caller.purpose !== null && purposes.includes(ctx.caller.purpose),
    ),
  );
}

/**
 * A rule over the caller alone, with a name that says the policy sentence.
 * Use for combinations that read better as one predicate than as and/or trees.
 */
export function callerRule(name: string, predicate: (caller: Caller) => boolean): Rule {
  return named(name, () => rule(name, { cache: 'contextual' })((_p, _a, ctx: RuleContext) => predicate(ctx.caller)));
}

/**
 * A rule over the field's arguments or parent. Never cached: the answer differs per call.
 * (`strict` would hash every parent: far too slow on hot types.)
 */
export function argumentRule(
  name: string,
  predicate: (args: Record<string, unknown>, caller: Caller, parent: unknown) => boolean | Error,
): Rule {
  return named(name, () =>
    rule(name, { cache: 'no_cache' })((parent, args: Record<string, unknown>, ctx: RuleContext) => predicate(args, ctx.caller, parent)),
  );
}

/**
 * One rule for each of these fields of a type, spelled out field by field (the rule-coverage
 * test then sees every field named).
 * @example ProtectiveOrder: sameRule(['id', 'caseNumber', …], canReadOrders)
 */
export function sameRule(fields: readonly string[], rule: Rule): Record<string, Rule> {
  return Object.fromEntries(fields.map((f) => [f, rule]));
}

/** Every rule must pass (shield's `and`; the first denial's error is returned). */
export const allOf = (...rules: Rule[]): Rule => and(...rules);
/** At least one rule must pass (shield's `or`). */
export const anyOf = (...rules: Rule[]): Rule => or(...rules);
