import type { Migration } from '../../../../platform/src';

/** The alerts schema: one row per hot-file entry. Portable SQL. */
export const ALERTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'alerts hot file',
    up: `
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        alert_type TEXT NOT NULL,
        subject_id TEXT,
        agency TEXT NOT NULL,
        entered_at TEXT NOT NULL,
        expires_at TEXT,
        cancelled INTEGER NOT NULL DEFAULT 0,
        caution_codes TEXT,
        caution_note TEXT,
        warrant_number TEXT,
        warrant_offense TEXT,
        extradition TEXT,
        bail_amount INTEGER,
        missing_categories TEXT,
        last_seen_at TEXT,
        last_seen_place TEXT
      );
      CREATE INDEX alerts_subject ON alerts (subject_id);
      CREATE INDEX alerts_type_entered ON alerts (alert_type, entered_at);
    `,
  },
];
