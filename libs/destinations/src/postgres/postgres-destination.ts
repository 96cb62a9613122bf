import { pipeline } from 'node:stream/promises';
import { dialectFor } from '@ferry/dialects';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ByteCount } from '../byte-count.ts';
import type { TableShape } from '../destination.ts';
import type { DestinationError } from '../destination-error.ts';
import { clipName } from '../names.ts';
import { SqlDestination } from '../sql-destination.ts';
import { statementSummary } from '../statement-summary.ts';
import { tableShapeFrom } from '../table-shape.ts';
import { postgresCapabilities } from './postgres-capabilities.ts';
import type { PostgresDestinationConfig } from './postgres-config.ts';
import { postgresConnection, type PostgresConnection } from './postgres-connection.ts';
import { describePostgresError } from './postgres-errors.ts';
import { POSTGRES_COLUMNS_QUERY, POSTGRES_PRIMARY_KEY_QUERY } from './postgres-introspection.ts';

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
 * A Postgres destination on one connection: COPY FROM STDIN for bulk loads, transactional DDL,
 * and swaps that rename the primary key along with the table.
 * @example
 * const destination = new PostgresDestination({ type: 'postgres', id: 'acme', url, schema: 'knock' });
 * await destination.connect();
 */
export class PostgresDestination extends SqlDestination {
  readonly type = 'postgres';
  readonly capabilities = postgresCapabilities;
  private readonly connection: PostgresConnection;
  private client: pg.Client | undefined;
  /** Set when the connection dies between calls; pg reports it as an event, not on the next query. */
  private lostConnection: Error | undefined;

  constructor(config: PostgresDestinationConfig) {
    super(config.id, dialectFor('postgres'), config.schema);
    try {
      this.connection = postgresConnection(config);
    } catch (error) {
      throw this.error('usage', (error as Error).message);
    }
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
      await client.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET extra_float_digits = 1`);
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

  async loadCsv(relation: string, columns: readonly string[], csv: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }> {
    const list = columns.map((column) => this.dialect.quoteIdentifier(column)).join(', ');
    // CSV mode already reads the transfer format: unquoted empty is NULL, "" is the empty string.
    const copy = this.connected().query(copyFrom(`COPY ${relation} (${list}) FROM STDIN (FORMAT csv)`));
    const counter = new ByteCount();
    try {
      await pipeline(csv, counter.through, copy);
    } catch (error) {
      // A failing CSV source is the source's error, not the destination's: pass it on as is.
      if (!(error instanceof pg.DatabaseError) && this.lostConnection === undefined) throw error;
      throw this.failure(error, `loading CSV into ${relation}`);
    }
    return { rows: copy.rowCount, bytes: counter.bytes };
  }

  async introspect(table: string): Promise<TableShape | undefined> {
    return tableShapeFrom(await this.rows(POSTGRES_COLUMNS_QUERY, [this.schema, table], `reading the columns of ${this.relation(table)}`));
  }

  /**
   * Renames the primary key with the table: Postgres names it `<table>_pkey`, and as index
   * names share the schema's namespace with tables, the next shadow's key would collide with it.
   */
  protected override async renameTable(from: string, to: string): Promise<void> {
    await super.renameTable(from, to);
    const relation = this.relation(to);
    const [row] = await this.rows(POSTGRES_PRIMARY_KEY_QUERY, [relation], `reading the primary key of ${relation}`);
    const current = row?.[0];
    const suffix = '_pkey';
    const wanted = clipName(this.dialect, to, this.dialect.maxIdentifierLength - suffix.length) + suffix;
    if (current && current !== wanted) {
      await this.run(`ALTER TABLE ${relation} RENAME CONSTRAINT ${this.dialect.quoteIdentifier(current)} TO ${this.dialect.quoteIdentifier(wanted)}`);
    }
  }

  private async rows(sql: string, values: readonly string[], doing: string): Promise<(string | null)[][]> {
    const client = this.connected();
    try {
      const result = await client.query<(string | null)[]>({ text: sql, values: [...values], rowMode: 'array' });
      return result.rows;
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  private connected(): pg.Client {
    if (this.lostConnection !== undefined) throw this.failure(this.lostConnection, 'using the connection');
    if (this.client === undefined) throw this.error('usage', 'not connected: call connect() first');
    return this.client;
  }

  /** A DestinationError for a pg error, with the password scrubbed from the driver's text. */
  private failure(error: unknown, doing: string): DestinationError {
    const { kind, what } = describePostgresError(error, this.connection.target, doing);
    const password = this.connection.password;
    return this.error(kind, password ? what.replaceAll(password, '***') : what, error);
  }
}
