import type { Caller } from '../../access-policy/src';
import { DisclosureLog } from '../../platform/src';
import type { VerifiedIdentity } from './identity/authenticate';

/** What the gateway knows about one operation while it runs. */
export interface GatewayContext {
  /** The id shared by this operation's audit record and every subgraph's log of it. */
  requestId: string;
  identity: VerifiedIdentity;
  /** Identity plus the accepted purpose and reason; set by the purpose check, null until then. */
  caller: Caller | null;
  /** The purpose headers as sent. */
  declared: { purpose: string | undefined; reason: string | undefined };
  /** Subjects and fields the subgraphs reported resolving, merged. */
  disclosure: DisclosureLog;
  http: { ip: string | undefined; userAgent: string | undefined; startedAt: number };
  /** Shared with the HTTP layer: whether this request's audit record has been written. */
  audit: { written: boolean };
  /** The registered operation this request ran (trusted documents), and whether it was one. */
  trustedDocument: { documentId: string | undefined; trust: 'REGISTERED' | 'UNREGISTERED' | undefined };
}

/** A fresh context for an authenticated request. */
export function createGatewayContext(
  requestId: string,
  identity: VerifiedIdentity,
  headers: { purpose: string | undefined; reason: string | undefined },
  http: GatewayContext['http'],
  audit: GatewayContext['audit'],
  trustedDocument: GatewayContext['trustedDocument'] = { documentId: undefined, trust: undefined },
): GatewayContext {
  return {
    requestId,
    identity,
    caller: null,
    declared: headers,
    disclosure: new DisclosureLog(),
    http,
    audit,
    trustedDocument,
  };
}
