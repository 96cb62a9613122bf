import type { LogicalType, LogicalTypeKind } from '@ferry/schema';
import type { KeyHash } from './key-buckets.ts';
import type { RowDigestQueries } from './row-digests.ts';

/** Every destination dialect Ferry generates SQL for. */
export const DIALECT_NAMES = ['postgres', 'redshift', 'snowflake', 'bigquery', 'duckdb'] as const;
/** The name of one destination dialect, which is also the name of its folder. */
export type DialectName = (typeof DIALECT_NAMES)[number];

/** A type-mapping table: one entry per logical type kind, so a new kind fails to compile until every dialect maps it. */
export type TypeMap = { readonly [K in LogicalTypeKind]: (type: Extract<LogicalType, { kind: K }>) => string };

/** How long a name may be, and whether the warehouse counts UTF-8 bytes or characters. */
export interface IdentifierLimit {
  readonly max: number;
  readonly unit: 'bytes' | 'characters';
}

/**
 * What Ferry needs to know to write SQL for one destination warehouse.
 * Ferry quotes every identifier it writes, so reserved words and unicode need no special case;
 * it folds names to the warehouse's natural case first, so customers can query without quotes.
 */
export interface Dialect {
  readonly name: DialectName;
  /** Longest column name the warehouse accepts (and table name, unless `tableNameLimit` says otherwise). */
  readonly maxIdentifierLength: number;
  /** Whether maxIdentifierLength counts UTF-8 bytes (Postgres, Redshift) or characters. */
  readonly identifierLengthUnit: 'bytes' | 'characters';
  /** Longest table name: differs from the column limit on BigQuery (1,024 bytes against 300 characters). */
  readonly tableNameLimit: IdentifierLimit;
  /** Maps a destination name to the case the warehouse folds unquoted names to. */
  foldIdentifier(name: string): string;
  /** Quotes an already folded identifier, escaping as the warehouse requires. */
  quoteIdentifier(folded: string): string;
  /** The column type for a logical type, read from this dialect's TypeMap. */
  columnType(type: LogicalType): string;
  /** A boolean SQL expression true when `left` and `right` hold the same value, NULL equal to NULL; never NULL itself. */
  sameValue(left: string, right: string, type: LogicalType): string;
  /**
   * The key hashes this dialect computes (see key-buckets.ts), its preferred first: `md5` in
   * every dialect, which is what a comparison with another engine uses.
   */
  readonly keyHashes: readonly KeyHash[];
  /**
   * The key hashes this warehouse computes more slowly, as a source, than it exports the keys
   * themselves: when the whole key sets differ, a comparison lists every key rather than
   * bucketing them by such a hash (see reconcileKeys in @ferry/sync).
   */
  readonly slowKeyHashes: readonly KeyHash[];
  /**
   * Hard-delete detection (see key-buckets.ts): `SELECT bucket, keys, checksum` over the rows of
   * `from` (a FROM clause with its WHERE), keyColumns quoted, buckets the first `prefixLength`
   * hex digits of the key hash (`md5` unless `hash` says otherwise); prefix length 0 reports the
   * whole key set as one bucket, `''`.
   */
  keyBucketsQuery(from: string, keyColumns: readonly string[], prefixLength: number, hash?: KeyHash): string;
  /** The keys (one text column per key column, named as the key column) of the rows of `from` in the given buckets. */
  keysInBucketsQuery(from: string, keyColumns: readonly string[], prefixLength: number, buckets: readonly string[], hash?: KeyHash): string;
  /** Inserts into `into` the keys of `target` in the given buckets that the table `kept` (same key columns) lacks. */
  insertMissingKeys(
    into: string,
    target: string,
    kept: string,
    keyColumns: readonly string[],
    prefixLength: number,
    buckets: readonly string[],
    hash?: KeyHash,
  ): string;
  /** `SELECT unmatched, matched`: the keys of `kept` that `target` lacks, and the pairs of a key of `kept` and a row of `target` holding it (see key-buckets.ts). */
  listedKeyMatchesQuery(kept: string, target: string, keyColumns: readonly string[]): string;
  /** One key more than one row of `relation` holds, or no row (see key-buckets.ts). */
  duplicateKeyQuery(relation: string, keyColumns: readonly string[]): string;
  /** A WHERE condition: the row's key hashes into one of `buckets` (see key-buckets.ts). */
  keyInBucketsCondition(keyColumns: readonly string[], prefixLength: number, buckets: readonly string[], hash?: KeyHash): string;
  /**
   * `SELECT` of the warehouse's estimate of the rows of `relation` (a quoted, qualified table
   * name) from its statistics, a number that is 0 or below when it has none; undefined where
   * COUNT(*) is cheap (answered from metadata or columnar storage).
   */
  readonly rowEstimateQuery: ((relation: string) => string) | undefined;
  /**
   * A statement that gathers the planner's statistics of `relation` (quoted, qualified), where
   * the warehouse plans joins from them and a freshly loaded table has none; undefined elsewhere.
   */
  readonly refreshStatistics: ((relation: string) => string) | undefined;
  /** Verify's in-warehouse row digests (see row-digests.ts); undefined where verify digests rows in Ferry. */
  readonly rowDigests: RowDigestQueries | undefined;
}

