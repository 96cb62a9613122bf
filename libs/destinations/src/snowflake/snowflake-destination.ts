import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dialectFor } from '@ferry/dialects';
import type snowflake from 'snowflake-sdk';
import type { DestinationSession, TableShape } from '../destination.ts';
import { DestinationError } from '../destination-error.ts';
import { scratchName } from '../names.ts';
import { SqlDestination } from '../sql-destination.ts';
import { CsvStagingError, stageCsvFile, type StagedCsvFile } from '../staged-csv-file.ts';
import { statementSummary } from '../statement-summary.ts';
import { snowflakeCapabilities } from './snowflake-capabilities.ts';
import { snowflakeHost, type SnowflakeDestinationConfig } from './snowflake-config.ts';
import { describeSnowflakeError, type SnowflakeTarget } from './snowflake-errors.ts';
import { canonicalText, FETCH_AS_STRING, SNOWFLAKE_SESSION_PARAMETERS } from './snowflake-values.ts';

/**
 * How COPY reads the transfer format: fields optionally quoted with `"`, an empty unquoted field
 * is NULL and `""` the empty string, no string is NULL by its text (Snowflake's default NULL_IF
 * would turn `\N` into NULL), and a backslash in an unquoted field is just a backslash.
 * @see https://docs.snowflake.com/en/sql-reference/sql/create-file-format#type-csv
 */
const CSV_FORMAT = `TYPE = CSV FIELD_OPTIONALLY_ENCLOSED_BY = '"' EMPTY_FIELD_AS_NULL = TRUE NULL_IF = () ESCAPE_UNENCLOSED_FIELD = NONE COMPRESSION = GZIP`;

/** A statement's result: the SDK's statement (columns, affected rows) and its rows. */
export interface SnowflakeResult {
  readonly statement: snowflake.RowStatement;
  readonly rows: readonly unknown[][];
}

/**
 * snowflake-sdk, loaded when a Snowflake destination first connects: it loads the AWS SDK, which
 * takes a second and, on Node 20, prints a warning about its own future Node support to stderr,
 * where it would break Ferry's JSON log lines. Neither should touch runs without Snowflake. The
 * warning concerns the AWS SDK's plans, not Ferry's use of it, so it is switched off unless the
 * user chose otherwise.
 */
async function loadDriver(): Promise<typeof snowflake> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return (await import('snowflake-sdk')).default;
}

/** Statements Snowflake commits on their own, committing any open transaction first; leading comments skipped. */
const DDL = /^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*(CREATE|DROP|ALTER|TRUNCATE|UNDROP|COMMENT|GRANT|REVOKE)\b/i;

