import { context, SpanKind, trace, type Attributes } from '@opentelemetry/api';
import type { SqlClient, SqlValue } from '../sql/sql-client';
import { inSpan } from './tracing';

/** The statement's verb and first table: `SELECT persons`, `INSERT order_events`. Never its values. */
export function statementSummary(sql: string): { operation: string; table: string | null } {
  const text = sql.trimStart();
  const operation = (/^[A-Za-z]+/.exec(text)?.[0] ?? 'SQL').toUpperCase();
  const table = /\b(?:FROM|INTO|UPDATE|JOIN)\s+([A-Za-z_][A-Za-z0-9_.]*)/i.exec(text)?.[1] ?? null;
  return { operation, table };
}

/**
 * A SqlClient whose every statement is a client span (OpenTelemetry's database conventions:
 * `db.system.name`, `db.operation.name`, `db.collection.name`), nested under the span that is
 * active — a subgraph's request, so a trace shows which statements an operation cost. The text
 * and the bound values are left out: a search's criteria are the audit's evidence, not the
 * tracing backend's. Only wrapped when tracing is on (open-sql-client.ts), so it costs nothing
 * otherwise.
 */
export function tracedSqlClient(client: SqlClient): SqlClient {
  const system = client.dialect === 'postgres' ? 'postgresql' : 'sqlite';
  const traced = <T>(sql: string, fn: () => Promise<T>): Promise<T> => {
    // Background work (a group commit, a relay's poll) would start a trace per statement: only
    // statements run for a traced request get spans.
    if (!trace.getSpan(context.active())?.isRecording()) return fn();
    const { operation, table } = statementSummary(sql);
    const attributes: Attributes = { 'db.system.name': system, 'db.operation.name': operation };
    if (table) attributes['db.collection.name'] = table;
    return inSpan(table ? `${operation} ${table}` : operation, attributes, fn, SpanKind.CLIENT);
  };
  const wrap = (inner: SqlClient): SqlClient => ({
    get dialect() {
      return inner.dialect;
    },
    get stats() {
      return inner.stats;
    },
    all: <T>(sql: string, params?: readonly SqlValue[]) => traced(sql, () => inner.all<T>(sql, params)),
    rows: <Row extends unknown[] = unknown[]>(sql: string, params?: readonly SqlValue[]) => traced(sql, () => inner.rows<Row>(sql, params)),
    get: <T>(sql: string, params?: readonly SqlValue[]) => traced(sql, () => inner.get<T>(sql, params)),
    run: (sql: string, params?: readonly SqlValue[]) => traced(sql, () => inner.run(sql, params)),
    transaction: <T>(work: (tx: SqlClient) => Promise<T>) => traced('TRANSACTION', () => inner.transaction((tx) => work(wrap(tx)))),
    exec: (script: string) => inner.exec(script),
    insertRows: (table, columns, rows) => traced(`INSERT INTO ${table}`, () => inner.insertRows(table, columns, rows)),
    analyze: (tables) => inner.analyze(tables),
    ping: () => inner.ping(),
    close: () => inner.close(),
  });
  return wrap(client);
}
