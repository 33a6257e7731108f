import { INTERNAL_TOKEN_HEADER } from '../../../access-policy/src';
import type { SubgraphName } from '../../../access-policy/src';

/** Header prefix of a token the gateway signed for a peer subgraph, on the caller's behalf. */
export const DELEGATION_HEADER_PREFIX = 'x-custodian-delegation-';

/** The header carrying the delegated token for one peer. */
export function delegationHeader(peer: SubgraphName): string {
  return `${DELEGATION_HEADER_PREFIX}${peer}`;
}

/** A GraphQL answer from a peer. */
export interface PeerResult {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * Calls from one subgraph to another, on the caller's behalf: with the token the gateway signed
 * for that peer in this request (never a credential of the subgraph's own), so the peer applies
 * the caller's rules and logs the call under the same request id.
 */
export interface PeerAccess {
  /** True when the gateway delegated access to this peer for this request. */
  has(peer: SubgraphName): boolean;
  call(peer: SubgraphName, query: string, variables?: Record<string, unknown>): Promise<PeerResult>;
}

/** Peer access for one request, from its delegation headers and the configured peer URLs. */
export function peerAccessFor(headers: (name: string) => string | undefined, urls: Partial<Record<SubgraphName, string>>, timeoutMs = 3000): PeerAccess {
  return {
    has: (peer) => !!headers(delegationHeader(peer)) && !!urls[peer],
    async call(peer, query, variables) {
      const token = headers(delegationHeader(peer));
      const url = urls[peer];
      if (!token || !url) throw new Error(`no delegated access to ${peer} in this request`);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: token, 'x-request-id': headers('x-request-id') ?? '' },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`${peer} answered ${res.status}`);
      return (await res.json()) as PeerResult;
    },
  };
}
