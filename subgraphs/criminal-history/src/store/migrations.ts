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
  {
    version: 4,
    name: 'opaque arrest ids in place of the global sequence',
    // DESIGN §4 rule 12: AR-00000001, … numbered every arrest in one sequence, so the gaps between
    // the arrests a caller sees counted the sealed and juvenile ones they may not. Each arrest of
    // the old shape takes a random id of the shape the seed now gives (RecordIds): random, not
    // keyed, because the store holds no key — stable all the same, being written once. Rows are
    // copied under the new id, their charges moved, the old rows deleted: no foreign key is ever
    // broken, on either engine.
    up: {
      sqlite: `
        CREATE TEMP TABLE arrest_rekey AS
          SELECT id AS old_id, 'AR-' || upper(hex(randomblob(10))) AS new_id FROM arrests
          WHERE id GLOB 'AR-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
        INSERT INTO arrests (id, person_id, arrest_date, agency, sealed, juvenile)
          SELECT k.new_id, a.person_id, a.arrest_date, a.agency, a.sealed, a.juvenile FROM arrests a JOIN arrest_rekey k ON k.old_id = a.id;
        UPDATE charges SET arrest_id = (SELECT new_id FROM arrest_rekey WHERE old_id = charges.arrest_id)
          WHERE arrest_id IN (SELECT old_id FROM arrest_rekey);
        DELETE FROM arrests WHERE id IN (SELECT old_id FROM arrest_rekey);
        DROP TABLE arrest_rekey;
      `,
      postgres: `
        CREATE TEMP TABLE arrest_rekey ON COMMIT DROP AS
          SELECT id AS old_id, 'AR-' || upper(substr(encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'), 1, 20)) AS new_id
          FROM arrests WHERE id ~ '^AR-[0-9]{8}$';
        INSERT INTO arrests (id, person_id, arrest_date, agency, sealed, juvenile)
          SELECT k.new_id, a.person_id, a.arrest_date, a.agency, a.sealed, a.juvenile FROM arrests a JOIN arrest_rekey k ON k.old_id = a.id;
        UPDATE charges SET arrest_id = k.new_id FROM arrest_rekey k WHERE charges.arrest_id = k.old_id;
        DELETE FROM arrests WHERE id IN (SELECT old_id FROM arrest_rekey);
      `,
    },
  },
  {
    version: 5,
    name: 'address protections: persons protected by an order in force',
    // DESIGN §4 rule 11. Kept by the orders subgraph's writes and the seed; a store that had rows
    // before this migration knows none of them until synced (store_metadata 'address-protections'),
    // and until then every address counts as confidential.
    up: `
      CREATE TABLE address_protections (
        person_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        in_force_until TEXT,
        PRIMARY KEY (person_id, order_id)
      );
      CREATE INDEX address_protections_order ON address_protections (order_id);
    `,
  },
];
