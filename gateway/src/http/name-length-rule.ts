import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * The longest name (operation, field, alias, fragment, variable, argument, directive) a document
 * may hold. The schema's longest is far shorter; without a bound a name could be as long as the
 * body allows, and every "Cannot query field …" error would echo it back whole.
 */
export const MAX_NAME_LENGTH = 128;

/** The one error a document with an over-long name gets (the name itself is not echoed). */
export const NAME_TOO_LONG = `A name in the document is longer than ${MAX_NAME_LENGTH} characters`;

/** Validation rule: refuses a document holding a name longer than `MAX_NAME_LENGTH`, once. */
export function nameLengthRule(context: ValidationContext): ASTVisitor {
  let reported = false;
  return {
    Name(node) {
      if (reported || node.value.length <= MAX_NAME_LENGTH) return;
      reported = true;
      context.reportError(new GraphQLError(NAME_TOO_LONG, { nodes: node }));
    },
  };
}
