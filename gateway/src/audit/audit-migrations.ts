import type { Migration } from '../../../platform/src';

/** The audit log's schema. Records are append-only: triggers refuse UPDATE, and DELETE outside a purge. */
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit records, subjects index, chains, checkpoints',
    up: `
      CREATE TABLE audit_chains (
        chain_id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        host TEXT NOT NULL
      );
      CREATE TABLE audit_records (
        chain_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        request_id TEXT NOT NULL,
        at TEXT NOT NULL,
        user_sub TEXT,
        user_name TEXT,
        ori TEXT,
        client TEXT,
        scopes TEXT NOT NULL,
        purpose TEXT,
        reason TEXT,
        operation_type TEXT,
        operation_name TEXT,
        document_hash TEXT,
        document TEXT,
        variables TEXT,
        outcome TEXT NOT NULL,
        denied_paths TEXT NOT NULL,
        error_codes TEXT NOT NULL,
        fields_resolved TEXT NOT NULL,
        subjects TEXT NOT NULL,
        source_address TEXT,
        user_agent TEXT,
        duration_ms INTEGER NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (chain_id, seq)
      );
      CREATE INDEX audit_records_at ON audit_records (at);
      CREATE INDEX audit_records_user ON audit_records (user_sub, at);
      CREATE TABLE audit_subjects (
        chain_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        subject TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (chain_id, seq, subject)
      );
      CREATE INDEX audit_subjects_subject ON audit_subjects (subject, at);
      CREATE TABLE audit_checkpoints (
        chain_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        purged_before TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (chain_id, seq)
      );
      CREATE TABLE audit_purge_gate (id INTEGER PRIMARY KEY, open INTEGER NOT NULL);
      INSERT INTO audit_purge_gate (id, open) VALUES (1, 0);
    `,
  },
  {
    version: 2,
    name: 'append-only guards',
    up: {
      sqlite: `
        CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
        CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
        WHEN (SELECT open FROM audit_purge_gate WHERE id = 1) = 0
        BEGIN SELECT RAISE(ABORT, 'audit records are deleted only by the retention purge'); END;
      `,
      postgres: `
        CREATE FUNCTION audit_records_guard() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'audit records are append-only'; END IF;
          IF (SELECT open FROM audit_purge_gate WHERE id = 1) = 0 THEN
            RAISE EXCEPTION 'audit records are deleted only by the retention purge';
          END IF;
          RETURN OLD;
        END $$ LANGUAGE plpgsql SET search_path FROM CURRENT;
        CREATE TRIGGER audit_records_guard BEFORE UPDATE OR DELETE ON audit_records
        FOR EACH ROW EXECUTE FUNCTION audit_records_guard();
      `,
    },
  },
  {
    version: 3,
    name: 'subjects index as one b-tree keyed by subject',
    // Wide answers disclose a hundred subjects: each one was two b-tree inserts (key and index).
    // Keyed by (subject, at, chain, seq) it is one, and still serves "who looked at X, when".
    up: {
      sqlite: `
        CREATE TABLE audit_subject_index (
          subject TEXT NOT NULL, at TEXT NOT NULL, chain_id TEXT NOT NULL, seq INTEGER NOT NULL,
          PRIMARY KEY (subject, at, chain_id, seq)
        ) WITHOUT ROWID;
        INSERT INTO audit_subject_index (subject, at, chain_id, seq) SELECT subject, at, chain_id, seq FROM audit_subjects;
        DROP TABLE audit_subjects;
      `,
      postgres: `
        CREATE TABLE audit_subject_index (
          subject TEXT NOT NULL, at TEXT NOT NULL, chain_id TEXT NOT NULL, seq INTEGER NOT NULL,
          PRIMARY KEY (subject, at, chain_id, seq)
        );
        INSERT INTO audit_subject_index (subject, at, chain_id, seq) SELECT subject, at, chain_id, seq FROM audit_subjects;
        DROP TABLE audit_subjects;
      `,
    },
  },
  {
    version: 4,
    name: 'subject index written behind the log, with its progress per chain',
    // Records before this version were indexed in their own commit: their chains are up to date.
    up: `
      CREATE TABLE audit_index_progress (
        chain_id TEXT PRIMARY KEY,
        indexed_seq INTEGER NOT NULL
      );
      INSERT INTO audit_index_progress (chain_id, indexed_seq) SELECT chain_id, MAX(seq) FROM audit_records GROUP BY chain_id;
    `,
  },
  {
    version: 5,
    name: 'trusted documents: the registered operation run, and whether it was one',
    // Both columns are NULL in records written before: those records hash without the fields.
    up: `
      ALTER TABLE audit_records ADD COLUMN document_id TEXT;
      ALTER TABLE audit_records ADD COLUMN document_trust TEXT;
    `,
  },
  {
    version: 6,
    name: 'verified checkpoints: where the last verify left each chain intact',
    // Append-only like the records: a checkpoint moved forward would hide the records it skips.
    up: {
      sqlite: `
        CREATE TABLE audit_verified (
          chain_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, verified_at TEXT NOT NULL,
          PRIMARY KEY (chain_id, seq)
        );
        CREATE TRIGGER audit_verified_no_update BEFORE UPDATE ON audit_verified
        BEGIN SELECT RAISE(ABORT, 'verified checkpoints are append-only'); END;
        CREATE TRIGGER audit_verified_no_delete BEFORE DELETE ON audit_verified
        BEGIN SELECT RAISE(ABORT, 'verified checkpoints are append-only'); END;
      `,
      postgres: `
        CREATE TABLE audit_verified (
          chain_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, verified_at TEXT NOT NULL,
          PRIMARY KEY (chain_id, seq)
        );
        CREATE FUNCTION audit_verified_guard() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'verified checkpoints are append-only'; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER audit_verified_guard BEFORE UPDATE OR DELETE ON audit_verified
        FOR EACH ROW EXECUTE FUNCTION audit_verified_guard();
      `,
    },
  },
  {
    version: 7,
    name: 'PostgreSQL: records and subject index partitioned by month',
    // A billion records a year: retention drops a month's partitions instead of deleting rows one
    // by one, and a query by time reads only its months. SQLite (the embedded default, one
    // machine's worth of records) stays one table. The key must include the partition key, so it
    // is (chain_id, seq, at): verify names a second record with a chain's seq. Existing records
    // are copied over, every chain intact; the row guard is on the parent, and so on every
    // partition (PostgreSQL clones it).
    up: {
      sqlite: 'SELECT 1;',
      postgres: `
        ALTER TABLE audit_records RENAME TO audit_records_unpartitioned;
        ALTER INDEX audit_records_pkey RENAME TO audit_records_unpartitioned_pkey;
        ALTER INDEX audit_records_at RENAME TO audit_records_unpartitioned_at;
        ALTER INDEX audit_records_user RENAME TO audit_records_unpartitioned_user;
        CREATE TABLE audit_records (LIKE audit_records_unpartitioned INCLUDING DEFAULTS, PRIMARY KEY (chain_id, seq, at)) PARTITION BY RANGE (at);
        CREATE INDEX audit_records_at ON audit_records (at);
        CREATE INDEX audit_records_user ON audit_records (user_sub, at);
        ALTER TABLE audit_subject_index RENAME TO audit_subject_index_unpartitioned;
        ALTER INDEX audit_subject_index_pkey RENAME TO audit_subject_index_unpartitioned_pkey;
        CREATE TABLE audit_subject_index (
          subject TEXT NOT NULL, at TEXT NOT NULL, chain_id TEXT NOT NULL, seq INTEGER NOT NULL,
          PRIMARY KEY (subject, at, chain_id, seq)
        ) PARTITION BY RANGE (at);

        -- The months from from_at's to to_at's, each a partition of both tables, named
        -- audit_records_pYYYYMM and audit_subject_index_pYYYYMM (retention reads the bounds
        -- from the names). Bounds are ISO dates: a record's at ('2026-01-31T23:59:59.999Z')
        -- sorts before the next month's '2026-02-01'.
        CREATE FUNCTION audit_ensure_partitions(from_at text, to_at text) RETURNS integer AS $$
        DECLARE
          m date := date_trunc('month', from_at::timestamptz AT TIME ZONE 'UTC')::date;
          last_month date := date_trunc('month', to_at::timestamptz AT TIME ZONE 'UTC')::date;
          made integer := 0;
        BEGIN
          PERFORM pg_advisory_xact_lock(7201947);
          WHILE m <= last_month LOOP
            IF to_regclass('audit_records_p' || to_char(m, 'YYYYMM')) IS NULL THEN
              EXECUTE format('CREATE TABLE %I PARTITION OF audit_records FOR VALUES FROM (%L) TO (%L)',
                'audit_records_p' || to_char(m, 'YYYYMM'), to_char(m, 'YYYY-MM-DD'), to_char(m + interval '1 month', 'YYYY-MM-DD'));
              EXECUTE format('CREATE TABLE %I PARTITION OF audit_subject_index FOR VALUES FROM (%L) TO (%L)',
                'audit_subject_index_p' || to_char(m, 'YYYYMM'), to_char(m, 'YYYY-MM-DD'), to_char(m + interval '1 month', 'YYYY-MM-DD'));
              made := made + 1;
            END IF;
            m := (m + interval '1 month')::date;
          END LOOP;
          RETURN made;
        END $$ LANGUAGE plpgsql SET search_path FROM CURRENT;

        SELECT audit_ensure_partitions(
          LEAST((SELECT MIN(at) FROM audit_records_unpartitioned), (SELECT MIN(at) FROM audit_subject_index_unpartitioned), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')),
          GREATEST((SELECT MAX(at) FROM audit_records_unpartitioned), (SELECT MAX(at) FROM audit_subject_index_unpartitioned), to_char(now() AT TIME ZONE 'UTC' + interval '2 months', 'YYYY-MM-DD'))
        );
        INSERT INTO audit_records SELECT * FROM audit_records_unpartitioned;
        INSERT INTO audit_subject_index (subject, at, chain_id, seq) SELECT subject, at, chain_id, seq FROM audit_subject_index_unpartitioned;
        DROP TABLE audit_records_unpartitioned;
        DROP TABLE audit_subject_index_unpartitioned;
        CREATE TRIGGER audit_records_guard BEFORE UPDATE OR DELETE ON audit_records
        FOR EACH ROW EXECUTE FUNCTION audit_records_guard();
        ANALYZE audit_records;
        ANALYZE audit_subject_index;
      `,
    },
  },
  {
    version: 8,
    name: "each chain's last written seq, beside its indexed mark",
    // A query by subject reads the records past each chain's indexed mark by their subjects
    // column. Which chains lag was a probe of every chain through every partition (730 chains
    // of a year: seconds); with the head written in each commit it is a compare of two rows.
    up: `
      CREATE TABLE audit_chain_heads (chain_id TEXT PRIMARY KEY, written_seq INTEGER NOT NULL);
      INSERT INTO audit_chain_heads (chain_id, written_seq) SELECT chain_id, MAX(seq) FROM audit_records GROUP BY chain_id;
    `,
  },
  {
    version: 9,
    name: 'the trace id of the request, when traces are exported',
    // NULL in records written before, which hash without the field (docs/design.md §5).
    up: `ALTER TABLE audit_records ADD COLUMN trace_id TEXT;`,
  },
  {
    version: 10,
    name: 'which subscription event a delivery record delivered',
    // NULL on every other record, which hashes without the field (docs/design.md §5).
    up: `ALTER TABLE audit_records ADD COLUMN delivered_event TEXT;`,
  },
];
