import { migrate, openSqlClient, SqlStoreBase, placeholders, readBool, valueRows, type SqlClient, type StoreLocation } from '../../../../platform/src';
import {
  ADDRESS_PROTECTIONS_META,
  type AddressProtection,
  type AliasRecord,
  type ArrestRecord,
  type ChargeRecord,
  type ConvictionRecord,
  type CriminalHistorySeed,
  type CriminalHistoryStore,
  type DispositionRecord,
  type PersonDetails,
  type PersonIdentity,
  type PersonName,
  type RecordVisibility,
  type SearchCandidate,
  type SearchKeyQuery,
  type SearchKeys,
} from './criminal-history-store';
import { normaliseName, searchKeyRows, type SearchKeyRow } from '../name-keys';
import { CRIMINAL_HISTORY_MIGRATIONS } from './migrations';

/** Store metadata key set once `person_search_keys` holds the keys of every person (migration 6). */
export const SEARCH_KEYS_META = 'search-keys';
/** Advisory lock of the search keys' backfill on PostgreSQL: replicas opening together fill it once. */
const SEARCH_KEYS_LOCK = 7_201_947;
const SEARCH_KEY_COLUMNS = ['person_id', 'last_code', 'first_code', 'last_norm', 'first_norm', 'date_of_birth'] as const;
/** The tables a bulk load writes, whose statistics it refreshes. */
const TABLES = ['persons', 'person_aliases', 'arrests', 'charges', 'address_protections', 'person_search_keys'] as const;
/** Persons read at a time by the backfill of search keys. */
const BACKFILL_BATCH = 5000;

/** A person's identity as read (an array: a search reads dozens): id, last, first, middle, date of birth, sex. */
type IdentityRow = [string, string, string, string | null, string, PersonIdentity['sex']];
const IDENTITY_COLUMNS = 'id, last_name, first_name, middle_name, date_of_birth, sex';
/** The same columns of `persons p`, for a join. */
const P_IDENTITY_COLUMNS = IDENTITY_COLUMNS.split(', ')
  .map((c) => `p.${c}`)
  .join(', ');

function toIdentity([id, last, first, middle, dateOfBirth, sex]: IdentityRow): PersonIdentity {
  return { id, name: { last, first, middle }, dateOfBirth, sex };
}

type DetailsRow = [
  personId: string,
  heightInches: number | null,
  weightPounds: number | null,
  eyeColor: string | null,
  hairColor: string | null,
  fbiNumber: string | null,
  dlNumber: string | null,
  dlState: string | null,
  ssnLast4: string | null,
  street: string | null,
  city: string | null,
  state: string | null,
  postalCode: string | null,
];
const DETAIL_COLUMNS = `height_inches, weight_pounds, eye_color, hair_color, fbi_number, dl_number, dl_state, ssn_last4,
  street, city, state, postal_code`;

function toDetails([
  personId,
  heightInches,
  weightPounds,
  eyeColor,
  hairColor,
  fbiNumber,
  dlNumber,
  dlState,
  ssnLast4,
  street,
  city,
  state,
  postalCode,
]: DetailsRow): PersonDetails {
  return {
    personId,
    physical: { heightInches, weightPounds, eyeColor, hairColor },
    identifiers: {
      fbiNumber,
      driverLicense: dlNumber && dlState ? { number: dlNumber, state: dlState } : null,
      ssnLast4,
    },
    lastKnownAddress: street || city ? { street, city, state, postalCode } : null,
  };
}

type AliasRow = [personId: string, last: string, first: string, middle: string | null];
type ArrestRow = [id: string, personId: string, date: string, agency: string, sealed: number, juvenile: number];
type ChargeRow = [
  arrestId: string,
  personId: string,
  seq: number,
  statute: string,
  description: string,
  level: ChargeRecord['level'],
  dispositionType: DispositionRecord['type'] | null,
  dispositionDate: string | null,
  court: string | null,
  sentence: string | null,
  relief: DispositionRecord['relief'],
];
type ConvictionRow = [
  personId: string,
  arrestId: string,
  statute: string,
  description: string,
  level: ConvictionRecord['level'],
  date: string,
  court: string | null,
  sentence: string | null,
];

