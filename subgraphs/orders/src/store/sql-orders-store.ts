import { migrate, openSqlClient, SqlStoreBase, placeholders, readBool, type SqlClient, type SqlValue, type StoreLocation } from '../../../../platform/src';
import { applyOrderEvent, type Actor, type OrderEvent, type OrderEventPayload, type OrderState } from '../order-events';
import { protectiveOrderEventBody } from '../../../../schema/events/protective-order-events';
import { ORDERS_MIGRATIONS } from './migrations';
import { addToOutbox, SqlOrderOutbox } from './sql-order-outbox';
import { VersionConflictError, type OrderRecord, type OrdersSeed, type OrdersStore, type ProtectedPartyLink, type ProtectedPartyRecord } from './orders-store';

interface OrderRow {
  id: string;
  case_number: string;
  court: string;
  order_type: OrderState['type'];
  issued_at: string;
  expires_at: string | null;
  terminated_at: string | null;
  termination_reason: string | null;
  restrained_person_id: string;
  no_contact: number;
  stay_away_yards: number | null;
  stay_away_from: string;
  firearms_prohibited: number;
  move_out: number;
  other_terms: string | null;
  served: number;
  served_at: string | null;
  service_method: OrderState['service']['method'];
  version: number;
}

const ORDER_COLUMNS = `o.id, o.case_number, o.court, o.order_type, o.issued_at, o.expires_at, o.terminated_at,
  o.termination_reason, o.restrained_person_id, o.no_contact, o.stay_away_yards, o.stay_away_from,
  o.firearms_prohibited, o.move_out, o.other_terms, o.served, o.served_at, o.service_method, o.version`;

function toOrder(r: OrderRow): OrderRecord {
  return {
    id: r.id,
    caseNumber: r.case_number,
    court: r.court,
    type: r.order_type,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    terminatedAt: r.terminated_at,
    terminationReason: r.termination_reason,
    restrainedPersonId: r.restrained_person_id,
    terms: {
      noContact: readBool(r.no_contact),
      stayAwayYards: r.stay_away_yards,
      stayAwayFrom: JSON.parse(r.stay_away_from) as string[],
      firearmsProhibited: readBool(r.firearms_prohibited),
      moveOut: readBool(r.move_out),
      other: r.other_terms,
    },
    service: { served: readBool(r.served), servedAt: r.served_at, method: r.service_method },
    version: Number(r.version),
  };
}

interface PartyRow {
  order_id: string;
  seq: number;
  last_name: string;
  first_name: string;
  middle_name: string | null;
  date_of_birth: string | null;
  relationship: ProtectedPartyRecord['relationship'];
  person_id: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
}

function toParty(r: PartyRow): ProtectedPartyRecord {
  return {
    orderId: r.order_id,
    seq: r.seq,
    name: { last: r.last_name, first: r.first_name, middle: r.middle_name },
    dateOfBirth: r.date_of_birth,
    relationship: r.relationship,
    personId: r.person_id,
    address: r.street || r.city ? { street: r.street, city: r.city, state: r.state, postalCode: r.postal_code } : null,
  };
}

/** True for a unique-key violation in either engine: another writer got there first. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

const ORDER_ID = /^PO-(\d{6,})$/;

/** The orders store over either SQL adapter: event log plus projection, written together. */
export class SqlOrdersStore extends SqlStoreBase implements OrdersStore {
  readonly outbox = new SqlOrderOutbox(this.sql);

  /** Opens and migrates the store at a location. */
  static async open(location: StoreLocation): Promise<SqlOrdersStore> {
    const client = await openSqlClient(location, 'orders');
    await migrate(client, ORDERS_MIGRATIONS);
    return new SqlOrdersStore(client);
  }

