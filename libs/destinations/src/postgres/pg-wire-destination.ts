import type { Dialect } from '@ferry/dialects';
import pg from 'pg';
import type { TableShape } from '../destination.ts';
import type { DestinationError } from '../destination-error.ts';
import { clipName } from '../names.ts';
import { SqlDestination } from '../sql-destination.ts';
import { statementSummary } from '../statement-summary.ts';
import { tableShapeFrom } from '../table-shape.ts';
import type { PostgresDestinationConfig } from './postgres-config.ts';
import { postgresConnection, type PostgresConnection } from './postgres-connection.ts';
import { describePostgresError } from './postgres-errors.ts';
import { POSTGRES_COLUMNS_QUERY, POSTGRES_PRIMARY_KEY_QUERY } from './postgres-introspection.ts';

/** Rows per FETCH when scanning a table: a few MB of text for typical rows. */
const SCAN_BATCH = 10_000;

const rawText = (text: string) => text;
const canonicalBoolean = (text: string) => (text === 't' ? 'true' : 'false');

/**
 * Every value comes back as Postgres prints it (with DateStyle ISO and TimeZone UTC that is the
 * transfer format's canonical text), except booleans, which Postgres prints as t/f.
 */
const CANONICAL_TEXT: pg.CustomTypesConfig = {
  // pg's typing overloads getTypeParser per format; Ferry only ever reads text.
  getTypeParser: ((oid: number) => (oid === pg.types.builtins.BOOL ? canonicalBoolean : rawText)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * What destinations on the Postgres wire protocol share (Postgres and Redshift): one pg connection
 * with a pinned session (UTC, ISO dates, exact floats), canonical-text results, catalog
 * introspection and error messages that name the fix and never the password.
 */
export abstract class PgWireDestination extends SqlDestination {
  private readonly connection: PostgresConnection;
  private client: pg.Client | undefined;
  /** Set when the connection dies between calls; pg reports it as an event, not on the next query. */
  protected lostConnection: Error | undefined;

  /** @param product the warehouse's name in messages: Postgres or Redshift. */
  protected constructor(config: Omit<PostgresDestinationConfig, 'type'>, dialect: Dialect, product: string) {
    super(config.id, dialect, config.schema);
    try {
      // Messages name the schema as the warehouse stores it.
      this.connection = postgresConnection({ ...config, schema: this.schema }, product);
    } catch (error) {
      throw this.error('usage', (error as Error).message);
    }
  }

  /**
   * Creates the schema only when it is missing: Postgres checks the CREATE privilege on the
   * database even for CREATE SCHEMA IF NOT EXISTS, and a least-privilege login (see
   * `ferry destinations setup-sql`) owns its existing schema without that privilege.
   */
  override async ensureSchema(): Promise<void> {
    const found = await this.rows(
      'SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1',
      [this.schema],
      `looking for schema ${this.quotedSchema}`,
    );
    if (found.length === 0) await super.ensureSchema();
  }

  /**
   * Pins what the session prints: UTC, ISO dates, and floats with enough digits to read back as
   * the same float (Postgres 12+ prints the shortest exact text from extra_float_digits 1 up).
   */
  protected get sessionSettings(): string {
    return `SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET extra_float_digits = 1`;
  }

  protected get quotedSchema(): string {
    return this.dialect.quoteIdentifier(this.schema);
  }

  async connect(): Promise<void> {
    const client = new pg.Client({ ...this.connection.clientConfig, types: CANONICAL_TEXT });
    // Without a listener, a connection dropped while idle would crash the whole runner process.
    client.on('error', (error) => {
      this.lostConnection = error;
    });
    try {
      await client.connect();
      await client.query(this.sessionSettings);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw this.failure(error, 'connecting');
    }
    this.lostConnection = undefined;
    this.client = client;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // A connection that is already gone has nothing left to close.
    await client?.end().catch(() => undefined);
  }

  protected async run(sql: string): Promise<number> {
    const client = this.connected();
    try {
      // A string holding several statements yields one result per statement.
      const result = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
      return (Array.isArray(result) ? result.at(-1) : result)?.rowCount ?? 0;
    } catch (error) {
      throw this.failure(error, `running \`${statementSummary(sql)}\``);
    }
  }

  async query(sql: string): Promise<(string | null)[][]> {
    return this.rows(sql, [], `running \`${statementSummary(sql)}\``);
  }

  /**
   * Through a cursor, in its own transaction (a cursor lives in one), fetching SCAN_BATCH rows at
   * a time: pg would otherwise hold the whole result in memory.
   */
  override async *scan(sql: string): AsyncIterable<(string | null)[][]> {
    const doing = `running \`${statementSummary(sql)}\``;
    await this.run('BEGIN');
    try {
      await this.run(`DECLARE ferry_scan NO SCROLL CURSOR FOR ${sql.trim().replace(/;+$/, '')}`);
      for (;;) {
        const batch = await this.rows(`FETCH FORWARD ${SCAN_BATCH} FROM ferry_scan`, [], doing);
        if (batch.length > 0) yield batch;
        if (batch.length < SCAN_BATCH) break;
      }
    } finally {
      // Read-only: ending it either way releases the cursor.
      await this.run('ROLLBACK').catch(() => undefined);
    }
  }

  async introspect(table: string): Promise<TableShape | undefined> {
    return tableShapeFrom(await this.rows(POSTGRES_COLUMNS_QUERY, [this.schema, table], `reading the columns of ${this.relation(table)}`));
  }

  /** Renames a renamed table's primary key to `<table>_pkey`, as Postgres would name it for a new table. */
  protected async renamePrimaryKeyAfterTable(table: string): Promise<void> {
    const relation = this.relation(table);
    const [row] = await this.rows(POSTGRES_PRIMARY_KEY_QUERY, [relation], `reading the primary key of ${relation}`);
    const current = row?.[0];
    const suffix = '_pkey';
    const wanted = clipName(this.dialect, table, this.dialect.maxIdentifierLength - suffix.length) + suffix;
    if (current && current !== wanted) {
      await this.run(`ALTER TABLE ${relation} RENAME CONSTRAINT ${this.dialect.quoteIdentifier(current)} TO ${this.dialect.quoteIdentifier(wanted)}`);
    }
  }

  /** Runs one statement with bind parameters; resolves to its affected-row count. */
  protected async runWith(sql: string, values: readonly (string | null)[], doing: string): Promise<number> {
    const client = this.connected();
    try {
      return (await client.query({ text: sql, values: [...values] })).rowCount ?? 0;
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  /** The type ids of a query's result columns, as the server describes them. */
  protected async resultTypes(sql: string, doing: string): Promise<number[]> {
    const client = this.connected();
    try {
      return (await client.query(sql)).fields.map((field) => field.dataTypeID);
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  /** Runs a parameterised query and returns its rows as canonical text. */
  protected async rows(sql: string, values: readonly string[], doing: string): Promise<(string | null)[][]> {
    const client = this.connected();
    try {
      const result = await client.query<(string | null)[]>({ text: sql, values: [...values], rowMode: 'array' });
      return result.rows;
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  protected connected(): pg.Client {
    if (this.lostConnection !== undefined) throw this.failure(this.lostConnection, 'using the connection');
    if (this.client === undefined) throw this.error('usage', 'not connected: call connect() first');
    return this.client;
  }

  /** A DestinationError for a pg error, with the password scrubbed from the driver's text. */
  protected failure(error: unknown, doing: string): DestinationError {
    const { kind, what } = describePostgresError(error, this.connection.target, doing);
    const password = this.connection.password;
    return this.error(kind, password ? what.replaceAll(password, '***') : what, error);
  }
}
