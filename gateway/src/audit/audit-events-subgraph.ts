import { LocalGraphQLDataSource } from '@apollo/gateway';
import { badUserInput, type AuditRecord } from '../../../access-policy/src';
import { dateTimeScalar } from '../../../platform/src/scalars';
import { buildSubgraphExecutableSchema } from '../../../platform/src/subgraph/serve-subgraph';
import { AUDIT_SUBGRAPH, loadSubgraphSdl } from '../../../schema/subgraphs';
import { auditAccessRules } from './audit-access-rules';
import type { AuditFilter, AuditStore } from './audit-store';

const MAX_LIMIT = 1000;

/** The arguments of `auditEvents`: the store's filter, with the limit optional. */
type AuditEventsArgs = Omit<AuditFilter, 'limit'> & { limit?: number | null };

/**
 * The audit subgraph's schema: `Query.auditEvents` over the gateway's audit store, under its
 * own shield rules. It runs inside the gateway (LocalGraphQLDataSource), so it sees the
 * gateway's context — the caller verified there — rather than an internal token.
 */
export function auditEventsDataSource(store: AuditStore): LocalGraphQLDataSource {
  const resolvers = {
    DateTime: dateTimeScalar,
    Query: {
      async auditEvents(_: unknown, args: AuditEventsArgs) {
        const limit = args.limit ?? 100;
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badUserInput(`limit must be between 1 and ${MAX_LIMIT}`);
        return store.query({ ...args, limit });
      },
    },
    AuditEvent: {
      id: (r: AuditRecord) => `${r.chainId}:${r.seq}`,
      user: (r: AuditRecord) => r.userSub,
    },
  };
  const schema = buildSubgraphExecutableSchema({
    typeDefs: loadSubgraphSdl(AUDIT_SUBGRAPH),
    resolvers: resolvers as never,
    accessRules: auditAccessRules,
    // Audit records are not record contents: reading them discloses no one.
    subjectOf: () => null,
  });
  return new LocalGraphQLDataSource(schema);
}