/**
 * The SQL text for one export model in one dialect, as the generator emits it.
 * Each operation is a list of statements to run in order, in one transaction where the
 * destination supports transactional DDL. Relations are placeholders bound at run time
 * by `bindRelations`: {target} (the destination table, schema-qualified), {staging}
 * (rows to upsert, same columns as the model), {deleted_keys} (primary keys to delete).
 *
 * Contract of `merge`: staging holds at most one row per primary key. Every dialect fails the
 * merge on duplicates rather than silently choosing a winner. Rows whose cursor is older than
 * the destination's are ignored (newest cursor wins; without a cursor, staging wins); rows equal
 * to the destination's are not rewritten, so a repeated merge changes nothing. The last statement
 * of `merge` is the one whose affected-row count is the number of destination rows inserted or
 * updated. Staging is consumed by a merge (Redshift deletes the rows it will not apply from it):
 * stage again before merging again.
 */
export interface ModelSql {
  /** The destination table name, folded for this dialect (unquoted). */
  readonly table: string;
  /** Source column name -> destination column name, folded for this dialect (unquoted). */
  readonly columns: Readonly<Record<string, string>>;
  readonly createTable: readonly string[];
  readonly createStaging: readonly string[];
  readonly createDeletedKeys: readonly string[];
  /** Per source column name: the statements that add it (nullable) to an existing table. */
  readonly addColumn: Readonly<Record<string, readonly string[]>>;
  readonly merge: readonly string[];
  readonly deleteByKeys: readonly string[];
  readonly dropStaging: readonly string[];
  /** Drops {deleted_keys} once `deleteByKeys` ran: on BigQuery it is a regular table that would otherwise linger. */
  readonly dropDeletedKeys: readonly string[];
  /** Before a merge: one row, one column, the number of staged rows whose key is new to {target}. */
  readonly countNewRows: readonly string[];
  /** Deletes rows flagged by the soft-delete column; empty when the model has none. */
  readonly purgeSoftDeleted: readonly string[];
  /** Before a merge: one row, one column, the staged rows flagged deleted whose key is new to {target}; empty without a soft-delete column. */
  readonly countNewSoftDeleted: readonly string[];
  /**
   * Before a merge: one row, one column, the staged rows flagged deleted that the merge takes
   * over a live row of {target}; empty without a soft-delete column (or a non-key column).
   */
  readonly countLiveRowsFlagged: readonly string[];
  /** One row, one column: the highest cursor in {staging} as canonical text; empty when the model has no cursor. */
  readonly maxCursor: readonly string[];
  /** One row, one column: the number of rows in {target}. */
  readonly countRows: readonly string[];
  /** Every row of {target}, the model's columns in the model's order (`columns`' order). */
  readonly selectRows: readonly string[];
}
