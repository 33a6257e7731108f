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
  {
    version: 2,
    name: 'opaque alert ids in place of the global sequence',
    // docs/design.md §4 rule 12: ids that reveal nothing of records the caller cannot see — so no global
    // sequence (AL-0000004, …). Entries of the old shape take a random id of the shape the seed now
    // gives (RecordIds), stable once written; the three fixture entries keep the names DESIGN's
    // fixtures and the tests use (AL-0000001..3).
    up: {
      sqlite: `
        UPDATE alerts SET id = 'AL-' || upper(hex(randomblob(10)))
        WHERE id GLOB 'AL-[0-9][0-9][0-9][0-9][0-9][0-9][0-9]' AND id NOT IN ('AL-0000001', 'AL-0000002', 'AL-0000003');
      `,
      postgres: `
        UPDATE alerts SET id = 'AL-' || upper(substr(encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'), 1, 20))
        WHERE id ~ '^AL-[0-9]{7}$' AND id NOT IN ('AL-0000001', 'AL-0000002', 'AL-0000003');
      `,
    },
  },
];
