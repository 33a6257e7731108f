import { migrate, openSqlClient, SqlStoreBase, placeholders, readBool, type SqlValue, type StoreLocation } from '../../../../platform/src';
import type { AlertFilter, AlertRecord, AlertsStore, CautionCode, MissingCategory } from './alerts-store';
import { ALERTS_MIGRATIONS } from './migrations';

interface AlertRow {
  id: string;
  alert_type: AlertRecord['type'];
  subject_id: string | null;
  agency: string;
  entered_at: string;
  expires_at: string | null;
  cancelled: number;
  caution_codes: string | null;
  caution_note: string | null;
  warrant_number: string | null;
  warrant_offense: string | null;
  extradition: NonNullable<AlertRecord['warrant']>['extradition'] | null;
  bail_amount: number | null;
  missing_categories: string | null;
  last_seen_at: string | null;
  last_seen_place: string | null;
}

const COLUMNS = `id, alert_type, subject_id, agency, entered_at, expires_at, cancelled, caution_codes, caution_note,
  warrant_number, warrant_offense, extradition, bail_amount, missing_categories, last_seen_at, last_seen_place`;

function list<T extends string>(text: string | null): T[] {
  return text ? (text.split(',').filter(Boolean) as T[]) : [];
}

function toAlert(r: AlertRow): AlertRecord {
  const categories = list<MissingCategory>(r.missing_categories);
  return {
    id: r.id,
    type: r.alert_type,
    subjectId: r.subject_id,
    agency: r.agency,
    enteredAt: r.entered_at,
    expiresAt: r.expires_at,
    cancelled: readBool(r.cancelled),
    caution: r.caution_codes || r.caution_note ? { codes: list<CautionCode>(r.caution_codes), note: r.caution_note } : null,
    warrant:
      r.warrant_number && r.warrant_offense && r.extradition
        ? { number: r.warrant_number, offense: r.warrant_offense, extradition: r.extradition, bailAmount: r.bail_amount }
        : null,
    missing: categories.length ? { category: categories[0], categories, lastSeenAt: r.last_seen_at, lastSeenPlace: r.last_seen_place } : null,
  };
}

function filterSql(filter: AlertFilter, params: SqlValue[]): string {
  let where = '';
  if (filter.activeAt) {
    where += ' AND cancelled = 0 AND (expires_at IS NULL OR expires_at > ?)';
    params.push(filter.activeAt);
  }
  if (filter.type) {
    where += ' AND alert_type = ?';
    params.push(filter.type);
  }
  return where;
}

/** The alerts store over either SQL adapter. */
export class SqlAlertsStore extends SqlStoreBase implements AlertsStore {
  /** Opens and migrates the store at a location. */
  static async open(location: StoreLocation): Promise<SqlAlertsStore> {
    const client = await openSqlClient(location, 'alerts');
    await migrate(client, ALERTS_MIGRATIONS);
    return new SqlAlertsStore(client);
  }

  async alertsByIds(ids: readonly string[]): Promise<AlertRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.all<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE id IN (${placeholders(ids.length)})`, ids);
    return rows.map(toAlert);
  }

  async alertsBySubjectIds(ids: readonly string[], filter: AlertFilter): Promise<AlertRecord[]> {
    if (ids.length === 0) return [];
    const params: SqlValue[] = [...ids];
    const where = filterSql(filter, params);
    const rows = await this.sql.all<AlertRow>(
      `SELECT ${COLUMNS} FROM alerts WHERE subject_id IN (${placeholders(ids.length)})${where} ORDER BY subject_id, entered_at DESC, id`,
      params,
    );
    return rows.map(toAlert);
  }

  async listAlerts(filter: AlertFilter, limit: number): Promise<AlertRecord[]> {
    const params: SqlValue[] = [];
    const where = filterSql(filter, params);
    params.push(limit);
    const rows = await this.sql.all<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE 1 = 1${where} ORDER BY entered_at DESC, id LIMIT ?`, params);
    return rows.map(toAlert);
  }

  async countAlerts(): Promise<number> {
    const row = await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM alerts');
    return Number(row?.n ?? 0);
  }

  async insertSeed(alerts: readonly AlertRecord[]): Promise<void> {
    // One bulk insert (COPY on PostgreSQL): seeding writes a million persons' alerts.
    await this.sql.transaction((tx) =>
      tx.insertRows(
        'alerts',
        COLUMNS.split(/,\s*/),
        alerts.map((a) => [
          a.id,
          a.type,
          a.subjectId,
          a.agency,
          a.enteredAt,
          a.expiresAt,
          a.cancelled,
          a.caution?.codes.join(',') ?? null,
          a.caution?.note ?? null,
          a.warrant?.number ?? null,
          a.warrant?.offense ?? null,
          a.warrant?.extradition ?? null,
          a.warrant?.bailAmount ?? null,
          a.missing?.categories.join(',') ?? null,
          a.missing?.lastSeenAt ?? null,
          a.missing?.lastSeenPlace ?? null,
        ]),
      ),
    );
  }

  /** Refreshes the planner's statistics (after a bulk load). */
  async analyze(): Promise<void> {
    await this.sql.analyze(['alerts']);
  }
}