  async ordersByIds(ids: readonly string[]): Promise<OrderRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.all<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id IN (${placeholders(ids.length)})`, ids);
    return rows.map(toOrder);
  }

  async ordersByRestrainedPersonIds(ids: readonly string[]): Promise<OrderRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.all<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.restrained_person_id IN (${placeholders(ids.length)})
       ORDER BY o.issued_at DESC, o.id`,
      ids,
    );
    return rows.map(toOrder);
  }

  async ordersProtectingPersonIds(ids: readonly string[]): Promise<Array<{ personId: string; order: OrderRecord }>> {
    if (ids.length === 0) return [];
    const rows = await this.sql.all<OrderRow & { protected_person_id: string }>(
      `SELECT DISTINCT p.person_id AS protected_person_id, ${ORDER_COLUMNS}
       FROM order_parties p JOIN orders o ON o.id = p.order_id
       WHERE p.person_id IN (${placeholders(ids.length)}) ORDER BY o.issued_at DESC, o.id`,
      ids,
    );
    return rows.map((r) => ({ personId: r.protected_person_id, order: toOrder(r) }));
  }

  async ordersByCaseNumber(caseNumber: string | null, limit: number): Promise<OrderRecord[]> {
    const rows = caseNumber
      ? await this.sql.all<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.case_number = ? ORDER BY o.issued_at DESC, o.id LIMIT ?`, [
          caseNumber,
          limit,
        ])
      : await this.sql.all<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders o ORDER BY o.issued_at DESC, o.id LIMIT ?`, [limit]);
    return rows.map(toOrder);
  }

  async partiesByOrderIds(ids: readonly string[]): Promise<ProtectedPartyRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.all<PartyRow>(
      `SELECT order_id, seq, last_name, first_name, middle_name, date_of_birth, relationship, person_id, street, city, state, postal_code
       FROM order_parties WHERE order_id IN (${placeholders(ids.length)}) ORDER BY order_id, seq`,
      ids,
    );
    return rows.map(toParty);
  }

  async eventsByOrderIds(ids: readonly string[]): Promise<OrderEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.all<{
      order_id: string;
      version: number;
      at: string;
      actor_sub: string;
      actor_name: string | null;
      actor_ori: string;
      payload: string;
      changes: string;
    }>(
      `SELECT order_id, version, at, actor_sub, actor_name, actor_ori, payload, changes FROM order_events
       WHERE order_id IN (${placeholders(ids.length)}) ORDER BY order_id, version`,
      ids,
    );
    return rows.map((r) => ({
      orderId: r.order_id,
      version: Number(r.version),
      at: r.at,
      actor: { sub: r.actor_sub, name: r.actor_name, ori: r.actor_ori },
      payload: JSON.parse(r.payload) as OrderEventPayload,
      changes: JSON.parse(r.changes) as OrderEvent['changes'],
    }));
  }

  async append(orderId: string | null, expectedVersion: number, at: string, actor: Actor, payload: OrderEventPayload): Promise<OrderRecord> {
    // A new order's id is taken from the projection inside the transaction; two issuers on
    // PostgreSQL may take the same one, and the loser's key violation sends it round again.
    for (let attempt = 0; ; attempt++) {
      try {
        const order = await this.sql.transaction((tx) => appendIn(tx, orderId, expectedVersion, at, actor, payload));
        this.outbox.committed();
        return order;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (orderId !== null || attempt >= 4) {
          const current = orderId ? ((await this.ordersByIds([orderId]))[0]?.version ?? null) : null;
          throw new VersionConflictError(orderId ?? 'new order', expectedVersion, current);
        }
      }
    }
  }

  async protectedPartyLinks(after: { orderId: string; seq: number } | null, limit: number): Promise<ProtectedPartyLink[]> {
    const rows = await this.sql.all<{ order_id: string; seq: number; person_id: string; terminated_at: string | null; expires_at: string | null }>(
      `SELECT p.order_id, p.seq, p.person_id, o.terminated_at, o.expires_at
       FROM order_parties p JOIN orders o ON o.id = p.order_id
       WHERE p.person_id IS NOT NULL AND (p.order_id > ? OR (p.order_id = ? AND p.seq > ?))
       ORDER BY p.order_id, p.seq LIMIT ?`,
      [after?.orderId ?? '', after?.orderId ?? '', after?.seq ?? 0, limit],
    );
    return rows.map((r) => ({ orderId: r.order_id, seq: Number(r.seq), personId: r.person_id, inForceUntil: r.terminated_at ?? r.expires_at }));
  }

  async countOrders(): Promise<number> {
    const row = await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM orders');
    return Number(row?.n ?? 0);
  }

  /**
   * Writes a seed's events as `append` would, one order after another, in bulk: each order's
   * events are folded in memory (the seed holds every event of an order it issues), then its
   * events, its row as of the last event and its parties as of the first go in as three bulk
   * inserts (COPY on PostgreSQL). An order already stored takes the events one at a time.
   */
  async insertSeed(batch: OrdersSeed): Promise<void> {
    const byOrder = new Map<string, OrdersSeed['events']>();
    for (const e of batch.events) byOrder.set(e.orderId, [...(byOrder.get(e.orderId) ?? []), e]);
    await this.sql.transaction(async (tx) => {
      const ids = [...byOrder.keys()];
      const stored = new Set<string>();
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        for (const [id] of await tx.rows<[string]>(`SELECT id FROM orders WHERE id IN (${placeholders(part.length)})`, part)) stored.add(id);
      }
      const events: SqlValue[][] = [];
      const orders: SqlValue[][] = [];
      const parties: SqlValue[][] = [];
      for (const [orderId, orderEvents] of byOrder) {
        if (stored.has(orderId)) {
          for (const e of orderEvents) {
            const current = await loadState(tx, e.orderId);
            // Seeded events are history, not news: published already, so no subscriber is flooded.
            await appendIn(tx, e.orderId, current?.version ?? 0, e.at, e.actor, e.payload, true);
          }
          continue;
        }
        let state: OrderState | null = null;
        let first: OrderState | null = null;
        for (const e of orderEvents) {
          const applied = applyOrderEvent(state, orderId, e.payload);
          state = applied.state;
          first ??= state;
          events.push([
            orderId,
            state.version,
            e.payload.type,
            e.at,
            e.actor.sub,
            e.actor.name,
            e.actor.ori,
            JSON.stringify(e.payload),
            JSON.stringify(applied.changes),
          ]);
        }
        if (!state || !first) continue;
        orders.push([...orderColumns(state), orderId]);
        let seq = 0;
        for (const p of first.protectedParties) parties.push(partyColumns(orderId, ++seq, p));
      }
      await tx.insertRows('order_events', EVENT_INSERT_COLUMNS, events);
      await tx.insertRows('orders', ORDER_INSERT_COLUMNS, orders);
      await tx.insertRows('order_parties', PARTY_INSERT_COLUMNS, parties);
    });
  }

  /** Refreshes the planner's statistics (after a bulk load). */
  async analyze(): Promise<void> {
    await this.sql.analyze(['order_events', 'orders', 'order_parties']);
  }
}

