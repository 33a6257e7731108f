import { LocalGraphQLDataSource } from '@apollo/gateway';
import { badUserInput, type AuditRecord } from '../../../access-policy/src';
import { dateTimeScalar } from '../../../platform/src/scalars';
import { buildSubgraphExecutableSchema } from '../../../platform/src/subgraph/serve-subgraph';
import { AUDIT_SUBGRAPH, loadSubgraphSdl } from '../../../schema/subgraphs';
import { auditAccessRules } from './audit-access-rules';
import { TooManyAuditRecordsError, type AuditFilter, type AuditStore } from './audit-store';
import { DEFAULT_SIGNAL_OPTIONS, detectMisuse } from './misuse-signals';

const MAX_LIMIT = 1000;
const DAY = 86_400_000;
/**
 * Days before the window that make a user's baseline: `audit report`'s (misuse-report.ts, which
 * is not imported here because it opens the record stores; a test holds the two equal).
 */
export const SIGNAL_BASELINE_DAYS = 28;
/** Longest window of `misuseSignals`: the records of the window and its baseline are read whole. */
const MAX_SIGNAL_DAYS = 31;
/** Most records `misuseSignals` reads for its window, and again for its baseline (each about 1 KB without content). */
export const MAX_SIGNAL_RECORDS = 100_000;

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
      async misuseSignals(_: unknown, args: { from: string; to: string }) {
        const from = new Date(args.from);
        const to = new Date(args.to);
        const days = (to.getTime() - from.getTime()) / DAY;
        if (!(days > 0) || days > MAX_SIGNAL_DAYS) throw badUserInput(`from must be before to, at most ${MAX_SIGNAL_DAYS} days apart`);
        // Read inside the gateway: without documents and variables, and refused past a bound rather
        // than held whole in the gateway's memory (the CLI's `audit report` has no such bound).
        const read = { withoutContent: true, maxRecords: MAX_SIGNAL_RECORDS };
        let records, baseline;
        try {
          records = await store.between(from.toISOString(), to.toISOString(), read);
          baseline = await store.between(new Date(from.getTime() - SIGNAL_BASELINE_DAYS * DAY).toISOString(), from.toISOString(), read);
        } catch (error) {
          // From the SQLite worker thread the error arrives as its message alone.
          if (error instanceof TooManyAuditRecordsError || /holds more than \d+ records/.test((error as Error)?.message ?? '')) {
            throw badUserInput(
              `The range (or its ${SIGNAL_BASELINE_DAYS}-day baseline) holds more than ${MAX_SIGNAL_RECORDS} records: narrow it, or run npm run -s audit -- report`,
            );
          }
          throw error;
        }
        const byId = new Map(records.map((r) => [`${r.chainId}:${r.seq}`, r]));
        // No subject facts and no roster: the gateway holds no records (see the schema's description).
        const signals = detectMisuse({
          records,
          baseline,
          baselineDays: SIGNAL_BASELINE_DAYS,
          windowDays: Math.max(1 / 24, days),
          subjects: new Map(),
          roster: new Map(),
          options: DEFAULT_SIGNAL_OPTIONS,
        });
        return signals.map((s) => ({ ...s, records: s.records.map((id) => byId.get(id)).filter((r): r is AuditRecord => r !== undefined) }));
      },
    },
    AuditEvent: {
      id: (r: AuditRecord) => `${r.chainId}:${r.seq}`,
      user: (r: AuditRecord) => r.userSub,
    },
  };
  const schema = buildSubgraphExecutableSchema({
    typeDefs: loadSubgraphSdl(AUDIT_SUBGRAPH),
    resolvers: resolvers,
    accessRules: auditAccessRules,
    // Audit records are not record contents: reading them discloses no one.
    subjectOf: () => null,
  });
  return new LocalGraphQLDataSource(schema);
}
