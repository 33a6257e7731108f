import type { Migration } from '../../../../platform/src';

/** The criminal-history schema, in SQL both SQLite and PostgreSQL run. Dates are ISO text. */
export const CRIMINAL_HISTORY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'persons, aliases, arrests, charges',
    up: `
      CREATE TABLE persons (
        id TEXT PRIMARY KEY,
        last_name TEXT NOT NULL,
        first_name TEXT NOT NULL,
        middle_name TEXT,
        last_code1 TEXT NOT NULL,
        last_code2 TEXT NOT NULL,
        date_of_birth TEXT NOT NULL,
        sex TEXT NOT NULL,
        height_inches INTEGER,
        weight_pounds INTEGER,
        eye_color TEXT,
        hair_color TEXT,
        fbi_number TEXT,
        dl_number TEXT,
        dl_state TEXT,
        ssn_last4 TEXT,
        street TEXT,
        city TEXT,
        state TEXT,
        postal_code TEXT
      );
      CREATE INDEX persons_last_code1 ON persons (last_code1);
      CREATE INDEX persons_last_code2 ON persons (last_code2);
      CREATE TABLE person_aliases (
        person_id TEXT NOT NULL REFERENCES persons (id),
        seq INTEGER NOT NULL,
        last_name TEXT NOT NULL,
        first_name TEXT NOT NULL,
        middle_name TEXT,
        last_code1 TEXT NOT NULL,
        last_code2 TEXT NOT NULL,
        PRIMARY KEY (person_id, seq)
      );
      CREATE INDEX person_aliases_code1 ON person_aliases (last_code1);
      CREATE INDEX person_aliases_code2 ON person_aliases (last_code2);
      CREATE TABLE arrests (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons (id),
        arrest_date TEXT NOT NULL,
        agency TEXT NOT NULL,
        sealed INTEGER NOT NULL DEFAULT 0,
        juvenile INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX arrests_person ON arrests (person_id);
      CREATE TABLE charges (
        arrest_id TEXT NOT NULL REFERENCES arrests (id),
        seq INTEGER NOT NULL,
        statute TEXT NOT NULL,
        description TEXT NOT NULL,
        level TEXT NOT NULL,
        disposition_type TEXT,
        disposition_date TEXT,
        court TEXT,
        sentence TEXT,
        relief TEXT,
        PRIMARY KEY (arrest_id, seq)
      );
    `,
  },
  {
    version: 2,
    name: 'normalised last names, for exact-spelling search',
    // Filled by the store as it opens (normaliseName runs in the application, so the column is
    // exactly what the search compares against) and on every insert.
    up: `
      ALTER TABLE persons ADD COLUMN last_norm TEXT;
      ALTER TABLE person_aliases ADD COLUMN last_norm TEXT;
      CREATE INDEX persons_last_norm ON persons (last_norm);
      CREATE INDEX person_aliases_last_norm ON person_aliases (last_norm);
    `,
  },
  {
    version: 3,
    name: 'last-name key with date of birth, for screening by exact identity',
    up: 'CREATE INDEX persons_last_norm_dob ON persons (last_norm, date_of_birth);',
  },
];