/** A string literal for Snowflake, where a backslash escapes too. */
function literal(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/**
 * A Snowflake destination on one session of snowflake-sdk. Bulk loads gzip the CSV to a local
 * file, PUT it to a temporary stage and COPY it into the table: two statements per load, however
 * many rows. DDL commits on its own (see snowflake-capabilities.ts), so `swap` uses Snowflake's
 * atomic ALTER TABLE ... SWAP WITH.
 * @example
 * const destination = new SnowflakeDestination({ type: 'snowflake', id: 'acme', account: 'xy12345.eu-central-1',
 *   user: 'FERRY', password, database: 'ANALYTICS', schema: 'KNOCK', warehouse: 'FERRY_WH' });
 * await destination.connect();
 */
export class SnowflakeDestination extends SqlDestination {
  readonly type = 'snowflake';
  readonly capabilities = snowflakeCapabilities;
  /** The database, folded as Snowflake stores unquoted names. */
  private readonly database: string;
  private readonly target: SnowflakeTarget;
  private connection: snowflake.Connection | undefined;
  /** Whether this session created its temporary stage: it lasts as long as the session. */
  private stageCreated = false;

  constructor(private readonly config: SnowflakeDestinationConfig) {
    super(config.id, dialectFor('snowflake'), config.schema);
    const fold = this.dialect.foldIdentifier;
    this.database = fold(config.database);
    this.target = {
      host: snowflakeHost(config),
      user: fold(config.user),
      database: this.database,
      schema: this.schema,
      ...(config.warehouse === undefined ? {} : { warehouse: fold(config.warehouse) }),
      ...(config.role === undefined ? {} : { role: fold(config.role) }),
    };
  }

  protected get quotedSchema(): string {
    return `${this.dialect.quoteIdentifier(this.database)}.${this.dialect.quoteIdentifier(this.schema)}`;
  }

  async connect(): Promise<void> {
    const snowflake = await loadDriver();
    // The driver's own log would repeat every failure, which Ferry reports as a DestinationError.
    snowflake.configure({ logLevel: 'OFF' });
    const { config } = this;
    const where =
      config.host === undefined
        ? {}
        : {
            host: config.host,
            port: config.port,
            protocol: config.protocol,
            accessUrl: `${config.protocol ?? 'https'}://${config.host}${config.port === undefined ? '' : `:${config.port}`}`,
          };
    const connection = snowflake.createConnection({
      account: config.account,
      username: config.user,
      password: config.password,
      database: config.database,
      schema: config.schema,
      ...(config.warehouse === undefined ? {} : { warehouse: config.warehouse }),
      ...(config.role === undefined ? {} : { role: config.role }),
      ...where,
      // NULL stays null: the driver's default spells it as the string "NULL", like a text 'NULL'.
      representNullAsStringNull: false,
    });
    try {
      await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      // A half-open connection would keep the driver's timers alive.
      await new Promise<void>((resolve) => connection.destroy(() => resolve()));
      throw this.failure(error, 'connecting');
    }
    // A second connect replaces the session; the first is closed, not leaked.
    await this.close();
    this.connection = connection;
    this.stageCreated = false;
    await this.run(SNOWFLAKE_SESSION_PARAMETERS);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    // A session that is already gone has nothing left to close.
    await new Promise<void>((resolve) => (connection ? connection.destroy(() => resolve()) : resolve()));
  }

  /**
   * Creates the schema only when it is missing (CREATE SCHEMA needs a privilege on the database
   * that a login owning its schema lacks), then makes it the session's current schema, where
   * the temporary staging tables are created.
   */
  override async ensureSchema(): Promise<void> {
    const schemata = `${this.dialect.quoteIdentifier(this.database)}.INFORMATION_SCHEMA.SCHEMATA`;
    const found = await this.query(`SELECT 1 FROM ${schemata} WHERE SCHEMA_NAME = ${literal(this.schema)}`);
    if (found.length === 0) await super.ensureSchema();
    await this.run(`USE SCHEMA ${this.quotedSchema}`);
  }

  /** Creates the session's stage first: a load inside the transaction would otherwise create it there, and commit the transaction. */
  override async transaction<T>(work: (session: DestinationSession) => Promise<T>): Promise<T> {
    await this.stage();
    return super.transaction(work);
  }

  protected async run(sql: string): Promise<number> {
    const { statement } = await this.send(sql, `running \`${statementSummary(sql)}\``);
    const changed = statement.getNumUpdatedRows();
    return changed !== undefined && changed > 0 ? changed : 0;
  }

  async query(sql: string): Promise<(string | null)[][]> {
    const { statement, rows } = await this.send(sql, `running \`${statementSummary(sql)}\``);
    const types = (statement.getColumns() ?? []).map((column) => column.getType());
    return rows.map((row) => row.map((value, i) => canonicalText(value, types[i] ?? 'text')));
  }

  async loadCsv(relation: string, columns: readonly string[], csv: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }> {
    const doing = `loading CSV into ${relation}`;
    let staged: StagedCsvFile;
    try {
      staged = await stageCsvFile(csv, tmpdir(), { gzip: true });
    } catch (error) {
      if (!(error instanceof CsvStagingError)) throw error;
      throw this.error('load', `${doing} failed: ${error.message}; free space there or point TMPDIR to a writable disk with room`, error);
    }
    try {
      // One folder per load, so concurrent loads of one session never pick up each other's files.
      const location = `@${await this.stage()}/${randomUUID()}/`;
      await this.send(`PUT ${literal(`file://${staged.file}`)} ${location} AUTO_COMPRESS = FALSE SOURCE_COMPRESSION = GZIP`, doing);
      const list = columns.map((column) => this.dialect.quoteIdentifier(column)).join(', ');
      try {
        const { statement, rows } = await this.send(
          `COPY INTO ${relation} (${list}) FROM ${location} FILE_FORMAT = (${CSV_FORMAT}) PURGE = TRUE`,
          doing,
        );
        const loaded = (statement.getColumns() ?? []).findIndex((column) => column.getName().toLowerCase() === 'rows_loaded');
        return { rows: rows.reduce((sum, row) => sum + Number(row[loaded] ?? 0), 0), bytes: staged.bytes };
      } catch (error) {
        // PURGE removes the file only after a successful load.
        await this.send(`REMOVE ${location}`, doing).catch(() => undefined);
        throw error;
      }
    } finally {
      await staged.remove();
    }
  }

  /**
   * The table's columns as DESCRIBE TABLE spells their types (`NUMBER(19,0)`, `VARCHAR(64)`,
   * `TIMESTAMP_TZ(6)`), or undefined when the table does not exist.
   */
  async introspect(table: string): Promise<TableShape | undefined> {
    const relation = this.relation(table);
    let rows: readonly unknown[][];
    try {
      ({ rows } = await this.send(`DESCRIBE TABLE ${relation}`, `reading the columns of ${relation}`));
    } catch (error) {
      const cause = error instanceof DestinationError ? (error.cause as Error | undefined) : undefined;
      if (cause && /Table .* does not exist/i.test(cause.message)) return undefined;
      throw error;
    }
    // Columns: name, type, kind, null? (Y/N), ...
    return { columns: new Map(rows.map(([name, type, , nullable]) => [String(name), { type: String(type), nullable: nullable === 'Y' }])) };
  }

  /**
   * Swaps with ALTER TABLE ... SWAP WITH, which exchanges the two tables atomically: each DDL
   * statement commits on its own in Snowflake, so dropping and renaming would leave readers a
   * moment without the table. The old table, now under the shadow's name, is then dropped or kept.
   */
  override async swap(shadow: string, table: string, keepOldAs?: string): Promise<void> {
    if ((await this.introspect(shadow)) === undefined) {
      throw this.error(
        'usage',
        `cannot swap ${this.relation(shadow)} into ${this.relation(table)}: the shadow table does not exist; create and load it first`,
      );
    }
    if ((await this.introspect(table)) === undefined) {
      await this.renameTable(shadow, table);
      return;
    }
    if (keepOldAs !== undefined && (await this.introspect(keepOldAs)) !== undefined) {
      throw this.error(
        'usage',
        `cannot keep the old ${this.relation(table)} as ${this.relation(keepOldAs)}: that table exists already; drop it or keep the old table under another name`,
      );
    }
    await this.run(`ALTER TABLE ${this.relation(table)} SWAP WITH ${this.relation(shadow)}`);
    if (keepOldAs === undefined) await this.run(`DROP TABLE ${this.relation(shadow)}`);
    else await this.renameTable(shadow, keepOldAs);
  }

  /** Names the new table in full: an unqualified name would move it to the session's current schema. */
  protected override async renameTable(from: string, to: string): Promise<void> {
    await this.run(`ALTER TABLE ${this.relation(from)} RENAME TO ${this.relation(to)}`);
  }

  /**
   * Sends one statement and resolves to its result; driver errors become DestinationErrors.
   * Every statement this destination runs goes through here.
   */
  protected async send(sql: string, doing: string): Promise<SnowflakeResult> {
    const connection = this.connected();
    if (this.inTransaction && DDL.test(sql)) {
      throw this.error(
        'usage',
        `${doing} inside a transaction: Snowflake commits DDL at once, and the open transaction with it; create helper tables before the transaction`,
      );
    }
    return new Promise((resolve, reject) => {
      try {
        connection.execute({
          sqlText: sql,
          fetchAsString: [...FETCH_AS_STRING],
          rowMode: 'array',
          complete: (error, statement, rows) => {
            if (error) reject(this.failure(error, doing));
            else resolve({ statement, rows: (rows ?? []) as unknown[][] });
          },
        });
      } catch (error) {
        reject(this.failure(error, doing));
      }
    });
  }

  /** The session's temporary stage, created on first use: loads PUT their files there. */
  private async stage(): Promise<string> {
    const stage = `${this.quotedSchema}.${this.dialect.quoteIdentifier(scratchName(this.dialect, 'stage'))}`;
    if (!this.stageCreated) {
      await this.run(`CREATE TEMPORARY STAGE IF NOT EXISTS ${stage}`);
      this.stageCreated = true;
    }
    return stage;
  }

  private connected(): snowflake.Connection {
    if (this.connection === undefined) throw this.error('usage', 'not connected: call connect() first');
    return this.connection;
  }

  /** A DestinationError for a driver error, with the password scrubbed from the driver's text. */
  private failure(error: unknown, doing: string): DestinationError {
    const { kind, what } = describeSnowflakeError(error, this.target, doing);
    const password = this.config.password;
    return this.error(kind, password ? what.replaceAll(password, '***') : what, error);
  }
}
