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
  type SearchKeys,
} from './criminal-history-store';
import { normaliseName } from '../name-keys';
import { CRIMINAL_HISTORY_MIGRATIONS } from './migrations';

/** A person's identity as read (an array: a search reads dozens): id, last, first, middle, date of birth, sex. */
type IdentityRow = [string, string, string, string | null, string, PersonIdentity['sex']];
const IDENTITY_COLUMNS = 'id, last_name, first_name, middle_name, date_of_birth, sex';
/** The same columns of `persons p`, for a join. */
const P_IDENTITY_COLUMNS = IDENTITY_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ');

function toIdentity([id, last, first, middle, dateOfBirth, sex]: IdentityRow): PersonIdentity {
  return { id, name: { last, first, middle }, dateOfBirth, sex };
}

type DetailsRow = [
  personId: string, heightInches: number | null, weightPounds: number | null, eyeColor: string | null, hairColor: string | null,
  fbiNumber: string | null, dlNumber: string | null, dlState: string | null, ssnLast4: string | null,
  street: string | null, city: string | null, state: string | null, postalCode: string | null,
];
const DETAIL_COLUMNS = `height_inches, weight_pounds, eye_color, hair_color, fbi_number, dl_number, dl_state, ssn_last4,
  street, city, state, postal_code`;

function toDetails([personId, heightInches, weightPounds, eyeColor, hairColor, fbiNumber, dlNumber, dlState, ssnLast4, street, city, state, postalCode]: DetailsRow): PersonDetails {
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
  arrestId: string, personId: string, seq: number, statute: string, description: string, level: ChargeRecord['level'],
  dispositionType: DispositionRecord['type'] | null, dispositionDate: string | null, court: string | null, sentence: string | null,
  relief: DispositionRecord['relief'],
];
type ConvictionRow = [
  personId: string, arrestId: string, statute: string, description: string, level: ConvictionRecord['level'],
  date: string, court: string | null, sentence: string | null,
];

/** The rows hidden from callers without criminal_history:sealed (DESIGN §4 rule 5). */
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
    return store;
  }

  /**
   * Writes `last_norm` where it is missing (rows from before migration 2), 500 rows a statement.
   * Idempotent, and in id order, so replicas opening the store together wait for each other
   * rather than deadlock.
   */
  private async fillNormalisedNames(): Promise<void> {
    const persons = await this.sql.rows<[string, string]>('SELECT id, last_name FROM persons WHERE last_norm IS NULL ORDER BY id');
    const aliases = await this.sql.rows<[string, number, string]>('SELECT person_id, seq, last_name FROM person_aliases WHERE last_norm IS NULL ORDER BY person_id, seq');
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
    const inCodes = placeholders(codes.length);
    // A UNION of four index lookups: with OR across the columns and a subquery, PostgreSQL reads
    // every person (its cost would grow with the state's population, not with the matches).
    const rows = await this.sql.rows<IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM persons WHERE id IN (
         SELECT id FROM persons WHERE last_code1 IN (${inCodes})
         UNION SELECT id FROM persons WHERE last_code2 IN (${inCodes})
         UNION SELECT person_id FROM person_aliases WHERE last_code1 IN (${inCodes})
         UNION SELECT person_id FROM person_aliases WHERE last_code2 IN (${inCodes}))
       ORDER BY id LIMIT 2000`,
      [...codes, ...codes, ...codes, ...codes],
    );
    return this.withAliases(rows);
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

  async recordAddressProtections(orderId: string, protections: ReadonlyArray<Omit<AddressProtection, 'orderId'>>, replacing: string | null = null): Promise<void> {
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
    await this.sql.transaction(async (tx) => {
      for (const p of batch.persons) {
        await tx.run(
          `INSERT INTO persons (${IDENTITY_COLUMNS}, ${DETAIL_COLUMNS}, last_code1, last_code2, last_norm)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            p.id, p.name.last, p.name.first, p.name.middle, p.dateOfBirth, p.sex,
            p.physical.heightInches, p.physical.weightPounds, p.physical.eyeColor, p.physical.hairColor,
            p.identifiers.fbiNumber, p.identifiers.driverLicense?.number ?? null, p.identifiers.driverLicense?.state ?? null,
            p.identifiers.ssnLast4,
            p.lastKnownAddress?.street ?? null, p.lastKnownAddress?.city ?? null, p.lastKnownAddress?.state ?? null,
            p.lastKnownAddress?.postalCode ?? null,
            p.lastNameCodes[0], p.lastNameCodes[1], normaliseName(p.name.last),
          ],
        );
      }
      for (const a of batch.aliases) {
        await tx.run(
          `INSERT INTO person_aliases (person_id, seq, last_name, first_name, middle_name, last_code1, last_code2, last_norm)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [a.personId, a.seq, a.name.last, a.name.first, a.name.middle, a.lastNameCodes[0], a.lastNameCodes[1], normaliseName(a.name.last)],
        );
      }
      for (const a of batch.arrests) {
        await tx.run('INSERT INTO arrests (id, person_id, arrest_date, agency, sealed, juvenile) VALUES (?, ?, ?, ?, ?, ?)', [
          a.id, a.personId, a.date, a.agency, a.sealed, a.juvenile,
        ]);
      }
      await insertProtections(tx, batch.addressProtections);
      for (const c of batch.charges) {
        await tx.run(
          `INSERT INTO charges (arrest_id, seq, statute, description, level, disposition_type, disposition_date, court, sentence, relief)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            c.arrestId, c.seq, c.statute, c.description, c.level,
            c.disposition?.type ?? null, c.disposition?.date ?? null, c.disposition?.court ?? null,
            c.disposition?.sentence ?? null, c.disposition?.relief ?? null,
          ],
        );
      }
    });
    // A seed carries the protections of its own orders: the store then knows them all.
    await this.setMeta(ADDRESS_PROTECTIONS_META, 'seeded');
  }
}

/** Writes protections, each replacing an earlier row of the same person and order. */
async function insertProtections(tx: SqlClient, protections: readonly AddressProtection[]): Promise<void> {
  for (const p of protections) {
    await tx.run('DELETE FROM address_protections WHERE person_id = ? AND order_id = ?', [p.personId, p.orderId]);
    await tx.run('INSERT INTO address_protections (person_id, order_id, in_force_until) VALUES (?, ?, ?)', [p.personId, p.orderId, p.inForceUntil]);
  }
}
