import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { dialectFor } from '@ferry/dialects';
import type { TableShape } from '../destination.ts';
import type { DestinationError } from '../destination-error.ts';
import { SqlDestination } from '../sql-destination.ts';
import { CsvStagingError, stageCsvFile, type StagedCsvFile } from '../staged-csv-file.ts';
import { statementSummary } from '../statement-summary.ts';
import { tableShapeFrom } from '../table-shape.ts';
import { duckdbCapabilities } from './duckdb-capabilities.ts';
import type { DuckDBDestinationConfig } from './duckdb-config.ts';
import { DUCKDB_CSV_OPTIONS, duckdbLiteral } from './duckdb-csv.ts';
import { describeDuckDBError, describeDuckDBOpenError } from './duckdb-errors.ts';

/** A table's columns in order as `[name, type, nullable]`. Parameters: $1 schema, $2 table. */
const COLUMNS_QUERY = `SELECT column_name, data_type, CAST(is_nullable AS VARCHAR)
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2
ORDER BY column_index`;

/** How many PRIMARY KEY or UNIQUE constraints a table declares, as text. Parameters: $1 schema, $2 table. */
const KEY_CONSTRAINTS_QUERY = `SELECT CAST(COUNT(*) AS VARCHAR) FROM duckdb_constraints()
WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`;

/**
 * A DuckDB destination on one connection. Bulk loads stage the CSV in a file and COPY it, so
 * DuckDB's parallel CSV reader does the parsing (faster than feeding an appender from JavaScript).
 * The database is opened through DuckDB's instance cache, so destinations sharing a file in one
 * process (two tenants' schemas, say) share one instance of it rather than opening it twice,
 * which DuckDB does not guard against within a process.
 * @example
 * const destination = new DuckDBDestination({ type: 'duckdb', id: 'sandbox', path: ':memory:', schema: 'knock' });
 * await destination.connect();
 */
export class DuckDBDestination extends SqlDestination {
  readonly type = 'duckdb';
  readonly capabilities = duckdbCapabilities;
  private instance: DuckDBInstance | undefined;
  private connection: DuckDBConnection | undefined;
  /** The database's name, which qualifies every relation (see quotedSchema). */
  private catalog: string | undefined;

  constructor(private readonly config: DuckDBDestinationConfig) {
    super(config.id, dialectFor('duckdb'), config.schema);
  }

  /**
   * `"catalog"."schema"`: a bare `"schema"."table"` is ambiguous in DuckDB when the schema and
   * the database file share a name (`knock.duckdb` holding schema `knock`).
   */
  protected get quotedSchema(): string {
    if (this.catalog === undefined) throw this.error('usage', 'not connected: call connect() first');
    return `${this.dialect.quoteIdentifier(this.catalog)}.${this.dialect.quoteIdentifier(this.schema)}`;
  }

  override async exists(): Promise<boolean> {
    return this.config.path === ':memory:' || existsSync(this.config.path);
  }

  async connect(): Promise<void> {
    // Loaded by the first DuckDB destination to connect, not by every importer of @ferry/destinations (a few hundred ms).
    const { DuckDBInstance } = await import('@duckdb/node-api');
    try {
      // Settings apply when the instance is created; a cached one (another destination in the same file) keeps its own.
      const settings = this.config.threads === undefined ? undefined : { threads: String(this.config.threads) };
      this.instance = await DuckDBInstance.fromCache(this.config.path, settings);
      this.connection = await this.instance.connect();
    } catch (error) {
      const { kind, what } = describeDuckDBOpenError(error, this.config.path);
      throw this.error(kind, what, error);
    }
    // SESSION: the instance may be shared, and its other connections keep their own time zone.
    await this.run(`SET SESSION TimeZone = 'UTC'`);
    const [[catalog] = []] = await this.query('SELECT current_database()');
    this.catalog = catalog ?? undefined;
  }

