/** A value bound to a `$n` parameter. */
export type SqlParam = string | number | null;

/**
 * A value read back. Drivers normalise their engine's types to these, so the store reads rows
 * the same way on every engine: TEXT as string, integers and doubles as number, TIMESTAMPTZ as
 * Date, NULL as null.
 */
export type SqlValue = string | number | Date | null;

export type SqlRow = Record<string, SqlValue>;

/** Runs one statement with `$1`-style parameters. */
export interface SqlRunner {
  /**
   * Resolves to the rows of a SELECT or of a RETURNING clause; to no rows for any other
   * statement.
   */
  query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
}

/**
 * The only part of the state store that differs between engines: connecting, running a
 * statement, grouping statements in a transaction, closing. The SQL itself is shared.
 */
export interface StateDriver extends SqlRunner {
  /** Where the state lives, with any password redacted: safe for messages. */
  readonly location: string;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * With `lock`, the transaction first takes a lock of that name, held until it ends, so two
   * processes using the same name never run such transactions at the same time.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>, options?: { readonly lock?: string }): Promise<T>;
  close(): Promise<void>;
}
