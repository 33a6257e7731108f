import type DataLoader from 'dataloader';
import { manyByKey, oneByKey, type Clock } from '../../../platform/src';
import type { AlertRecord, AlertsStore } from './store/alerts-store';

/** The per-request loaders of alerts. No authorization here: access-rules.ts decides fields. */
export interface AlertsLoaders {
  readonly alert: DataLoader<string, AlertRecord | null>;
  /** Active entries on a subject. */
  readonly activeBySubject: DataLoader<string, AlertRecord[]>;
  /** Every entry on a subject, cleared and expired included. */
  readonly allBySubject: DataLoader<string, AlertRecord[]>;
}

/** Builds one request's loaders; "active" is judged at the request's clock. */
export function createAlertsLoaders(store: AlertsStore, clock: Clock): AlertsLoaders {
  const now = clock.now().toISOString();
  return {
    alert: oneByKey(
      (ids) => store.alertsByIds(ids),
      (a) => a.id,
    ),
    activeBySubject: manyByKey(
      (ids) => store.alertsBySubjectIds(ids, { activeAt: now }),
      (a) => a.subjectId ?? '',
    ),
    allBySubject: manyByKey(
      (ids) => store.alertsBySubjectIds(ids, { activeAt: null }),
      (a) => a.subjectId ?? '',
    ),
  };
}
