import type { PurposeCode } from './purposes';

/**
 * Who is asking, and why: what the gateway verified from the caller's JWT and headers, and what
 * it hands to every subgraph in the internal token. Subgraphs decide from this alone.
 */
export interface Caller {
  /** The user id (`sub`). */
  readonly sub: string;
  readonly name: string;
  /** The 9-character agency ORI. */
  readonly ori: string;
  /** The calling application, when the token names one. */
  readonly client: string | null;
  readonly scopes: ReadonlySet<string>;
  /** The purposes this caller's token allows. */
  readonly purposes: ReadonlySet<PurposeCode>;
  /** The purpose declared for this operation; null for operations that need none (auditors). */
  readonly purpose: PurposeCode | null;
  readonly reason: string | null;
  /** The gateway's id for this operation, shared by its audit record and every subgraph log. */
  readonly requestId: string;
}
