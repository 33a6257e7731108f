import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertIdentifiers, valueRows, type SqlClient, type SqlValue } from './sql-client';

/** Rows per statement of a bulk insert, and SQLite's limit of values bound to one statement. */
const BULK_ROWS = 200;
const MAX_BOUND_VALUES = 32_766;

type Statement = Database.Statement<unknown[], unknown>;

function bind(params: readonly SqlValue[] = []): unknown[] {
  return params.map((p) => (p === true ? 1 : p === false ? 0 : p));
}

/**
 * The embedded adapter: one better-sqlite3 connection per store file, in WAL mode, with
 * prepared statements cached by text. better-sqlite3 is synchronous; this class only wraps
 * it in the async port, and serialises transactions so that another request's statements
 * never run inside one.
 */
export class SqliteClient implements SqlClient {
  readonly dialect = 'sqlite' as const;
  readonly stats = { statements: 0 };
  private readonly db: Database.Database;
  /**
   * Prepared statements by text. IN lists of many lengths each make a statement: bounded in
   * entries and in bytes (a statement's native form is estimated at four bytes a character of
   * its text, plus a fixed cost).
   */
  private readonly statements = new LRUCache<string, Statement>({ max: 2000, maxSize: 16 * 1024 * 1024, sizeCalculation: (_s, key) => 4 * key.length + 1024 });
  /** Settles when every transaction queued so far has ended. */
  private txTail: Promise<void> = Promise.resolve();
  /** Transactions queued or running; other statements wait while it is above zero. */
  private pendingTransactions = 0;

  /**
   * @param file path of the database file (created with its folder), or ':memory:'
   * @param options.durable synchronous=FULL (every commit reaches the disk): on for the audit
   *   log, whose records must survive a crash; NORMAL is enough for the record stores in WAL mode.
   */
  constructor(file: string, options: { durable?: boolean; readonly?: boolean } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { readonly: options.readonly ?? false });
    if (!options.readonly) this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.durable ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  /** A cached prepared statement; `asRows` ones return arrays and are cached apart. */
  private prepare(sql: string, asRows = false): Statement {
    const key = asRows ? `rows:${sql}` : sql;
    let stmt = this.statements.get(key);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (asRows) stmt.raw(true);
      this.statements.set(key, stmt);
    }
    return stmt;
  }

  private async idle(): Promise<void> {
    while (this.pendingTransactions > 0) await this.txTail;
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    await this.idle();
    return this.allNow<T>(sql, params);
  }

  async rows<Row extends unknown[] = unknown[]>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    await this.idle();
    return this.rowsNow<Row>(sql, params);
  }

  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    await this.idle();
    return this.getNow<T>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    await this.idle();
    return this.runNow(sql, params);
  }

  /** Synchronous forms, used inside a transaction (which holds the connection already). */
  allNow<T>(sql: string, params?: readonly SqlValue[]): T[] {
    this.stats.statements++;
    return this.prepare(sql).all(...bind(params)) as T[];
  }

  rowsNow<Row extends unknown[] = unknown[]>(sql: string, params?: readonly SqlValue[]): Row[] {
    this.stats.statements++;
    return this.prepare(sql, true).all(...bind(params)) as Row[];
  }

  getNow<T>(sql: string, params?: readonly SqlValue[]): T | undefined {
    this.stats.statements++;
    return this.prepare(sql).get(...bind(params)) as T | undefined;
  }

  runNow(sql: string, params?: readonly SqlValue[]): { changes: number } {
    this.stats.statements++;
    return { changes: this.prepare(sql).run(...bind(params)).changes };
  }

  async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
    // Queue behind earlier transactions: one connection runs one transaction at a time, and
    // `work` awaits between statements, when other requests' statements would otherwise slip in.
    this.pendingTransactions++;
    const previous = this.txTail;
    let release!: () => void;
    this.txTail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    const tx: SqlClient = {
      dialect: this.dialect,
      stats: this.stats,
      all: async (sql, params) => this.allNow(sql, params),
      rows: async (sql, params) => this.rowsNow(sql, params),
      get: async (sql, params) => this.getNow(sql, params),
      run: async (sql, params) => this.runNow(sql, params),
      exec: async (script) => void this.db.exec(script),
      insertRows: async (table, columns, rows) => this.insertRowsNow(table, columns, rows),
      analyze: async (tables) => this.analyzeNow(tables),
      transaction: () => Promise.reject(new Error('nested transactions are not supported')),
      ping: async () => undefined,
      close: () => Promise.reject(new Error('cannot close inside a transaction')),
    };
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.pendingTransactions--;
      release();
    }
  }

  async exec(script: string): Promise<void> {
    await this.idle();
    this.db.exec(script);
  }

  async insertRows(table: string, columns: readonly string[], rows: ReadonlyArray<readonly SqlValue[]>): Promise<void> {
    await this.idle();
    this.insertRowsNow(table, columns, rows);
  }

  /**
   * Prepared multi-row INSERTs of up to `BULK_ROWS` rows each (within SQLite's limit of bound
   * values): a statement run per row spent most of its time crossing from JavaScript to SQLite.
   */
  insertRowsNow(table: string, columns: readonly string[], rows: ReadonlyArray<readonly SqlValue[]>): void {
    if (rows.length === 0) return;
    assertIdentifiers(table, columns);
    const per = Math.max(1, Math.min(BULK_ROWS, Math.floor(MAX_BOUND_VALUES / columns.length)));
    const text = (n: number) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valueRows(n, columns.map(() => '?').join(', '))}`;
    const full = this.prepare(text(per));
    const values: unknown[] = [];
    let i = 0;
    for (; i + per <= rows.length; i += per) {
      values.length = 0;
      for (let r = i; r < i + per; r++) for (const v of rows[r]) values.push(v === true ? 1 : v === false ? 0 : v);
      full.run(values);
      this.stats.statements++;
    }
    if (i < rows.length) {
      const rest = rows.slice(i);
      this.prepare(text(rest.length)).run(bind(rest.flat()));
      this.stats.statements++;
    }
  }

  async analyze(tables: readonly string[]): Promise<void> {
    await this.idle();
    this.analyzeNow(tables);
  }

  /** ANALYZE on a sample (analysis_limit): a million rows are measured in well under a second. */
  analyzeNow(tables: readonly string[]): void {
    assertIdentifiers(...tables);
    this.db.pragma('analysis_limit = 2000');
    for (const t of tables) this.db.exec(`ANALYZE ${t}`);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.idle();
    this.db.close();
  }
}
