import { allow, and, deny, or, rule } from 'graphql-shield';
import type { Caller } from './caller';
import type { PurposeCode } from './purposes';

/** What every rule may read from the context: the caller the internal token carries. */
export interface RuleContext {
  caller: Caller;
}

/** A shield rule or logic rule (graphql-shield does not export the union's name). */
export type Rule = Parameters<typeof and>[0];

/**
 * The predicate behind every rule that reads the caller alone. permissions.ts decides fields
 * guarded by such a rule synchronously, without shield's per-field promise (the caller does not
 * change within a request, so nothing is lost by not caching).
 */
const callerPredicates = new WeakMap<Rule, (caller: Caller) => boolean>();

/** The caller-only predicate of a rule, or null when the rule reads arguments or parents. */
export function callerPredicateOf(rule: Rule): ((caller: Caller) => boolean) | null {
  return callerPredicates.get(rule) ?? null;
}

/**
 * True when `rule` reads the caller alone and lets this caller through. Any other rule (one over
 * arguments or parents, or none) cannot be decided ahead of its field, so the answer is false.
 */
export function callerPasses(rule: Rule | undefined, caller: Caller): boolean {
  const predicate = rule ? callerPredicateOf(rule) : null;
  try {
    return predicate !== null && predicate(caller) === true;
  } catch {
    return false;
  }
}

function overCaller(name: string, predicate: (caller: Caller) => boolean): Rule {
  return named(name, () => {
    const made = rule(name, { cache: 'contextual' })((_p, _a, ctx: RuleContext) => predicate(ctx.caller));
    callerPredicates.set(made, predicate);
    return made;
  });
}

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
 * The caller holds this scope (it depends on the caller alone: decided without a promise).
 * @example hasScope('orders:read')
 */
export function hasScope(scope: string): Rule {
  return overCaller(`hasScope(${scope})`, (caller) => caller.scopes.has(scope));
}

/** The caller holds at least one of these scopes. */
export function hasAnyScope(...scopes: string[]): Rule {
  return overCaller(`hasAnyScope(${scopes.join(',')})`, (caller) => scopes.some((s) => caller.scopes.has(s)));
}

/** The operation was declared for one of these purposes. */
export function purposeIn(...purposes: PurposeCode[]): Rule {
  return overCaller(`purposeIn(${purposes.join(',')})`, (caller) => caller.purpose !== null && purposes.includes(caller.purpose));
}

/**
 * A rule over the caller alone, with a name that says the policy sentence.
 * Use for combinations that read better as one predicate than as and/or trees.
 */
export function callerRule(name: string, predicate: (caller: Caller) => boolean): Rule {
  return overCaller(name, predicate);
}

/**
 * A rule over the field's arguments or parent. Never cached: the answer differs per call.
 * (`strict` would hash every parent: far too slow on hot types.)
 */
export function argumentRule(name: string, predicate: (args: Record<string, unknown>, caller: Caller, parent: unknown) => boolean | Error): Rule {
  return named(name, () => rule(name, { cache: 'no_cache' })((parent, args: Record<string, unknown>, ctx: RuleContext) => predicate(args, ctx.caller, parent)));
}

/**
 * A rule over the record a field belongs to (its parent), which may read the request's loaders
 * (the subgraph's context). Never cached: the answer differs per record. A predicate that throws
 * or rejects denies — a rule that cannot tell closes the field rather than leaking it or the error.
 */
export function recordRule<Parent, Ctx extends RuleContext>(name: string, predicate: (parent: Parent, ctx: Ctx) => boolean | Promise<boolean>): Rule {
  return named(name, () =>
    rule(name, { cache: 'no_cache' })(async (parent: Parent, _args: unknown, ctx: Ctx) => {
      try {
        return (await predicate(parent, ctx)) === true;
      } catch {
        return false;
      }
    }),
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
export const allOf = (...rules: Rule[]): Rule => combined(and(...rules), rules, 'every');
/** At least one rule must pass (shield's `or`). */
export const anyOf = (...rules: Rule[]): Rule => combined(or(...rules), rules, 'some');

/** A logic rule over caller-only rules reads the caller alone too. */
function combined(logic: Rule, rules: Rule[], mode: 'every' | 'some'): Rule {
  const predicates = rules.map(callerPredicateOf);
  if (predicates.every((p) => p !== null)) {
    const ps = predicates as Array<(caller: Caller) => boolean>;
    callerPredicates.set(logic, mode === 'every' ? (c) => ps.every((p) => p(c)) : (c) => ps.some((p) => p(c)));
  }
  return logic;
}

/** shield's `allow` and `deny` read nothing at all. */
callerPredicates.set(allow, () => true);
callerPredicates.set(deny, () => false);
