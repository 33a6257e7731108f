import type { PeerAccess } from '../../../platform/src';

const EXISTS = `query PersonsExist($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }`;

/**
 * Which of these SIDs the state repository knows, asked of criminal-history on the caller's
 * behalf (with the token the gateway delegated for this mutation). Throws when it cannot tell:
 * an order is never issued against an unchecked person.
 */
export async function knownPersons(peers: PeerAccess, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  if (!peers.has('criminal-history')) throw new Error('the person registry cannot be consulted for this request');
  const result = await peers.call('criminal-history', EXISTS, { r: unique.map((id) => ({ __typename: 'Person', id })) });
  if (result.errors?.length) throw new Error(`the person registry refused the check (${result.errors[0].extensions?.code ?? 'error'})`);
  const entities = (result.data?._entities ?? []) as Array<{ id: string } | null>;
  return new Set(entities.filter((e): e is { id: string } => !!e?.id).map((e) => e.id));
}
