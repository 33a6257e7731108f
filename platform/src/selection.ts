import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * The fields named `name` selected directly below `fields`, whatever their alias, through
 * fragment spreads and inline fragments: a look-ahead for loading what a query will ask for.
 * It does not evaluate `@skip`/`@include` or type conditions, so it may report a field the
 * query will not resolve (loading it ahead is then wasted work, never a wrong answer).
 * Twenty lines over graphql's AST rather than graphql-parse-resolve-info, which also coerces
 * every argument and directive of the subtree on each call.
 */
export function selectedBelow(fields: readonly FieldNode[], name: string, fragments: GraphQLResolveInfo['fragments']): FieldNode[] {
  const found: FieldNode[] = [];
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const field of fields) visit(field.selectionSet);
  return found;
}