  /**
   * Closes the connection and this destination's handle on the cached instance: the file closes,
   * and its lock is released for other processes, once no other handle in the process uses it.
   */
  async close(): Promise<void> {
    this.connection?.closeSync();
    this.connection = undefined;
    this.instance?.closeSync();
    this.instance = undefined;
    this.catalog = undefined;
  }

  protected async run(sql: string): Promise<number> {
    return this.runDoing(sql, `running \`${statementSummary(sql)}\``);
  }

  /**
   * Casts every column to VARCHAR in SQL: DuckDB's casts print the canonical text (timestamptz
   * in the session's UTC with `+00`, decimals at their scale), where the Node API's JavaScript
   * values would print timestamps in the process's time zone. The wrap keeps the query's order.
   */
  async query(sql: string): Promise<(string | null)[][]> {
    const select = sql.trim().replace(/;+$/, '');
    return this.read(`SELECT COLUMNS(*)::VARCHAR FROM (\n${select}\n)`, [], `running \`${statementSummary(sql)}\``);
  }

  /** DuckDB's streaming result, one data chunk (2048 rows) at a time, cast to text as in `query`. */
  override async *scan(sql: string): AsyncIterable<(string | null)[][]> {
    const select = sql.trim().replace(/;+$/, '');
    const doing = `running \`${statementSummary(sql)}\``;
    let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
    try {
      result = await this.connected().stream(`SELECT COLUMNS(*)::VARCHAR FROM (\n${select}\n)`);
    } catch (error) {
      throw this.failure(error, doing);
    }
    try {
      for await (const rows of result.yieldRows()) yield rows as (string | null)[][];
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  async loadCsv(relation: string, columns: readonly string[], csv: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }> {
    const doing = `loading CSV into ${relation}`;
    const stagingDirectory = this.config.stagingDirectory ?? tmpdir();
    let staged: StagedCsvFile;
    try {
      staged = await stageCsvFile(csv, stagingDirectory, { gzip: false });
    } catch (error) {
      if (!(error instanceof CsvStagingError)) throw error;
      // Name the lever the user has: ferry's CLI stages in the system's temporary folder.
      const elsewhere =
        this.config.stagingDirectory === undefined ? 'point TMPDIR to a writable disk with room' : 'give stagingDirectory a writable disk with room';
      throw this.error('load', `${doing} failed: ${error.message}; free space there or ${elsewhere}`, error);
    }
    try {
      const list = columns.map((column) => this.dialect.quoteIdentifier(column)).join(', ');
      const rows = await this.runDoing(`COPY ${relation} (${list}) FROM ${duckdbLiteral(staged.file)} (${DUCKDB_CSV_OPTIONS})`, doing);
      return { rows, bytes: staged.bytes };
    } finally {
      await staged.remove();
    }
  }

  async introspect(table: string): Promise<TableShape | undefined> {
    const doing = `reading the columns of ${this.relation(table)}`;
    const shape = tableShapeFrom(await this.read(COLUMNS_QUERY, [this.schema, table], doing));
    if (shape === undefined) return undefined;
    const [[keys] = []] = await this.read(KEY_CONSTRAINTS_QUERY, [this.schema, table], doing);
    return Number(keys) > 0 ? { ...shape, declaresKey: true } : shape;
  }

  private async runDoing(sql: string, doing: string): Promise<number> {
    const connection = this.connected();
    try {
      return (await connection.run(sql)).rowsChanged;
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  /** Rows of a query whose columns are all VARCHAR. */
  private async read(sql: string, values: readonly string[], doing: string): Promise<(string | null)[][]> {
    const connection = this.connected();
    try {
      const reader = await connection.runAndReadAll(sql, [...values]);
      return reader.getRows() as (string | null)[][];
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  private connected(): DuckDBConnection {
    if (this.connection === undefined) throw this.error('usage', 'not connected: call connect() first');
    return this.connection;
  }

  private failure(error: unknown, doing: string): DestinationError {
    const { kind, what } = describeDuckDBError(error, this.config.path, this.schema, doing);
    return this.error(kind, what, error);
  }
}
