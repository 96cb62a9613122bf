import { pipeline } from 'node:stream/promises';
import type { BigQuery, Job, JobMetadata, TableField } from '@google-cloud/bigquery';
import { dialectFor } from '@ferry/dialects';
import type { AnyAuthClient } from 'google-auth-library';
import { ByteCount } from '../byte-count.ts';
import type { DestinationSession, TableShape } from '../destination.ts';
import type { DestinationError } from '../destination-error.ts';
import { scratchName } from '../names.ts';
import { SqlDestination } from '../sql-destination.ts';
import { statementSummary } from '../statement-summary.ts';
import { MalformedCsvError, transferCsvRecords } from '../transfer-csv-records.ts';
import { bigqueryCapabilities } from './bigquery-capabilities.ts';
import type { BigQueryDestinationConfig } from './bigquery-config.ts';
import { describeBigQueryError, type BigQueryTarget } from './bigquery-errors.ts';
import { bigqueryTypeName, canonicalText, loadEncoding, ndjsonLine, parseRelation, type BigQueryField, type TableName } from './bigquery-values.ts';

const DEFAULT_LOCATION = 'US';
/** How long one getQueryResults call waits server-side for a job before Ferry asks again. */
const POLL_TIMEOUT_MS = 10_000;
/** NDJSON sent to a load job in chunks of about this size: few enough writes, bounded memory. */
const LOAD_CHUNK_BYTES = 256 * 1024;
/** BigQuery dataset ids: letters, digits and underscores, at most 1,024 of them. */
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;

/** What a BigQuery destination takes besides its (serialisable) config. */
export interface BigQueryDestinationOptions {
  /**
   * The credentials to send instead of the config's key file or Application Default
   * Credentials: tests pass a PassThroughClient for the emulator.
   */
  readonly authClient?: AnyAuthClient;
  /** Retries of a failed request (the client's default is 3); tests set 0 to fail fast. */
  readonly maxRetries?: number;
}

/**
 * A BigQuery destination: one dataset in one project, reached through BigQuery's REST API.
 * Statements run as query jobs, bulk loads as NDJSON load jobs (one upload for the whole CSV
 * stream), swaps as copy jobs. BigQuery has no connection to hold: `connect` makes the client.
 *
 * Atomicity: BigQuery commits every job on its own, DDL included, and Ferry's transactions mix
 * DDL, load jobs and DML, which a BigQuery multi-statement transaction cannot hold. So
 * `transaction` runs its work in order without making it atomic; a run that dies midway is
 * repaired by the next one, whose merge is idempotent. Swaps are atomic for readers: a copy job
 * with WRITE_TRUNCATE replaces the table's rows and schema at once.
 * @example
 * const destination = new BigQueryDestination({ type: 'bigquery', id: 'acme', projectId: 'acme-analytics', dataset: 'knock' });
 * await destination.connect();
 */
export class BigQueryDestination extends SqlDestination {
  readonly type = 'bigquery';
  readonly capabilities = bigqueryCapabilities;
  private client: BigQuery | undefined;
  private readonly target: BigQueryTarget;
  private working = false;

  constructor(
    private readonly config: BigQueryDestinationConfig,
    private readonly options: BigQueryDestinationOptions = {},
  ) {
    super(config.id, dialectFor('bigquery'), config.dataset);
    this.target = {
      projectId: config.projectId,
      dataset: this.schema,
      location: config.location ?? DEFAULT_LOCATION,
      keyFilename: config.keyFilename,
    };
    if (!DATASET_ID.test(this.schema)) {
      throw this.error('usage', `dataset "${config.dataset}" is not a valid BigQuery dataset id: use letters, digits and underscores only`);
    }
    if (!config.projectId) throw this.error('usage', 'projectId is missing: set it to the Google Cloud project that holds the dataset');
  }

  protected get quotedSchema(): string {
    return `${this.dialect.quoteIdentifier(this.config.projectId)}.${this.dialect.quoteIdentifier(this.schema)}`;
  }

  /**
   * Creates the client; BigQuery has no session to open, so credentials are first used by the
   * next call. The client library is loaded here, so runs without BigQuery never pay for it.
   */
  async connect(): Promise<void> {
    const { BigQuery } = await import('@google-cloud/bigquery');
    this.client = new BigQuery({
      projectId: this.config.projectId,
      location: this.target.location,
      ...(this.config.keyFilename === undefined ? {} : { keyFilename: this.config.keyFilename }),
      ...(this.config.apiEndpoint === undefined ? {} : { apiEndpoint: this.config.apiEndpoint }),
      ...(this.options.authClient === undefined ? {} : { authClient: this.options.authClient }),
      ...(this.options.maxRetries === undefined ? {} : { maxRetries: this.options.maxRetries }),
    });
  }

  async close(): Promise<void> {
    this.client = undefined;
  }

