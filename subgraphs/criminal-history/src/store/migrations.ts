import type { Migration } from '../../../../platform/src';

/**
 * The search keys' secondary indexes (migration 6). A bulk load into an empty store drops them
 * first and builds them after (`SEARCH_KEY_INDEX_NAMES`): a sorted build is several times faster
 * than growing four indexes row by row.
 */
export const SEARCH_KEY_INDEXES = `
  CREATE INDEX person_search_keys_last ON person_search_keys (last_code, person_id, last_norm);
  CREATE INDEX person_search_keys_last_first ON person_search_keys (last_code, first_code, person_id, last_norm, first_norm);
  CREATE INDEX person_search_keys_last_first_dob ON person_search_keys (last_code, first_code, date_of_birth);
  CREATE INDEX person_search_keys_last_dob ON person_search_keys (last_code, date_of_birth);
`;

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
    // docs/design.md §4 rule 12: AR-00000001, … numbered every arrest in one sequence, so the gaps between
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
    // docs/design.md §4 rule 11. Kept by the orders subgraph's writes and the seed; a store that had rows
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
  {
    version: 6,
    name: 'search keys: one row per name and sound, narrowed by first name and date of birth',
    // Issue 20: a common surname has ~200,000 bearers in a state's 20 million persons. The search
    // reads candidates level by level through these indexes (person-search.ts), each in person
    // order, never every bearer. A row per distinct (last-name code, first-name code) of each
    // name — the person's and each alias's — so every lookup is one index range:
    //   (last_code, person_id, last_norm)       a last name by sound or spelling, in person order
    //   (last_code, first_code, person_id, …)   with the first name by sound or spelling, in person order
    //   (last_code, first_code, date_of_birth)  with the first name and the dates near the one asked
    //   (last_code, date_of_birth)              with the dates near the one asked, any first name
    // Every column compares bytewise on both engines (COLLATE "C" on PostgreSQL, SQLite's BINARY):
    // the search's keyset paging and tie-break compare ids so, a year of births is the text range
    // ['1985-', '1985.'), which a language's collation (punctuation ignored) would not keep, and
    // the indexes build faster (6.1 → 4.9 s and 5.6 → 3.8 s for two of them at 1,000,000 persons). The store fills the table from
    // persons and aliases as it opens (the codes are the application's Double Metaphone), and
    // marks it complete in store_metadata ('search-keys'). The code indexes of migration 1 are
    // no longer read by any search.
    up: {
      sqlite: `
        CREATE TABLE person_search_keys (
          person_id TEXT NOT NULL,
          last_code TEXT NOT NULL,
          first_code TEXT NOT NULL,
          last_norm TEXT NOT NULL,
          first_norm TEXT NOT NULL,
          date_of_birth TEXT NOT NULL
        );
        ${SEARCH_KEY_INDEXES}
        DROP INDEX persons_last_code1;
        DROP INDEX persons_last_code2;
        DROP INDEX person_aliases_code1;
        DROP INDEX person_aliases_code2;
      `,
      postgres: `
        CREATE TABLE person_search_keys (
          person_id TEXT COLLATE "C" NOT NULL,
          last_code TEXT COLLATE "C" NOT NULL,
          first_code TEXT COLLATE "C" NOT NULL,
          last_norm TEXT COLLATE "C" NOT NULL,
          first_norm TEXT COLLATE "C" NOT NULL,
          date_of_birth TEXT COLLATE "C" NOT NULL
        );
        ${SEARCH_KEY_INDEXES}
        DROP INDEX persons_last_code1;
        DROP INDEX persons_last_code2;
        DROP INDEX person_aliases_code1;
        DROP INDEX person_aliases_code2;
      `,
    },
  },
  {
    version: 7,
    name: 'no index on the last name alone: the last name with the date of birth serves it',
    // persons_last_norm_dob (migration 3) leads with last_norm, so a lookup by the last name
    // alone reads the same range of it. The second index cost every insert a b-tree write and
    // every bulk load a sort of the whole table (issue 20: seeding's index builds).
    up: 'DROP INDEX persons_last_norm;',
  },
];