/**
 * The statement listing the ids of persons a key query matches, after `after`, the first `limit`
 * in byte order; null when it can match nobody. Without dates, each (last code, first code) pair
 * is its own ordered range of an index that ends in person_id — read in order and stopped at
 * `limit`, never sorted whole — and the ranges are merged; with dates, the few names born on the
 * days asked (or in the year) are read through the date indexes and sorted.
 */
export function personIdsByKeys(query: SearchKeyQuery, after: string | null, limit: number): { sql: string; params: Array<string | number> } | null {
  const lastCodes = [...new Set(query.lastCodes)];
  const firstCodes = query.firstCodes ? [...new Set(query.firstCodes)] : null;
  if (lastCodes.length === 0 || (firstCodes && firstCodes.length === 0) || (query.dates && query.dates.length === 0)) return null;
  const names: string[] = [];
  const nameParams: string[] = [];
  if (query.lastNorm !== undefined) {
    names.push('last_norm = ?');
    nameParams.push(query.lastNorm);
  }
  if (query.firstNorm !== undefined) {
    names.push('first_norm = ?');
    nameParams.push(query.firstNorm);
  }
  const from = after === null ? [] : ['person_id > ?'];
  const fromParams = after === null ? [] : [after];
  if (query.dates || query.dateRange) {
    const where = [`last_code IN (${placeholders(lastCodes.length)})`];
    const params: Array<string | number> = [...lastCodes];
    if (firstCodes) {
      where.push(`first_code IN (${placeholders(firstCodes.length)})`);
      params.push(...firstCodes);
    }
    if (query.dates) {
      where.push(`date_of_birth IN (${placeholders(query.dates.length)})`);
      params.push(...query.dates);
    }
    if (query.dateRange) {
      where.push('date_of_birth >= ? AND date_of_birth < ?');
      params.push(query.dateRange[0], query.dateRange[1]);
    }
    return {
      sql: `SELECT DISTINCT person_id FROM person_search_keys WHERE ${[...where, ...names, ...from].join(' AND ')} ORDER BY person_id LIMIT ?`,
      params: [...params, ...nameParams, ...fromParams, limit],
    };
  }
  const ranges: string[] = [];
  const params: Array<string | number> = [];
  for (const lastCode of lastCodes) {
    for (const firstCode of firstCodes ?? [null]) {
      const where = ['last_code = ?', ...(firstCode === null ? [] : ['first_code = ?']), ...names, ...from];
      ranges.push(
        `SELECT person_id FROM (SELECT DISTINCT person_id FROM person_search_keys WHERE ${where.join(' AND ')} ORDER BY person_id LIMIT ?) AS r${ranges.length}`,
      );
      params.push(lastCode, ...(firstCode === null ? [] : [firstCode]), ...nameParams, ...fromParams, limit);
    }
  }
  if (ranges.length === 1) return { sql: ranges[0], params };
  return { sql: `${ranges.join(' UNION ')} ORDER BY 1 LIMIT ?`, params: [...params, limit] };
}

/** The rows hidden from callers without criminal_history:sealed (docs/design.md §4 rule 5). */
const NOT_SEALED = 'a.sealed = 0 AND a.juvenile = 0';

/**
 * The criminal-history store over either SQL adapter. Row rules live in these WHERE clauses:
 * the visibility passed in decides which arrests and convictions exist for the caller.
 */
export class SqlCriminalHistoryStore extends SqlStoreBase implements CriminalHistoryStore {
  /** Opens and migrates the store at a location. */
  static async open(location: StoreLocation): Promise<SqlCriminalHistoryStore> {
    const client = await openSqlClient(location, 'criminal-history');
    await migrate(client, CRIMINAL_HISTORY_MIGRATIONS);
    const store = new SqlCriminalHistoryStore(client);
    await store.fillNormalisedNames();
    await store.fillSearchKeys();
    return store;
  }

