import type { LogicalType } from '@ferry/schema';
import { inBuckets, keyText, type KeyHashing } from './key-buckets.ts';

/**
 * `ferry verify` inside the warehouses: each side hashes every row and reports, per bucket of
 * the key hash, a row count and the XOR of its rows' hashes, so only bucket figures leave the
 * warehouse. The two sides' figures compare only when both warehouses hash a value alike, which
 * holds within one engine (same functions, sessions pinned alike: UTC, ISO dates, exact floats),
 * not across engines (a timestamp, a float or a JSON document is spelt and stored differently by
 * Postgres and DuckDB). So a dialect names its family, and verify digests in the warehouses only
 * when source and destination share it; otherwise it digests rows in Ferry
 * (libs/sync/src/verify/row-digests.ts).
 */
export interface RowHashing {
  /** Warehouses whose row hashes agree: Postgres with Postgres, DuckDB with DuckDB. */
  readonly family: string;
  /**
   * Column kinds whose hash holds as equal some values a merge would tell apart (DuckDB's json(),
   * which reads JSON numbers as doubles): a digest over them proves no row unchanged.
   */
  readonly looseKinds: ReadonlySet<LogicalType['kind']>;
  /**
   * SQL for a row's hash, an integer: changed by any value of the row changing, NULL told apart
   * from '' and from the text `NULL`. A numeric is cast to its model type first, so both sides
   * read it at one scale, however each declares the column.
   */
  rowHash(columns: readonly TextColumn[]): string;
}

/** One column of a row digest: its quoted name and its logical type. */
export interface DigestColumn {
  readonly column: string;
  readonly type: LogicalType;
}

/** A DigestColumn with the dialect's column type for its logical type. */
export interface TextColumn extends DigestColumn {
  readonly columnType: string;
}

/** Builds the two queries of an in-warehouse verify for one dialect. */
export interface RowDigestQueries {
  readonly family: string;
  /** See RowHashing.looseKinds. */
  readonly looseKinds: ReadonlySet<LogicalType['kind']>;
  /** `SELECT bucket, row_count, digest` over the rows of `from`; bucket is the first `prefixLength` hex digits of the key hash. */
  bucketsQuery(from: string, keyColumns: readonly string[], columns: readonly DigestColumn[], prefixLength: number): string;
  /** `SELECT <key columns as text>, ferry_row_hash` of the rows of `from` whose key hashes into one of `buckets`. */
  hashesInBucketsQuery(
    from: string,
    keyColumns: readonly string[],
    columns: readonly DigestColumn[],
    prefixLength: number,
    buckets: readonly string[],
  ): string;
}

/**
 * The queries, from the dialect's key hashing (buckets are those of key-buckets.ts, so a source
 * re-reads a differing bucket's rows with `keyInBucketsCondition`) and its row hashing.
 */
export function rowDigestQueries(hashing: KeyHashing, rowHashing: RowHashing, columnType: (type: LogicalType) => string): RowDigestQueries {
  const hashed = (from: string, keyColumns: readonly string[], columns: readonly DigestColumn[], keysToo: boolean) => {
    const keys = keysToo ? `${keyColumns.map((column) => `CAST(${column} AS ${hashing.textType}) AS ${column}`).join(', ')}, ` : '';
    const hash = rowHashing.rowHash(columns.map((c) => ({ ...c, columnType: columnType(c.type) })));
    // OFFSET 0 keeps Postgres from folding the subquery into the aggregate, which sorts whole rows
    // (to disk, for a large slice) and hashes them after; hashed first, only two columns are sorted.
    return `(SELECT ${keys}${hashing.hash(keyText(hashing, keyColumns))} AS ferry_key_hash, ${hash} AS ferry_row_hash ${from} OFFSET 0) AS hashed`;
  };
  return {
    family: rowHashing.family,
    looseKinds: rowHashing.looseKinds,
    bucketsQuery(from, keyColumns, columns, prefixLength) {
      const bucket = hashing.bucket('ferry_key_hash', prefixLength);
      return [
        `SELECT ${hashing.bucketHex(bucket, prefixLength)} AS bucket, COUNT(*) AS row_count, CAST(bit_xor(ferry_row_hash) AS VARCHAR) AS digest`,
        `FROM ${hashed(from, keyColumns, columns, false)}`,
        `GROUP BY ${bucket}`,
      ].join('\n');
    },
    hashesInBucketsQuery(from, keyColumns, columns, prefixLength, buckets) {
      return [
        `SELECT ${keyColumns.join(', ')}, CAST(ferry_row_hash AS VARCHAR) AS ferry_row_hash`,
        `FROM ${hashed(from, keyColumns, columns, true)}`,
        `WHERE ${inBuckets(hashing, 'ferry_key_hash', prefixLength, buckets)}`,
      ].join('\n');
    },
  };
}

/**
 * Postgres 14 and later: hash_record_extended, the 64-bit hash Postgres keeps stable for hash
 * partitioning, over the row's values, each hashed by its type's own hash function where that
 * function tells every value apart, which is cheaper than formatting it (verify then costs about
 * what COPY costs to read the table). So integers compare whatever their width, JSON as jsonb
 * (keys ordered, white space dropped, numbers by value), numerics at the model's scale. The rest
 * is hashed as its text under the "C" collation:
 * - 64-bit kinds (bigint, timestamps, time): Postgres folds their hash to 32 bits (-1 and
 *   4294967295 hash alike), so they would hide differences;
 * - floats, so that -0 differs from 0, as the transfer format has it;
 * - text, so that a column's nondeterministic collation (case-insensitive, say) cannot make two
 *   spellings equal.
 */
const HASHED_AS_TEXT: ReadonlySet<LogicalType['kind']> = new Set(['bigint', 'timestamp', 'timestamptz', 'time', 'real', 'double', 'text', 'varchar']);

export const postgresRowHashing: RowHashing = {
  family: 'postgres',
  // jsonb equality is what the merge compares too (a Postgres destination stores JSON as jsonb).
  looseKinds: new Set(),
  rowHash: (columns) =>
    `hash_record_extended(ROW(${columns
      .map(({ column, type, columnType }) => {
        if (type.kind === 'json') return `CAST(${column} AS jsonb)`;
        if (type.kind === 'numeric') return `CAST(${column} AS ${columnType})`;
        if (HASHED_AS_TEXT.has(type.kind)) return `CAST(${column} AS TEXT) COLLATE "C"`;
        return column;
      })
      .join(', ')}), 0)`,
};

/**
 * DuckDB: the md5 (128 bits, md5_number) of the row's text: each value as `<length>:<text>`,
 * NULL as `N`, joined by commas, so no two rows share a text; JSON minified by json() (DuckDB
 * keeps key order as written, and both sides hold the text the transfer carried); the rest as
 * DuckDB prints it, timestamps with time zone in UTC, the session of both the source and the
 * destination.
 */
export const duckdbRowHashing: RowHashing = {
  family: 'duckdb',
  looseKinds: new Set(['json']),
  rowHash: (columns) =>
    `md5_number(${columns
      .map(({ column, type, columnType }) => {
        const value = type.kind === 'json' ? `json(${column})` : type.kind === 'numeric' ? `CAST(${column} AS ${columnType})` : column;
        const text = `CAST(${value} AS VARCHAR)`;
        return `COALESCE(CAST(LENGTH(${text}) AS VARCHAR) || ':' || ${text}, 'N')`;
      })
      .join(` || ',' || `)})`,
};
