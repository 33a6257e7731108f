/** A value bound to a statement parameter. Booleans are stored as 0/1 in both engines. */
export type SqlValue = string | number | null | boolean;

/**
 * The one port every store talks through. Statements use `?` placeholders and the subset of
 * SQL that SQLite and PostgreSQL both run, so each subgraph writes its queries once; the two
 * clients (embedded SQLite, pooled PostgreSQL) are the adapters.
 */
export interface SqlClient {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a query. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /**
   * Rows of a query as arrays, in the order of the selected columns: for hot queries returning
   * many rows, where building an object per row is most of the cost. `Row` names the columns'
   * types, as `T` does for `all`.
   */
  rows<Row extends unknown[] = unknown[]>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** First row of a query, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement that changes rows; returns how many. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Appends rows to a table as fast as the engine takes them (bulk loads: seeding, backfills):
   * COPY … FROM STDIN on PostgreSQL, one prepared INSERT run per row on SQLite. Each row's values
   * are in `columns` order. Atomic only inside `transaction`.
   */
  insertRows(table: string, columns: readonly string[], rows: ReadonlyArray<readonly SqlValue[]>): Promise<void>;
  /**
   * Refreshes the planner's statistics of these tables (ANALYZE): after a bulk load, before the
   * first query plans against them. PostgreSQL has none for a freshly loaded table until
   * autovacuum runs — off on some servers, and a load should not wait for it anyway.
   */
  analyze(tables: readonly string[]): Promise<void>;
  /** Checks the store answers; throws when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Statements run since start: the store-call counter that tests and the bench read. */
  readonly stats: { statements: number };
}

/** `?, ?, ?` for an IN list of n values (n ≥ 1). */
export function placeholders(n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`placeholders() needs a positive count, got ${n}`);
  return n === 1 ? '?' : '?' + ', ?'.repeat(n - 1);
}

/** `(?, ?), (?, ?)` for a multi-row VALUES list: `count` rows of `row` (`'?, ?'`). */
export function valueRows(count: number, row: string): string {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`valueRows() needs a positive count, got ${count}`);
  return `(${row})` + `, (${row})`.repeat(count - 1);
}

/** The stored form of a boolean. */
export function bool(value: boolean | null | undefined): number | null {
  return value === null || value === undefined ? null : value ? 1 : 0;
}

/** Reads a stored boolean (0/1 from SQLite, 0/1 integer from PostgreSQL). */
export function readBool(value: unknown): boolean {
  return value === 1 || value === true || value === '1';
}

/** Throws unless every name is a plain SQL identifier: table and column names are spliced into statements. */
export function assertIdentifiers(...names: readonly (string | readonly string[])[]): void {
  for (const name of names.flat()) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`a table or column name must be a plain identifier, got "${name}"`);
  }
}
