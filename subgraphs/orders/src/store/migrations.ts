import type { Migration } from '../../../../platform/src';

/** The orders schema: the event log (source of truth) and its projection. Portable SQL. */
export const ORDERS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'order event log and projection',
    up: `
      CREATE TABLE order_events (
        order_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        event_type TEXT NOT NULL,
        at TEXT NOT NULL,
        actor_sub TEXT NOT NULL,
        actor_name TEXT,
        actor_ori TEXT NOT NULL,
        payload TEXT NOT NULL,
        changes TEXT NOT NULL,
        PRIMARY KEY (order_id, version)
      );
      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        case_number TEXT NOT NULL,
        court TEXT NOT NULL,
        order_type TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT,
        terminated_at TEXT,
        termination_reason TEXT,
        restrained_person_id TEXT NOT NULL,
        no_contact INTEGER NOT NULL,
        stay_away_yards INTEGER,
        stay_away_from TEXT NOT NULL,
        firearms_prohibited INTEGER NOT NULL,
        move_out INTEGER NOT NULL,
        other_terms TEXT,
        served INTEGER NOT NULL,
        served_at TEXT,
        service_method TEXT,
        version INTEGER NOT NULL
      );
      CREATE INDEX orders_restrained ON orders (restrained_person_id);
      CREATE INDEX orders_case ON orders (case_number);
      CREATE TABLE order_parties (
        order_id TEXT NOT NULL REFERENCES orders (id),
        seq INTEGER NOT NULL,
        last_name TEXT NOT NULL,
        first_name TEXT NOT NULL,
        middle_name TEXT,
        date_of_birth TEXT,
        relationship TEXT NOT NULL,
        person_id TEXT,
        street TEXT,
        city TEXT,
        state TEXT,
        postal_code TEXT,
        PRIMARY KEY (order_id, seq)
      );
      CREATE INDEX order_parties_person ON order_parties (person_id);
    `,
  },
  {
    version: 2,
    name: 'order event outbox',
    // The outbox (docs/design.md §8, decision 29): a row per event, written in the event's own
    // transaction, published by the relay in `seq` order. Events stored before this migration get
    // no row: they count as published, so a restart does not replay history to subscribers.
    up: {
      sqlite: `
        CREATE TABLE order_outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          order_id TEXT NOT NULL,
          version INTEGER NOT NULL,
          body TEXT NOT NULL,
          published INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX order_outbox_pending ON order_outbox (seq) WHERE published = 0;
      `,
      postgres: `
        CREATE TABLE order_outbox (
          seq BIGSERIAL PRIMARY KEY,
          order_id TEXT NOT NULL,
          version INTEGER NOT NULL,
          body TEXT NOT NULL,
          published INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX order_outbox_pending ON order_outbox (seq) WHERE published = 0;
      `,
    },
  },
];
