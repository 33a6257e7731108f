import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { NAME_TOO_LONG } from './name-length-rule';

/**
 * Most validation errors one response carries. graphql-js reports every offence on its own: ten
 * copies of an unknown directive on one field came back as ten errors (graphql-cop's "directive
 * overloading"), so a caller could have the gateway echo and serialise whatever it repeats.
 */
export const MAX_VALIDATION_ERRORS = 3;

const isValidationError = (e: GraphQLFormattedError) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED';

/**
 * The errors of a refused document as the caller receives them: one per distinct message (the
 * first, with its location), at most `MAX_VALIDATION_ERRORS`, the last saying how many more there
 * were; a name over its length limit alone (the other errors would echo it). Errors of any other
 * kind pass untouched.
 */
export function condenseValidationErrors(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  if (errors.length < 2 || !errors.every(isValidationError)) return [...errors];
  const overlong = errors.find((e) => e.message === NAME_TOO_LONG);
  if (overlong) return [overlong];
  const distinct = [...new Map(errors.map((e) => [e.message, e])).values()];
  if (distinct.length <= MAX_VALIDATION_ERRORS) return distinct;
  const kept = distinct.slice(0, MAX_VALIDATION_ERRORS - 1);
  const more = distinct.length - kept.length;
  return [...kept, { message: `The document has ${more} more validation errors`, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }];
}

/**
 * Condenses a refused document's validation errors (see `condenseValidationErrors`) in the
 * response, before the audit plugin reads it: the record holds the errors the caller was sent.
 * Register it ahead of the audit plugin.
 */
export function validationErrorsPlugin<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        // Fires once the response is formatted, before it is sent; hooks start in registration order.
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors && result.errors.length > 1) result.errors = condenseValidationErrors(result.errors);
        },
      };
    },
  };
}
