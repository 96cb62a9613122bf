import { dialects, type KeyHash } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { KeyBucket, ReadWindow, Source } from '../source.ts';
import { readError } from '../source-errors.ts';
import {
  rowBucketsQuery,
  rowHashesInBucketsQuery,
  sourceRelation,
  tenantSliceFrom,
  tenantSliceQuery,
  tenantSliceStoredQuery,
  tenantValuesQuery,
} from '../tenant-slice.ts';
import { poolConfig, postgresTarget, type PostgresSourceConfig, type PostgresTarget } from './connection.ts';
import { postgresConnectionError, postgresReadFailure } from './errors.ts';
import { CANONICAL_TEXT_SESSION } from './session.ts';

/**
 * A Postgres source. Exports stream `COPY (<tenant slice>) TO STDOUT (FORMAT csv)`: Postgres
 * formats the CSV itself and the socket is read only as fast as the consumer takes chunks, so
 * memory stays flat whatever the slice size. Each operation borrows its own pooled connection,
 * so exports of several models can run at once and a count never waits behind an export.
 *
 * Redshift speaks the same SQL but cannot `COPY ... TO STDOUT`; it is not supported here yet.
 */
export class PostgresSource implements Source {
  readonly kind = 'postgres';
  readonly #config: PostgresSourceConfig;
  readonly #target: PostgresTarget;
  #pool: pg.Pool | undefined;
  /** Connections already switched to canonical-text settings (a pool reuses them). */
  readonly #prepared = new WeakSet<pg.PoolClient>();
  /** server_version_num, read on connect. */
  #serverVersion: number | undefined;

  constructor(config: PostgresSourceConfig) {
    this.#config = config;
    this.#target = postgresTarget(config);
  }