  /**
   * Creates the dataset in the configured location when it is missing. Checked first, because a
   * least-privilege service account may edit its dataset without being allowed to create datasets.
   */
  override async ensureSchema(): Promise<void> {
    const dataset = this.connected().dataset(this.schema, { location: this.target.location });
    const doing = `creating dataset ${this.config.projectId}.${this.schema}`;
    try {
      const [exists] = await dataset.exists();
      if (exists) return;
      await dataset.create({ location: this.target.location });
    } catch (error) {
      // Another runner created it in the meantime.
      if ((error as { code?: unknown }).code === 409) return;
      throw this.failure(error, doing);
    }
  }

  /** Helper tables are regular tables in the dataset: load jobs cannot write to a session's temporary tables. */
  override scratchRelation(name: string): string {
    return this.relation(scratchName(this.dialect, name));
  }

  protected async run(sql: string): Promise<number> {
    const metadata = await this.runJob(sql, `running \`${statementSummary(sql)}\``);
    return Number(metadata.statistics?.query?.numDmlAffectedRows ?? 0);
  }

  async query(sql: string): Promise<(string | null)[][]> {
    const doing = `running \`${statementSummary(sql)}\``;
    const job = await this.startQuery(sql, doing);
    const rows: (string | null)[][] = [];
    let pageToken: string | undefined;
    try {
      for (;;) {
        const [page, , response] = await job.getQueryResults({
          skipParsing: true,
          autoPaginate: false,
          timeoutMs: POLL_TIMEOUT_MS,
          ...(pageToken ? { pageToken } : {}),
        });
        if (response?.jobComplete === false) continue;
        const fields = (response?.schema?.fields ?? []) as BigQueryField[];
        for (const row of page as unknown as { f: { v: unknown }[] }[]) rows.push(row.f.map((cell, i) => canonicalText(cell.v, fields[i]!)));
        pageToken = response?.pageToken ?? undefined;
        if (!pageToken) return rows;
      }
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  /**
   * Converts the transfer-format CSV to NDJSON on the way and streams it to one load job:
   * NDJSON, because BigQuery's CSV reader cannot tell `""` from NULL. Memory holds one chunk.
   */
  async loadCsv(relation: string, columns: readonly string[], csv: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }> {
    const doing = `loading rows into ${relation}`;
    const table = this.tableOf(relation);
    const encodings = await this.loadEncodings(relation, columns);
    const names = columns.map((column) => JSON.stringify(column));
    const counter = new ByteCount();
    let rows = 0;
    const checkWidth = (width: number) => {
      if (width !== columns.length) {
        throw this.error(
          'load',
          `${doing} failed: CSV record ${rows + 1} has ${width} fields where the table takes ${columns.length}: the source and the table disagree on the columns`,
        );
      }
    };
    async function* ndjson(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
      let chunk = '';
      for await (const record of transferCsvRecords(source)) {
        checkWidth(record.length);
        chunk += ndjsonLine(record, names, encodings);
        rows += 1;
        if (chunk.length >= LOAD_CHUNK_BYTES) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk !== '') yield chunk;
    }
    const upload = this.connected()
      .dataset(table.datasetId, { projectId: table.projectId, location: this.target.location })
      .table(table.tableId)
      .createWriteStream({ sourceFormat: 'NEWLINE_DELIMITED_JSON', writeDisposition: 'WRITE_APPEND', location: this.target.location });
    let uploadFailure: unknown;
    upload.on('error', (error) => {
      uploadFailure = error;
    });
    try {
      await pipeline(csv, counter.through, ndjson, upload);
    } catch (error) {
      if (error instanceof MalformedCsvError) throw this.error('load', `${doing} failed: ${error.message}`, error);
      // A failing CSV source is the source's error, not the destination's: pass it on as is.
      if (error !== uploadFailure) throw error;
      throw this.failure(error, doing);
    }
    return { rows, bytes: counter.bytes };
  }

  async introspect(table: string): Promise<TableShape | undefined> {
    const doing = `reading the columns of ${this.relation(table)}`;
    try {
      const [metadata] = await this.connected().dataset(this.schema).table(table).getMetadata();
      const fields = (metadata.schema?.fields ?? []) as BigQueryField[];
      return { columns: new Map(fields.map((field) => [field.name, { type: bigqueryTypeName(field), nullable: field.mode !== 'REQUIRED' }])) };
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return undefined;
      throw this.failure(error, doing);
    }
  }

  /**
   * Runs the work in order, each statement committing on its own (see the class comment): what
   * this gives is the guard against nesting, so the engine's transactional structure stays checked.
   */
  override async transaction<T>(work: (session: DestinationSession) => Promise<T>): Promise<T> {
    if (this.working) {
      throw this.error('usage', 'a transaction is already open and transactions do not nest: run this work in the open transaction');
    }
    this.working = true;
    try {
      return await work(this);
    } finally {
      this.working = false;
    }
  }

  /**
   * Copies the shadow over the table with WRITE_TRUNCATE (rows and schema replaced in one job,
   * so readers see the old table or the new one), after copying the old table to `keepOldAs`
   * when asked, then drops the shadow.
   */
  override async swap(shadow: string, table: string, keepOldAs?: string): Promise<void> {
    if (this.working) throw this.error('usage', 'swap runs on its own: call it outside a transaction');
    if ((await this.introspect(shadow)) === undefined) {
      throw this.error(
        'usage',
        `cannot swap ${this.relation(shadow)} into ${this.relation(table)}: the shadow table does not exist; create and load it first`,
      );
    }
    if (keepOldAs !== undefined && (await this.introspect(table)) !== undefined) {
      if ((await this.introspect(keepOldAs)) !== undefined) {
        throw this.error(
          'usage',
          `cannot keep the old ${this.relation(table)} as ${this.relation(keepOldAs)}: that table exists already; drop it or keep the old table under another name`,
        );
      }
      await this.copyTable(table, keepOldAs);
    }
    await this.copyTable(shadow, table);
    await this.dropTable(shadow);
  }

  /** Skips a change to the type the column already has: int -> bigint is INT64 -> INT64 here. */
  override async alterColumnType(table: string, column: string, type: string): Promise<void> {
    const current = (await this.introspect(table))?.columns.get(column)?.type;
    if (current !== undefined && current.replaceAll(' ', '').toUpperCase() === type.replaceAll(' ', '').toUpperCase()) return;
    await super.alterColumnType(table, column, type);
  }

  /**
   * Replaces `to` (in the dataset) with a copy of `from`, rows and schema; creates it when missing.
   * A copy job within a dataset is a metadata operation in BigQuery: no rows are rewritten.
   */
  protected async copyTable(from: string, to: string): Promise<void> {
    const doing = `copying ${this.relation(from)} to ${this.relation(to)}`;
    const dataset = this.connected().dataset(this.schema, { location: this.target.location });
    try {
      const [job, response] = await dataset.table(from).createCopyJob(dataset.table(to), {
        writeDisposition: 'WRITE_TRUNCATE',
        createDisposition: 'CREATE_IF_NEEDED',
        location: this.target.location,
      } as never);
      await this.finished(job, response as JobMetadata, doing);
    } catch (error) {
      if ((error as DestinationError).name === 'DestinationError') throw error;
      throw this.failure(error, doing);
    }
  }

  /** Runs one statement as a query job and resolves to the finished job's metadata. */
  protected async runJob(sql: string, doing: string): Promise<JobMetadata> {
    const job = await this.startQuery(sql, doing);
    return this.finished(job, job.metadata as JobMetadata, doing);
  }

  private async startQuery(sql: string, doing: string): Promise<Job> {
    try {
      const [job] = await this.connected().createQueryJob({ query: sql, location: this.target.location, useLegacySql: false });
      return job;
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  /** Waits for a job (one long-polling call at a time) and fails on the job's own errors. */
  private async finished(job: Job, started: JobMetadata | undefined, doing: string): Promise<JobMetadata> {
    let metadata = started;
    try {
      while (metadata?.status?.state !== 'DONE') {
        if (metadata?.configuration?.query) await job.getQueryResults({ maxResults: 0, timeoutMs: POLL_TIMEOUT_MS, autoPaginate: false });
        else await new Promise((resolve) => setTimeout(resolve, 500));
        [metadata] = await job.getMetadata();
      }
    } catch (error) {
      throw this.failure(error, doing);
    }
    const status = metadata.status;
    if (status?.errorResult) {
      const failure = Object.assign(new Error(status.errorResult.message ?? 'the job failed'), { errors: status.errors ?? [status.errorResult] });
      throw this.failure(failure, doing);
    }
    return metadata;
  }

  /** How each loaded column is written, from the relation's column types as a query reports them. */
  private async loadEncodings(relation: string, columns: readonly string[]): Promise<ReturnType<typeof loadEncoding>[]> {
    const list = columns.map((column) => this.dialect.quoteIdentifier(column)).join(', ');
    const sql = `SELECT ${list} FROM ${relation} LIMIT 0`;
    const job = await this.startQuery(sql, `reading the columns of ${relation}`);
    try {
      const [, , response] = await job.getQueryResults({ maxResults: 0, timeoutMs: POLL_TIMEOUT_MS, autoPaginate: false });
      const fields = (response?.schema?.fields ?? []) as TableField[] as BigQueryField[];
      return columns.map((_, i) => (fields[i] ? loadEncoding(fields[i]) : 'text'));
    } catch (error) {
      throw this.failure(error, `reading the columns of ${relation}`);
    }
  }

  private tableOf(relation: string): TableName {
    const table = parseRelation(relation);
    if (table === undefined) throw this.error('usage', `cannot load into ${relation}: expected a relation from relation() or scratchRelation()`);
    return table;
  }

  private connected(): BigQuery {
    if (this.client === undefined) throw this.error('usage', 'not connected: call connect() first');
    return this.client;
  }

  private failure(error: unknown, doing: string): DestinationError {
    const { kind, what } = describeBigQueryError(error, this.target, doing);
    return this.error(kind, what, error);
  }
}
