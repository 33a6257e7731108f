import { hasScope, sameRule, Scope, type RuleTable } from '../../../access-policy/src';

/** The audit log needs audit:read; it shows who saw what, never record contents — docs/design.md §4 rule 8. */
export const canReadAudit = hasScope(Scope.AUDIT_READ);

const FIELDS = [
  'id',
  'at',
  'requestId',
  'user',
  'userName',
  'ori',
  'client',
  'purpose',
  'reason',
  'operationType',
  'operationName',
  'documentHash',
  'documentId',
  'documentTrust',
  'traceId',
  'deliveredEvent',
  'outcome',
  'subjects',
  'deniedPaths',
  'fieldsResolved',
  'errorCodes',
  'sourceAddress',
  'durationMs',
];

/** Who may read each field of the audit subgraph. Every field is named; the fallback denies. */
export const auditAccessRules: RuleTable = {
  Query: { auditEvents: canReadAudit, misuseSignals: canReadAudit },
  AuditEvent: sameRule(FIELDS, canReadAudit),
  MisuseSignal: sameRule(['signal', 'user', 'summary', 'records'], canReadAudit),
};