  /**
   * Opens the pool and proves one connection works, so a wrong host or password fails here
   * with a message saying what to check.
   * @throws SourceConnectionError naming host, port, database and user, never the password.
   */
  async connect(): Promise<void> {
    if (this.#pool) return;
    const pool = new pg.Pool(poolConfig(this.#config));
    // An idle pooled connection the server drops emits 'error' on the pool; unhandled, it would
    // crash the process. The next borrow reconnects, and reports a failure there.
    pool.on('error', () => undefined);
    this.#pool = pool;
    try {
      const client = await this.#borrow();
      try {
        const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
        this.#serverVersion = Number(rows[0]?.server_version_num);
      } finally {
        client.release();
      }
    } catch (error) {
      this.#pool = undefined;
      await pool.end();
      throw error;
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  // A generator, so that a bad tenant value fails on the first read as every read error does, not on the call.
  async *exportCsv(model: ExportModelSpec, tenant: string, window?: ReadWindow): AsyncIterable<Buffer> {
    yield* this.#copyOut(model, tenantSliceQuery('postgres', model, tenant, window));
  }

  async checkColumns(model: ExportModelSpec): Promise<void> {
    // Any tenant value will do: no row is read.
    await this.#read(model, (client) => client.query(`${tenantSliceQuery('postgres', model, '')} LIMIT 0`));
  }

  async tenantValues(model: ExportModelSpec, limit: number): Promise<string[]> {
    const rows = await this.#read(
      model,
      async (client) => (await client.query<string[]>({ text: tenantValuesQuery('postgres', model, limit), rowMode: 'array' })).rows,
    );
    return rows.map((row) => String(row[0]));
  }

  async count(model: ExportModelSpec, tenant: string, window?: ReadWindow): Promise<number> {
    const sql = `SELECT COUNT(*) AS rows ${tenantSliceFrom('postgres', model, tenant, window)}`;
    const rows = await this.#read(model, async (client) => (await client.query<{ rows: string }>(sql)).rows);
    return Number(rows[0]?.rows ?? 0);
  }

  readonly keyHashes = dialects.postgres.keyHashes;
  readonly slowKeyHashes = dialects.postgres.slowKeyHashes;

  async keyBuckets(model: ExportModelSpec, tenant: string, prefixLength: number, window?: ReadWindow, hash?: KeyHash): Promise<KeyBucket[]> {
    const sql = dialects.postgres.keyBucketsQuery(tenantSliceFrom('postgres', model, tenant, window), keyColumns(model), prefixLength, hash);
    const rows = await this.#read(model, async (client) => (await client.query<{ bucket: string; keys: string; checksum: string }>(sql)).rows);
    return rows.map(({ bucket, keys, checksum }) => ({ bucket, count: Number(keys), checksum }));
  }

  async *exportKeysInBuckets(
    model: ExportModelSpec,
    tenant: string,
    prefixLength: number,
    buckets: readonly string[],
    window?: ReadWindow,
    hash?: KeyHash,
  ): AsyncIterable<Buffer> {
    if (buckets.length === 0) return;
    yield* this.#copyOut(
      model,
      dialects.postgres.keysInBucketsQuery(tenantSliceFrom('postgres', model, tenant, window), keyColumns(model), prefixLength, buckets, hash),
    );
  }

  /**
   * The in-warehouse row digests need Postgres 14 (hash_record_extended, bit_xor): a source
   * found older on connect offers none, so verify digests its rows in Ferry and a sync reads its
   * window without comparing it first.
   */
  get rowDigestFamily(): string | undefined {
    return this.#serverVersion !== undefined && this.#serverVersion < 140000 ? undefined : dialects.postgres.rowDigests?.family;
  }

  async rowBuckets(model: ExportModelSpec, tenant: string, prefixLength: number, window?: ReadWindow): Promise<KeyBucket[]> {
    const sql = rowBucketsQuery('postgres', model, tenant, prefixLength, window);
    const rows = await this.#read(model, async (client) => (await client.query<{ bucket: string; row_count: string; digest: string }>(sql)).rows);
    return rows.map(({ bucket, row_count, digest }) => ({ bucket, count: Number(row_count), checksum: digest }));
  }

  async *exportRowHashesInBuckets(
    model: ExportModelSpec,
    tenant: string,
    prefixLength: number,
    buckets: readonly string[],
    window?: ReadWindow,
  ): AsyncIterable<Buffer> {
    if (buckets.length === 0) return;
    yield* this.#copyOut(model, rowHashesInBucketsQuery('postgres', model, tenant, prefixLength, buckets, window));
  }

  async postgresColumnTypes(model: ExportModelSpec): Promise<ReadonlyMap<string, string>> {
    const relation = sourceRelation('postgres', model.source);
    const rows = await this.#read(model, async (client) => {
      const sql = `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`;
      return (await client.query<{ attname: string; type: string }>(sql, [relation])).rows;
    });
    return new Map(rows.map((row) => [row.attname, row.type]));
  }

  async *exportPostgresBinary(
    model: ExportModelSpec,
    tenant: string,
    casts: ReadonlyMap<string, string>,
    window?: ReadWindow,
  ): AsyncIterable<Buffer> {
    yield* this.#copyOut(model, tenantSliceStoredQuery(model, tenant, casts, window), 'binary');
  }

  /** `COPY (query) TO STDOUT (FORMAT csv)`, streamed: the bulk path of every export. */
  async *#copyOut(model: ExportModelSpec, query: string, format: 'csv' | 'binary' = 'csv'): AsyncIterable<Buffer> {
    const client = await this.#borrow();
    let finished = false;
    try {
      // Async iteration pulls from the COPY stream, which reads the socket only on demand.
      for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT ${format})`))) yield chunk as Buffer;
      finished = true;
    } catch (error) {
      throw readError(error, model, sourceRelation('postgres', model.source), postgresReadFailure(error));
    } finally {
      // A COPY abandoned half way (consumer stopped, or failed) leaves the connection mid-protocol:
      // destroy it rather than hand it to the next borrower.
      client.release(!finished);
    }
  }

  /** Runs `work` on a borrowed connection, explaining a missing relation or column. */
  async #read<T>(model: ExportModelSpec, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#borrow();
    try {
      return await work(client);
    } catch (error) {
      throw readError(error, model, sourceRelation('postgres', model.source), postgresReadFailure(error));
    } finally {
      client.release();
    }
  }

  /** A pooled connection with the canonical-text session settings applied. */
  async #borrow(): Promise<pg.PoolClient> {
    if (!this.#pool) throw new Error('the Postgres source is not connected: call connect() first');
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw postgresConnectionError(error, this.#target);
    }
    if (!this.#prepared.has(client)) {
      try {
        await client.query(CANONICAL_TEXT_SESSION);
      } catch (error) {
        client.release(true);
        throw error;
      }
      this.#prepared.add(client);
    }
    return client;
  }
}

function keyColumns(model: ExportModelSpec): string[] {
  return model.primaryKey.map((column) => dialects.postgres.quoteIdentifier(column));
}