const EVENT_INSERT_COLUMNS = ['order_id', 'version', 'event_type', 'at', 'actor_sub', 'actor_name', 'actor_ori', 'payload', 'changes'];
const ORDER_INSERT_COLUMNS = [
  'case_number',
  'court',
  'order_type',
  'issued_at',
  'expires_at',
  'terminated_at',
  'termination_reason',
  'restrained_person_id',
  'no_contact',
  'stay_away_yards',
  'stay_away_from',
  'firearms_prohibited',
  'move_out',
  'other_terms',
  'served',
  'served_at',
  'service_method',
  'version',
  'id',
];
const PARTY_INSERT_COLUMNS = [
  'order_id',
  'seq',
  'last_name',
  'first_name',
  'middle_name',
  'date_of_birth',
  'relationship',
  'person_id',
  'street',
  'city',
  'state',
  'postal_code',
];

/** An order's row as stored (ORDER_INSERT_COLUMNS but the id, in order). */
function orderColumns(state: OrderState): SqlValue[] {
  return [
    state.caseNumber,
    state.court,
    state.type,
    state.issuedAt,
    state.expiresAt,
    state.terminatedAt,
    state.terminationReason,
    state.restrainedPersonId,
    state.terms.noContact,
    state.terms.stayAwayYards,
    JSON.stringify(state.terms.stayAwayFrom),
    state.terms.firearmsProhibited,
    state.terms.moveOut,
    state.terms.other,
    state.service.served,
    state.service.servedAt,
    state.service.method,
    state.version,
  ];
}

