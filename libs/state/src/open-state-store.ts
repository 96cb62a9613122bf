import { resolve } from 'node:path';
import type { StateDriver } from './driver/driver.ts';
import { redactUrl } from './redact-url.ts';
import { SqlStateStore } from './sql-state-store.ts';
import type { StateStore } from './state-store.ts';
import { StateStoreError } from './state-store-error.ts';
import { DEFAULT_STATE_SCHEMA, stateTables } from './state-tables.ts';

export interface OpenStateStoreOptions {
  /** Schema holding Ferry's tables, on either engine. Default `ferry_state`. */
  readonly schema?: string;
  /**
   * The DuckDB file to use when `location` is undefined or blank, e.g.
   * `<project>/.ferry/state.duckdb`.
   */
  readonly defaultFile?: string;
}

/**
 * Opens Ferry's state store at `location`:
 * - a `postgres://` or `postgresql://` URL: that Postgres database (production; FERRY_STATE_URL);
 * - `:memory:`: an in-memory DuckDB, gone when closed (tests);
 * - anything else: a DuckDB file at that path, created with its folders when missing.
 *
 * Fails with a `StateStoreError` saying what to fix when the database cannot be reached or the
 * file is locked by another process. Call `migrate()` before the first use of a new store.
 *
 * @example
 * const store = await openStateStore(process.env.FERRY_STATE_URL, { defaultFile: '.ferry/state.duckdb' });
 * await store.migrate();
 */
export async function openStateStore(location: string | undefined, options: OpenStateStoreOptions = {}): Promise<StateStore> {
  const tables = stateTables(options.schema ?? DEFAULT_STATE_SCHEMA);
  const target = location?.trim() || options.defaultFile;
  if (!target) {
    throw new StateStoreError(
      'No state store given: set FERRY_STATE_URL to a Postgres URL (postgres://user@host:5432/database) or give the path of a DuckDB state file.',
    );
  }
  return new SqlStateStore(await openDriver(target), tables);
}

/** Each engine's driver is loaded by the first store on it: DuckDB's library alone takes a few hundred ms to load. */
async function openDriver(location: string): Promise<StateDriver> {
  if (/^postgres(ql)?:\/\//i.test(location)) return (await import('./driver/postgres-driver.ts')).connectPostgres(location);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new StateStoreError(`Unsupported state store ${redactUrl(location)}: use a postgres:// URL, or the path of a DuckDB file.`);
  }
  const { IN_MEMORY, openDuckDb } = await import('./driver/duckdb-driver.ts');
  return openDuckDb(location === IN_MEMORY ? IN_MEMORY : resolve(location));
}
