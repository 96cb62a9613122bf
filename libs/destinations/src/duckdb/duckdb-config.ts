/**
 * A DuckDB destination: a database file (or `:memory:`), one schema in it.
 * @example
 * { type: 'duckdb', id: 'sandbox', path: '.ferry/sandbox.duckdb', schema: 'knock' }
 */
export interface DuckDBDestinationConfig {
  readonly type: 'duckdb';
  /** Names the destination in every error and log line. */
  readonly id: string;
  /** The database file, created when missing (its directory must exist); `:memory:` for a throw-away database. */
  readonly path: string;
  /** The schema Ferry writes to; created by `ensureSchema` when missing. */
  readonly schema: string;
  /**
   * Where `loadCsv` stages each load's CSV before DuckDB reads it (default: the OS temp
   * directory). Pick a disk with room for the largest model's CSV when the temp directory is small.
   */
  readonly stagingDirectory?: string;
  /** Threads DuckDB may use (default: one per core); set from the sync's concurrency by the runner. */
  readonly threads?: number;
}
