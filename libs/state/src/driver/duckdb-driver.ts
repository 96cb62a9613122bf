import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, ResultReturnType, type DuckDBValue } from '@duckdb/node-api';
import { StateStoreError } from '../state-store-error.ts';
import type { SqlParam, SqlRow, SqlRunner, SqlValue, StateDriver } from './driver.ts';
import { SerialQueue } from './serial-queue.ts';

/** DuckDB's name for a database that lives only as long as the process. */
export const IN_MEMORY = ':memory:';

/**
 * Opens (creating it and its folder when missing) the DuckDB file at `file`, or an in-memory
 * database for `:memory:`: the state store's embedded engine, needing no server.
 */
export async function openDuckDb(file: string): Promise<StateDriver> {
  if (file !== IN_MEMORY) await mkdir(dirname(file), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file);
  } catch (error) {
    throw openError(file, error);
  }
  const connection = await instance.connect();
  if (file !== IN_MEMORY) {
    // After a crash DuckDB replays the WAL, but holds the replayed rows' secondary-index entries
    // aside until something binds the index. The checkpoint DuckDB runs on close skips that step and
    // persists the index without them, so the next UPDATE of such a row (abandoning the crashed
    // transfer) fails and invalidates the database for good. An explicit checkpoint folds them in.
    try {
      await connection.run('CHECKPOINT');
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw openError(file, error);
    }
  }
  return new DuckDbDriver(instance, connection, file);
}

/**
 * One connection, used by one statement at a time: the sync engine calls the store from many
 * async tasks at once, and a DuckDB connection runs a single transaction, so every statement and
 * every whole transaction waits its turn in a queue.
 */
class DuckDbDriver implements StateDriver {
  readonly location: string;
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  readonly #queue = new SerialQueue();
  #closed = false;

  constructor(instance: DuckDBInstance, connection: DuckDBConnection, file: string) {
    this.#instance = instance;
    this.#connection = connection;
    this.location = file;
  }

  query<Row extends SqlRow>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    return this.#queued(() => this.#run<Row>(sql, params));
  }

  /**
   * `lock` needs no work here: DuckDB lets one process at a time write a file, and the queue
   * already keeps this process's callers apart.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.#queued(async () => {
      await this.#run('BEGIN TRANSACTION');
      try {
        const result = await work({ query: (sql, params = []) => this.#run(sql, params) });
        await this.#run('COMMIT');
        return result;
      } catch (error) {
        // A failed COMMIT has already rolled back, and then ROLLBACK fails: the first error is the one to report.
        await this.#run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#connection.closeSync();
      this.#instance.closeSync();
    });
  }

  #queued<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue.run(() => {
      if (this.#closed) throw new StateStoreError(`The state store at ${this.location} is already closed.`);
      return task();
    });
  }

  async #run<Row extends SqlRow>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const result = await this.#connection.run(sql, params as DuckDBValue[]);
    if (result.returnType !== ResultReturnType.QUERY_RESULT) return [];
    return (await result.getRowObjectsJS()).map((row) => normalise(row) as Row);
  }
}

/** BIGINT arrives as bigint: the store's numbers (counts, bytes, milliseconds) all fit a double. */
function normalise(row: Record<string, unknown>): SqlRow {
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, (typeof value === 'bigint' ? Number(value) : value) as SqlValue]));
}

function openError(file: string, error: unknown): StateStoreError {
  const message = error instanceof Error ? error.message : String(error);
  if (/Could not set lock on file/i.test(message)) {
    const pid = /\(PID (\d+)\)/.exec(message)?.[1];
    return new StateStoreError(
      `The Ferry state file ${file} is locked by another process${pid ? ` (PID ${pid})` : ''}, probably another ferry command. ` +
        'Wait for it to finish or stop it, or give this command a different state file; to share state between processes, use Postgres (FERRY_STATE_URL).',
    );
  }
  return new StateStoreError(`Cannot open Ferry's state file ${file}: ${message}`);
}