/** A protected party's row as stored (PARTY_INSERT_COLUMNS, in order). */
function partyColumns(orderId: string, seq: number, p: OrderState['protectedParties'][number]): SqlValue[] {
  return [
    orderId,
    seq,
    p.name.last,
    p.name.first,
    p.name.middle ?? null,
    p.dateOfBirth,
    p.relationship,
    p.personId,
    p.address?.street ?? null,
    p.address?.city ?? null,
    p.address?.state ?? null,
    p.address?.postalCode ?? null,
  ];
}

async function loadState(tx: SqlClient, orderId: string): Promise<OrderState | null> {
  const row = await tx.get<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = ?`, [orderId]);
  if (!row) return null;
  const parties = await tx.all<PartyRow>(
    `SELECT order_id, seq, last_name, first_name, middle_name, date_of_birth, relationship, person_id, street, city, state, postal_code
     FROM order_parties WHERE order_id = ? ORDER BY seq`,
    [orderId],
  );
  return { ...toOrder(row), protectedParties: parties.map(toParty) };
}

async function nextOrderId(tx: SqlClient): Promise<string> {
  const row = await tx.get<{ id: string | null }>("SELECT MAX(id) AS id FROM orders WHERE id LIKE 'PO-%'");
  const n = row?.id && ORDER_ID.test(row.id) ? Number(ORDER_ID.exec(row.id)![1]) + 1 : 1;
  return `PO-${String(n).padStart(6, '0')}`;
}

async function appendIn(
  tx: SqlClient,
  requestedId: string | null,
  expectedVersion: number,
  at: string,
  actor: Actor,
  payload: OrderEventPayload,
  alreadyPublished = false,
): Promise<OrderRecord> {
  const orderId = requestedId ?? (await nextOrderId(tx));
  const current = await loadState(tx, orderId);
  const currentVersion = current?.version ?? 0;
  if (currentVersion !== expectedVersion) throw new VersionConflictError(orderId, expectedVersion, current?.version ?? null);
  const { state, changes } = applyOrderEvent(current, orderId, payload);
  await tx.run(
    `INSERT INTO order_events (order_id, version, event_type, at, actor_sub, actor_name, actor_ori, payload, changes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [orderId, state.version, payload.type, at, actor.sub, actor.name, actor.ori, JSON.stringify(payload), JSON.stringify(changes)],
  );
  // The outbox row in the same transaction: committed together with the change, or not at all.
  const personIds = [...new Set([state.restrainedPersonId, ...state.protectedParties.flatMap((p) => (p.personId ? [p.personId] : []))])];
  const body = protectiveOrderEventBody({ orderId, type: payload.type, version: state.version, at, personIds });
  await addToOutbox(tx, { key: orderId, version: state.version, body, published: alreadyPublished });
  const columns = orderColumns(state);
  if (!current) {
    await tx.run(
      `INSERT INTO orders (case_number, court, order_type, issued_at, expires_at, terminated_at, termination_reason,
         restrained_person_id, no_contact, stay_away_yards, stay_away_from, firearms_prohibited, move_out, other_terms,
         served, served_at, service_method, version, id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...columns, orderId],
    );
    let seq = 0;
    for (const p of state.protectedParties) {
      await tx.run(
        `INSERT INTO order_parties (${PARTY_INSERT_COLUMNS.join(', ')}) VALUES (${placeholders(PARTY_INSERT_COLUMNS.length)})`,
        partyColumns(orderId, ++seq, p),
      );
    }
  } else {
    const updated = await tx.run(
      `UPDATE orders SET case_number = ?, court = ?, order_type = ?, issued_at = ?, expires_at = ?, terminated_at = ?,
         termination_reason = ?, restrained_person_id = ?, no_contact = ?, stay_away_yards = ?, stay_away_from = ?,
         firearms_prohibited = ?, move_out = ?, other_terms = ?, served = ?, served_at = ?, service_method = ?, version = ?
       WHERE id = ? AND version = ?`,
      [...columns, orderId, expectedVersion],
    );
    if (updated.changes !== 1) throw new VersionConflictError(orderId, expectedVersion, null);
  }
  const { protectedParties: _parties, ...record } = state;
  return record;
}