  /**
   * Writes the search keys of every person when the store has none yet (a store from before
   * migration 6; an empty one is marked at once), in one transaction that replicas opening
   * together take in turn — the second finds the mark and does nothing.
   */
  private async fillSearchKeys(): Promise<void> {
    if ((await this.getMeta(SEARCH_KEYS_META)) !== null) return;
    await this.sql.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [SEARCH_KEYS_LOCK]);
      if (await tx.get('SELECT value FROM store_metadata WHERE meta_key = ?', [SEARCH_KEYS_META])) return;
      await tx.run('DELETE FROM person_search_keys');
      let after = '';
      let filled = 0;
      for (;;) {
        const persons = await tx.rows<[string, string, string, string]>(
          'SELECT id, last_name, first_name, date_of_birth FROM persons WHERE id > ? ORDER BY id LIMIT ?',
          [after, BACKFILL_BATCH],
        );
        if (persons.length === 0) break;
        const aliases = await tx.rows<[string, string, string]>(
          `SELECT person_id, last_name, first_name FROM person_aliases WHERE person_id IN (${placeholders(persons.length)})`,
          persons.map((p) => p[0]),
        );
        const aliasesOf = new Map<string, Array<{ last: string; first: string }>>();
        for (const [personId, last, first] of aliases) aliasesOf.set(personId, [...(aliasesOf.get(personId) ?? []), { last, first }]);
        const rows = persons.flatMap(([id, last, first, dob]) => searchKeyRows(id, dob, [{ last, first }, ...(aliasesOf.get(id) ?? [])]));
        await tx.insertRows('person_search_keys', SEARCH_KEY_COLUMNS, rows);
        filled += persons.length;
        after = persons[persons.length - 1][0];
      }
      await tx.run('INSERT INTO store_metadata (meta_key, value) VALUES (?, ?)', [
        SEARCH_KEYS_META,
        JSON.stringify({ persons: filled, at: new Date().toISOString() }),
      ]);
      if (filled > 0) await tx.analyze(['person_search_keys']);
    });
  }

  /**
   * Writes `last_norm` where it is missing (rows from before migration 2), 500 rows a statement.
   * Idempotent, and in id order, so replicas opening the store together wait for each other
   * rather than deadlock.
   */
  private async fillNormalisedNames(): Promise<void> {
    const persons = await this.sql.rows<[string, string]>('SELECT id, last_name FROM persons WHERE last_norm IS NULL ORDER BY id');
    const aliases = await this.sql.rows<[string, number, string]>(
      'SELECT person_id, seq, last_name FROM person_aliases WHERE last_norm IS NULL ORDER BY person_id, seq',
    );
    if (persons.length === 0 && aliases.length === 0) return;
    const BATCH = 500;
    await this.sql.transaction(async (tx) => {
      for (let i = 0; i < persons.length; i += BATCH) {
        const part = persons.slice(i, i + BATCH);
        await tx.run(
          `UPDATE persons SET last_norm = v.column2 FROM (VALUES ${valueRows(part.length, '?, ?')}) AS v WHERE persons.id = v.column1`,
          part.flatMap(([id, last]) => [id, normaliseName(last)]),
        );
      }
      for (let i = 0; i < aliases.length; i += BATCH) {
        const part = aliases.slice(i, i + BATCH);
        await tx.run(
          `UPDATE person_aliases SET last_norm = v.column3
           FROM (VALUES ${valueRows(part.length, '?, CAST(? AS INTEGER), ?')}) AS v
           WHERE person_aliases.person_id = v.column1 AND person_aliases.seq = v.column2`,
          part.flatMap(([personId, seq, last]) => [personId, Number(seq), normaliseName(last)]),
        );
      }
    });
  }

  async personsByIds(ids: readonly string[]): Promise<PersonIdentity[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.rows<IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM persons WHERE id IN (${placeholders(ids.length)})`, ids);
    return rows.map(toIdentity);
  }

  async personDetailsByIds(ids: readonly string[]): Promise<PersonDetails[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.rows<DetailsRow>(`SELECT id, ${DETAIL_COLUMNS} FROM persons WHERE id IN (${placeholders(ids.length)})`, ids);
    return rows.map(toDetails);
  }

  // The reads below return rows as arrays: a wide answer reads hundreds, and better-sqlite3
  // builds an array of values in about half the time it builds an object keyed by column.

  async aliasesByPersonIds(ids: readonly string[]): Promise<AliasRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.rows<AliasRow>(
      `SELECT person_id, last_name, first_name, middle_name FROM person_aliases
       WHERE person_id IN (${placeholders(ids.length)}) ORDER BY person_id, seq`,
      ids,
    );
    return rows.map(([personId, last, first, middle]) => ({ personId, name: { last, first, middle } }));
  }

  async arrestsByPersonIds(ids: readonly string[], visibility: RecordVisibility): Promise<ArrestRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.rows<ArrestRow>(
      `SELECT a.id, a.person_id, a.arrest_date, a.agency, a.sealed, a.juvenile FROM arrests a
       WHERE a.person_id IN (${placeholders(ids.length)}) ${visibility.includeSealed ? '' : `AND ${NOT_SEALED}`}
       ORDER BY a.person_id, a.arrest_date DESC, a.id`,
      ids,
    );
    return rows.map(([id, personId, date, agency, sealed, juvenile]) => ({
      id,
      personId,
      date,
      agency,
      sealed: readBool(sealed),
      juvenile: readBool(juvenile),
    }));
  }

  async chargesByArrestIds(ids: readonly string[]): Promise<ChargeRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.rows<ChargeRow>(
      `SELECT c.arrest_id, a.person_id, c.seq, c.statute, c.description, c.level, c.disposition_type,
              c.disposition_date, c.court, c.sentence, c.relief
       FROM charges c JOIN arrests a ON a.id = c.arrest_id
       WHERE c.arrest_id IN (${placeholders(ids.length)}) ORDER BY c.arrest_id, c.seq`,
      ids,
    );
    return rows.map(([arrestId, personId, seq, statute, description, level, type, date, court, sentence, relief]) => ({
      arrestId,
      personId,
      seq,
      statute,
      description,
      level,
      disposition: type ? { type, date, court, sentence, relief } : null,
    }));
  }

  async convictionsByPersonIds(ids: readonly string[], visibility: RecordVisibility): Promise<ConvictionRecord[]> {
    if (ids.length === 0) return [];
    const params: string[] = [...ids];
    let where = `a.person_id IN (${placeholders(ids.length)}) AND c.disposition_type = 'CONVICTED'`;
    if (!visibility.includeSealed || visibility.employmentConvictionsSince !== null) where += ` AND ${NOT_SEALED}`;
    if (visibility.employmentConvictionsSince !== null) {
      // Employment view (Labor Code 432.7, PC 11105, Civil Code 1786.18): recent, unrelieved convictions only.
      where += ' AND c.relief IS NULL AND c.disposition_date >= ?';
      params.push(visibility.employmentConvictionsSince);
    }
    const rows = await this.sql.rows<ConvictionRow>(
      `SELECT a.person_id, c.arrest_id, c.statute, c.description, c.level, c.disposition_date, c.court, c.sentence
       FROM charges c JOIN arrests a ON a.id = c.arrest_id
       WHERE ${where} ORDER BY a.person_id, c.disposition_date DESC, c.arrest_id, c.seq`,
      params,
    );
    return rows.map(([personId, arrestId, statute, description, level, date, court, sentence]) => ({
      personId,
      arrestId,
      statute,
      description,
      level,
      date,
      court,
      sentence,
    }));
  }

  async searchCandidates(keys: SearchKeys): Promise<SearchCandidate[]> {
    const codes = [...new Set(keys.lastNameCodes.filter(Boolean))];
    if (codes.length === 0) return [];
    const rows = await this.sql.rows<IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM persons WHERE id IN (
         SELECT person_id${this.defaultCollation} FROM person_search_keys WHERE last_code IN (${placeholders(codes.length)}))
       ORDER BY id LIMIT 2000`,
      codes,
    );
    return this.withAliases(rows);
  }

  async candidatesByKeys(query: SearchKeyQuery, after: string | null, limit: number): Promise<SearchCandidate[]> {
    const ids = personIdsByKeys(query, after, limit);
    if (!ids) return [];
    const rows = await this.sql.rows<IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM persons WHERE id IN (SELECT person_id${this.defaultCollation} FROM (${ids.sql}) AS ids)`,
      ids.params,
    );
    // Bytewise, as the keys are paged (COLLATE "C"; SQLite's BINARY), whatever the database's collation.
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return this.withAliases(rows);
  }

  /**
   * On PostgreSQL the keys' person ids sort bytewise (COLLATE "C"), persons' ids by the
   * database's collation: an id from the keys takes the latter to meet the primary key's index.
   */
  private get defaultCollation(): string {
    return this.sql.dialect === 'postgres' ? ' COLLATE "default"' : '';
  }

  async candidatesByExactLastName(normalised: string): Promise<SearchCandidate[]> {
    if (!normalised) return [];
    const rows = await this.sql.rows<IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM persons WHERE id IN (
         SELECT id FROM persons WHERE last_norm = ? UNION SELECT person_id FROM person_aliases WHERE last_norm = ?)
       ORDER BY id`,
      [normalised, normalised],
    );
    return this.withAliases(rows);
  }

  async candidatesByExactIdentity(lastNorm: string, dateOfBirth: string): Promise<SearchCandidate[]> {
    if (!lastNorm) return [];
    // Two index lookups (name; alias then the person's row), both narrowed by the date of birth.
    const rows = await this.sql.rows<IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM persons WHERE last_norm = ? AND date_of_birth = ?
       UNION
       SELECT ${P_IDENTITY_COLUMNS}
       FROM person_aliases a JOIN persons p ON p.id = a.person_id WHERE a.last_norm = ? AND p.date_of_birth = ?
       ORDER BY 1`,
      [lastNorm, dateOfBirth, lastNorm, dateOfBirth],
    );
    return this.withAliases(rows);
  }

  /** Candidates from their rows (read as arrays: a common name has hundreds) and all their aliases. */
  private async withAliases(rows: IdentityRow[]): Promise<SearchCandidate[]> {
    const aliases = rows.length ? await this.aliasesByPersonIds(rows.map((r) => r[0])) : [];
    const byPerson = new Map<string, PersonName[]>();
    for (const a of aliases) {
      const list = byPerson.get(a.personId);
      if (list) list.push(a.name);
      else byPerson.set(a.personId, [a.name]);
    }
    return rows.map((row) => ({ ...toIdentity(row), aliases: byPerson.get(row[0]) ?? [] }));
  }

  /** Once true it stays true (the mark is never removed): asked once per process, not per request. */
  private protectionsKnown = false;

  async addressProtectionsKnown(): Promise<boolean> {
    if (!this.protectionsKnown) this.protectionsKnown = (await this.getMeta(ADDRESS_PROTECTIONS_META)) !== null;
    return this.protectionsKnown;
  }

  async personsWithConfidentialAddress(ids: readonly string[], at: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.rows<[string]>(
      `SELECT DISTINCT person_id FROM address_protections
       WHERE person_id IN (${placeholders(ids.length)}) AND (in_force_until IS NULL OR in_force_until > ?)`,
      [...ids, at],
    );
    return rows.map((r) => r[0]);
  }

  async recordAddressProtections(
    orderId: string,
    protections: ReadonlyArray<Omit<AddressProtection, 'orderId'>>,
    replacing: string | null = null,
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.run('DELETE FROM address_protections WHERE order_id IN (?, ?)', [orderId, replacing ?? orderId]);
      for (const p of protections) {
        await tx.run('INSERT INTO address_protections (person_id, order_id, in_force_until) VALUES (?, ?, ?)', [p.personId, orderId, p.inForceUntil]);
      }
    });
  }

  async loadAddressProtections(protections: readonly AddressProtection[]): Promise<void> {
    await this.sql.transaction((tx) => insertProtections(tx, protections));
  }

  async countPersons(): Promise<number> {
    const row = await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM persons');
    return Number(row?.n ?? 0);
  }

  async insertSeed(batch: CriminalHistorySeed): Promise<void> {
    const aliasesOf = new Map<string, PersonName[]>();
    for (const a of batch.aliases) aliasesOf.set(a.personId, [...(aliasesOf.get(a.personId) ?? []), a.name]);
    const keys: SearchKeyRow[] = [];
    for (const p of batch.persons) keys.push(...searchKeyRows(p.id, p.dateOfBirth, [p.name, ...(aliasesOf.get(p.id) ?? [])]));
    await this.sql.transaction(async (tx) => {
      await tx.insertRows(
        'persons',
        [...IDENTITY_COLUMNS.split(', '), ...DETAIL_COLUMNS.split(/,\s*/), 'last_code1', 'last_code2', 'last_norm'],
        batch.persons.map((p) => [
          p.id,
          p.name.last,
          p.name.first,
          p.name.middle,
          p.dateOfBirth,
          p.sex,
          p.physical.heightInches,
          p.physical.weightPounds,
          p.physical.eyeColor,
          p.physical.hairColor,
          p.identifiers.fbiNumber,
          p.identifiers.driverLicense?.number ?? null,
          p.identifiers.driverLicense?.state ?? null,
          p.identifiers.ssnLast4,
          p.lastKnownAddress?.street ?? null,
          p.lastKnownAddress?.city ?? null,
          p.lastKnownAddress?.state ?? null,
          p.lastKnownAddress?.postalCode ?? null,
          p.lastNameCodes[0],
          p.lastNameCodes[1],
          normaliseName(p.name.last),
        ]),
      );
      await tx.insertRows(
        'person_aliases',
        ['person_id', 'seq', 'last_name', 'first_name', 'middle_name', 'last_code1', 'last_code2', 'last_norm'],
        batch.aliases.map((a) => [
          a.personId,
          a.seq,
          a.name.last,
          a.name.first,
          a.name.middle,
          a.lastNameCodes[0],
          a.lastNameCodes[1],
          normaliseName(a.name.last),
        ]),
      );
      await tx.insertRows('person_search_keys', SEARCH_KEY_COLUMNS, keys);
      await tx.insertRows(
        'arrests',
        ['id', 'person_id', 'arrest_date', 'agency', 'sealed', 'juvenile'],
        batch.arrests.map((a) => [a.id, a.personId, a.date, a.agency, a.sealed, a.juvenile]),
      );
      await tx.insertRows(
        'charges',
        ['arrest_id', 'seq', 'statute', 'description', 'level', 'disposition_type', 'disposition_date', 'court', 'sentence', 'relief'],
        batch.charges.map((c) => [
          c.arrestId,
          c.seq,
          c.statute,
          c.description,
          c.level,
          c.disposition?.type ?? null,
          c.disposition?.date ?? null,
          c.disposition?.court ?? null,
          c.disposition?.sentence ?? null,
          c.disposition?.relief ?? null,
        ]),
      );
      await insertProtections(tx, batch.addressProtections);
    });
    // A seed carries the protections of its own orders: the store then knows them all.
    if (!this.protectionsKnown) await this.setMeta(ADDRESS_PROTECTIONS_META, 'seeded');
    this.protectionsKnown = true;
  }

  async analyze(): Promise<void> {
    await this.sql.analyze(TABLES);
  }
}

/**
 * Writes protections, each replacing an earlier row of the same person and order. Distinct rows
 * none of which is stored yet (a seed's) go in as one bulk insert.
 */
async function insertProtections(tx: SqlClient, protections: readonly AddressProtection[]): Promise<void> {
  if (protections.length === 0) return;
  const keys = new Set(protections.map((p) => `${p.personId}\u0000${p.orderId}`));
  const orders = [...new Set(protections.map((p) => p.orderId))];
  let stored = 0;
  for (let i = 0; i < orders.length && keys.size === protections.length && stored === 0; i += 500) {
    const part = orders.slice(i, i + 500);
    stored += Number(
      (await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM address_protections WHERE order_id IN (${placeholders(part.length)})`, part))?.n ?? 0,
    );
  }
  if (keys.size === protections.length && stored === 0) {
    await tx.insertRows(
      'address_protections',
      ['person_id', 'order_id', 'in_force_until'],
      protections.map((p) => [p.personId, p.orderId, p.inForceUntil]),
    );
    return;
  }
  for (const p of protections) {
    await tx.run('DELETE FROM address_protections WHERE person_id = ? AND order_id = ?', [p.personId, p.orderId]);
    await tx.run('INSERT INTO address_protections (person_id, order_id, in_force_until) VALUES (?, ?, ?)', [p.personId, p.orderId, p.inForceUntil]);
  }
}
