import type { Dialect, DialectName } from '@ferry/dialects';
import type { DestinationCapabilities } from './capabilities.ts';

/** A destination table as the warehouse reports it. */
export interface TableShape {
  /**
   * Folded column name -> what the warehouse says about it, in column order. `type` is the
   * warehouse's own spelling (Postgres `character varying(64)`, DuckDB `VARCHAR`), not Ferry's.
   */
  readonly columns: ReadonlyMap<string, { readonly type: string; readonly nullable: boolean }>;
  /**
   * The table declares a PRIMARY KEY or UNIQUE constraint where Ferry's own tables declare none
   * (DuckDB, in tables an earlier Ferry created), which keeps key columns from changing in place.
   */
  readonly declaresKey?: boolean;
}

/**
 * A session on one customer warehouse, in the destination's schema. Outside a transaction each
 * call commits on its own; inside `Destination.transaction` it is part of that transaction.
 */
export interface DestinationSession {
  /** Runs statements in order; returns the affected-row count of the last one. */
  execute(statements: readonly string[]): Promise<number>;
  /**
   * Runs a query and returns its rows as arrays of canonical text (null for NULL): the text
   * forms of the transfer format (booleans `true`/`false`, timestamptz in UTC with `+00`).
   */
  query(sql: string): Promise<(string | null)[][]>;
  /**
   * Bulk-loads CSV in the transfer format into `relation` (already quoted) for `columns` (folded
   * names, in CSV order). Streams with back-pressure: memory stays bounded whatever the size.
   * @returns the rows the warehouse loaded and the CSV bytes read.
   */
  loadCsv(relation: string, columns: readonly string[], csv: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }>;
  /**
   * Postgres destinations only: bulk-loads rows in COPY's binary format (from a Postgres source
   * whose column types are the table's), as loadCsv does CSV.
   */
  loadPostgresBinary?(relation: string, columns: readonly string[], rows: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }>;
  /**
   * Changes a column's type in place, keeping its rows: meant for widening (int -> bigint,
   * varchar(n) -> varchar(m > n), numeric precision up). Check `capabilities` first; where they
   * say it cannot be done in place, rebuild the table in a shadow and `swap`.
   * @param table unquoted table name in the schema
   * @param column folded column name
   * @param type the column type in this destination's spelling (`dialect.columnType(...)`)
   */
  alterColumnType(table: string, column: string, type: string): Promise<void>;
  /** Makes a column nullable, as for a column the export model no longer has (it stays, with its data). */
  dropNotNull(table: string, column: string): Promise<void>;
}

/**
 * One customer warehouse. Each destination type is one folder implementing this interface;
 * the sync engine knows nothing else about it. A destination is one session (one connection):
 * run one thing at a time on it.
 */
export interface Destination extends DestinationSession {
  /** The warehouse type, which is also its dialect's name. */
  readonly type: DialectName;
  /** The destination's id from its config; every error message names it. */
  readonly id: string;
  readonly dialect: Dialect;
  /** What the warehouse can do in place, so the engine picks in-place evolution or rebuild + swap. */
  readonly capabilities: DestinationCapabilities;
  /** The schema (dataset) Ferry writes to, folded for this warehouse. */
  readonly schema: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  /**
   * Whether the warehouse holds anything yet, without creating anything: false only for a DuckDB
   * file that does not exist (connecting would create it). Commands that only look ask first.
   */
  exists(): Promise<boolean>;
  /**
   * Runs a query outside any transaction and yields its rows in batches, as `query` returns them
   * (canonical text): how a whole table is read (verify). Postgres, Redshift and DuckDB stream,
   * holding one batch at a time; Snowflake and BigQuery return their result as one batch.
   */
  scan(sql: string): AsyncIterable<(string | null)[][]>;
  /** Creates the schema when missing. */
  ensureSchema(): Promise<void>;
  /** The table's columns, or undefined when it does not exist. */
  introspect(table: string): Promise<TableShape | undefined>;
  /** The table in the destination's schema, quoted and qualified for this warehouse. */
  relation(table: string): string;
  /**
   * A name for a session-scoped helper table (staging, deleted keys), quoted. The name is
   * Ferry's own (`_ferry_` prefix), shortened with a hash when the warehouse's limit requires it.
   */
  scratchRelation(name: string): string;
  /** Runs `work` in one transaction: all of it commits, or none. Transactions do not nest. */
  transaction<T>(work: (session: DestinationSession) => Promise<T>): Promise<T>;
  /**
   * Atomically replaces `table` with `shadow` (both unquoted names in the schema): readers see the
   * old table or the new one, never neither. The old table is dropped, or renamed to `keepOldAs`.
   * When `table` does not exist yet, `shadow` is simply renamed.
   */
  swap(shadow: string, table: string, keepOldAs?: string): Promise<void>;
  /** Drops a table of Ferry's own (shadow, retired) if it exists. */
  dropTable(table: string): Promise<void>;
}
