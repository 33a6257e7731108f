import { hasAnyScope, hasScope, sameRule, Scope, type RuleTable } from '../../../access-policy/src';

/** Alerts need alerts:read — DESIGN §4 rule 7. */
export const canReadAlerts = hasScope(Scope.ALERTS_READ);

/** The free-text caution note needs alerts:caution — DESIGN §4 rule 7. */
export const canReadCautionNotes = hasScope(Scope.ALERTS_CAUTION);

/** A person's key may be read by anyone who may reach persons at all. */
export const canReferencePersons = hasAnyScope(Scope.ALERTS_READ, Scope.PERSON_READ, Scope.PERSON_MATCH);

/** Who may read each field of alerts. Every field is named; the fallback denies. */
export const alertsAccessRules: RuleTable = {
  Query: { alerts: canReadAlerts, alert: canReadAlerts },
  Person: { id: canReferencePersons, alerts: canReadAlerts },
  Alert: sameRule(['id', 'type', 'subject', 'agency', 'enteredAt', 'expiresAt', 'active', 'caution', 'warrant', 'missing'], canReadAlerts),
  Caution: { codes: canReadAlerts, note: canReadCautionNotes },
  Warrant: sameRule(['number', 'offense', 'extradition', 'bailAmount'], canReadAlerts),
  MissingPerson: sameRule(['category', 'categories', 'lastSeenAt', 'lastSeenPlace'], canReadAlerts),
};
