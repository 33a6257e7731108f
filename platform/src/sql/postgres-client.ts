import { LRUCache } from 'lru-cache';
import { Pool, types, type PoolClient, type PoolConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { assertIdentifiers, type SqlClient, type SqlValue } from './sql-client';

// COUNT(*) and BIGINT come back as strings by default; every count here fits a double.
types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Rewrites `?` placeholders to PostgreSQL's `$1, $2, …`. Queries here never hold a literal `?`. */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Characters COPY's text format escapes; seeded values almost never hold one, so test before replacing. */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const escapeCopy = (c: string) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r');

/** A value in COPY's text format: \\N for null, 1/0 for booleans, backslash, tab and line breaks escaped. */
function copyText(v: SqlValue | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return COPY_SPECIAL.test(v) ? v.replace(COPY_SPECIALS, escapeCopy) : v;
  if (typeof v === 'number') return String(v);
  return v ? '1' : '0';
}

/**
 * COPY's input, in pieces of about a megabyte (one string per row would cost a write each). Each
 * row's fields and each piece's lines are joined once: appending field by field built chains of
 * partial strings that cost 2–3 µs a row to make and flatten, joining 0.7–0.9 µs (bench/HISTORY.md).
 */
function* copyLines(rows: ReadonlyArray<readonly SqlValue[]>): Generator<string> {
  const lines: string[] = [];
  const fields: string[] = [];
  let size = 0;
  for (const row of rows) {
    fields.length = row.length;
    for (let i = 0; i < row.length; i++) fields[i] = copyText(row[i]);
    const line = fields.join('\t');
    lines.push(line);
    size += line.length + 1;
    if (size > 1 << 20) {
      lines.push('');
      yield lines.join('\n');
      lines.length = 0;
      size = 0;
    }
  }
  if (lines.length) {
    lines.push('');
    yield lines.join('\n');
  }
}

function bind(params: readonly SqlValue[] = []): unknown[] {
  return params.map((p) => (p === true ? 1 : p === false ? 0 : p));
}

type Queryable = Pick<PoolClient, 'query'>;

/**
 * Converted SQL texts, so the rewrite runs once per distinct statement. IN lists of many lengths
 * each make a text: bounded in entries and bytes (two a character, an upper estimate).
 */
const converted = new LRUCache<string, string>({ max: 5000, maxSize: 8 * 1024 * 1024, sizeCalculation: (text, sql) => 2 * (sql.length + text.length) + 96 });
function pgText(sql: string): string {
  let text = converted.get(sql);
  if (text === undefined) {
    text = toPostgresPlaceholders(sql);
    converted.set(sql, text);
  }
  return text;
}

class PostgresQueries {
  constructor(
    protected readonly target: Queryable,
    readonly stats: { statements: number },
  ) {}
  readonly dialect = 'postgres' as const;

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.stats.statements++;
    const result = await this.target.query(pgText(sql), bind(params));
    return result.rows as T[];
  }

  async rows<Row extends unknown[] = unknown[]>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    this.stats.statements++;
    const result = await this.target.query({ text: pgText(sql), values: bind(params), rowMode: 'array' });
    return result.rows as Row[];
  }

  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    this.stats.statements++;
    const result = await this.target.query(pgText(sql), bind(params));
    return { changes: result.rowCount ?? 0 };
  }

  async exec(script: string): Promise<void> {
    await this.target.query(script);
  }

  async insertRows(table: string, columns: readonly string[], rows: ReadonlyArray<readonly SqlValue[]>): Promise<void> {
    if (rows.length === 0) return;
    assertIdentifiers(table, columns);
    const conn = await this.connection();
    try {
      this.stats.statements++;
      const sink = conn.client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(copyLines(rows)), sink);
    } finally {
      conn.release();
    }
  }

  async analyze(tables: readonly string[]): Promise<void> {
    if (tables.length === 0) return;
    assertIdentifiers(tables);
    this.stats.statements++;
    await this.target.query(`ANALYZE ${tables.join(', ')}`);
  }

  /** The connection COPY runs on: the transaction's own, or one from the pool for the call. */
  protected async connection(): Promise<{ client: PoolClient; release: () => void }> {
    return { client: this.target as PoolClient, release: () => undefined };
  }
}

/**
 * The PostgreSQL adapter: a pooled `pg` client whose connections use one schema (each store has
 * its own: criminal_history, orders, alerts, audit), so the portable SQL needs no qualifiers.
 */
export class PostgresClient extends PostgresQueries implements SqlClient {
  private readonly pool: Pool;

  constructor(connectionString: string, schema: string, poolOptions: PoolConfig = {}) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`schema name must be a plain identifier, got "${schema}"`);
    const pool = new Pool({
      connectionString,
      max: 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      options: `-c search_path=${schema}`,
      ...poolOptions,
    });
    super(pool, { statements: 0 });
    this.pool = pool;
    this.connection = async () => {
      const client = await pool.connect();
      return { client, release: () => client.release() };
    };
    // An idle client's error (the server restarted) must not crash the process; the pool drops it.
    pool.on('error', () => undefined);
  }

  async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
    const conn = await this.pool.connect();
    const queries = new PostgresQueries(conn, this.stats);
    const tx: SqlClient = Object.assign(queries, {
      insertRows: queries.insertRows.bind(queries),
      analyze: queries.analyze.bind(queries),
      transaction: () => Promise.reject(new Error('nested transactions are not supported')),
      ping: async () => undefined,
      close: () => Promise.reject(new Error('cannot close inside a transaction')),
    });
    try {
      await conn.query('BEGIN');
      const result = await work(tx);
      await conn.query('COMMIT');
      return result;
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
