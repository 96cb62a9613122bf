import { createHash } from 'node:crypto';
import pg from 'pg';
import { redactUrl, scrubSecrets } from '../redact-url.ts';
import { StateStoreError } from '../state-store-error.ts';
import type { SqlParam, SqlRow, SqlRunner, StateDriver } from './driver.ts';

/** State writes are few and short: a handful of connections serves a runner syncing many destinations at once. */
const POOL_SIZE = 4;
/** Without a timeout, a firewalled host would hang the runner instead of failing. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connects to the Postgres database at `url` (the state store's production engine). Fails now,
 * with the fix, when the server cannot be reached, rather than at the first write of a sync.
 */
export async function connectPostgres(url: string): Promise<StateDriver> {
  // Counts and byte totals are BIGINT: read them as numbers like the other engine does.
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'ferry-state',
    types,
  });
  // The pool discards an idle connection the server closed (restart, failover) and the next query
  // opens a new one; without a listener, that 'error' event would crash the process.
  pool.on('error', () => undefined);
  const driver = new PostgresDriver(pool, url);
  try {
    await driver.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw error;
  }
  return driver;
}

class PostgresDriver implements StateDriver {
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #url: string;
  #closed = false;

  constructor(pool: pg.Pool, url: string) {
    this.#pool = pool;
    this.#url = url;
    this.location = redactUrl(url);
  }

  async query<Row extends SqlRow>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const client = await this.#connect();
    try {
      return await runOn<Row>(client, sql, params);
    } finally {
      client.release();
    }
  }

  async transaction<T>(work: (tx: SqlRunner) => Promise<T>, options?: { readonly lock?: string }): Promise<T> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      if (options?.lock !== undefined) await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey(options.lock)]);
      const result = await work({ query: (sql, params = []) => runOn(client, sql, params) });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that cannot even roll back is dropped rather than handed to the next caller.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #connect(): Promise<pg.PoolClient> {
    if (this.#closed) throw new StateStoreError(`The state store at ${this.location} is already closed.`);
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw new StateStoreError(
        `Cannot connect to Ferry's state database at ${this.location}: ${scrubSecrets(describeConnectFailure(error), this.#url)}. ` +
          'Check FERRY_STATE_URL (host, port, database, user, password) and that this Postgres server is running and reachable from here.',
      );
    }
  }
}

async function runOn<Row extends SqlRow>(client: pg.PoolClient, sql: string, params: readonly SqlParam[]): Promise<Row[]> {
  return (await client.query<Row>(sql, [...params])).rows;
}

/** Advisory locks take a 64-bit key: derive a stable one from the lock's name. */
function advisoryLockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE().toString();
}

/** A connection failure in words; Node reports a refused dual-stack connect as an AggregateError with no message. */
function describeConnectFailure(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describeConnectFailure).join('; ');
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}
