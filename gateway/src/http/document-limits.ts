import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GatewayConfig } from '../config';
import { nameLengthRule } from './name-length-rule';
import { validationErrorsPlugin } from './validation-errors-plugin';

/**
 * The document limits of docs/design.md §7, checked by graphql-armor while the document is parsed and
 * validated — before the query planner sees it: depth, aliases (`__typename` aliases count like
 * any other), directives, tokens and cost; and the length of every name (name-length-rule.ts).
 * Messages name the limit crossed, never the schema, and a refused document's errors are
 * condensed (validation-errors-plugin.ts). Introspection is exempt from depth and cost (GraphiQL's
 * own query is deep; production has it off); Apollo Server's own rule refuses circular
 * introspection (`fields { type { fields { … } } }`).
 */
export function documentLimits(config: GatewayConfig) {
  const { limits } = config;
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true },
    maxAliases: { n: limits.maxAliases, allowList: [], exposeLimits: true },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: true },
    // graphql-armor's token plugin throws from parsingDidStart, which Apollo answers with a 500
    // (even for a plain syntax error). graphql-js counts tokens itself: see `parseOptions` below.
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, exposeLimits: true },
    // "Did you mean …" names fields even with introspection off. Off in the sandbox too: its
    // explorer completes from introspection, and graphql-cop reports suggestions as a leak.
    blockFieldSuggestion: { enabled: true },
  });
  const { plugins, validationRules } = armor.protect();
  // The parser stops at the limit ("Document contains more that N tokens"): a 400, GRAPHQL_PARSE_FAILED.
  // Repeated offences (ten copies of one unknown directive) come back as one error, not one each.
  return {
    plugins: [...plugins, validationErrorsPlugin()],
    validationRules: [...validationRules, nameLengthRule],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}
