/**
 * Hard-delete detection compares a tenant's primary keys in the source and in the destination
 * without moving them: both sides hash each key's canonical text, group the hashes into buckets
 * by their first hex digits and report, per bucket, the number of keys and a digest of their
 * hashes. Only buckets whose figures differ are then listed key by key. Source and destination
 * may be different warehouses, so both sides must hash a key alike: the key text is each column
 * CAST to text, joined with `|`, and the hash is one both compute. md5 is the one every dialect
 * has (the `md5` key hash, a bucket's digest the md5 of its sorted hashes). Where both sides can
 * also sum integers taken from the md5 exactly (Postgres, DuckDB: `md5-sum`), a bucket's digest
 * is that sum: no sort, so the whole key set is checked in one ungrouped scan first. A warehouse
 * may also offer a cheaper hash of its own, used when the other side is the same engine
 * (`postgres`: about a third of md5's cost there).
 */
export type KeyHash = 'md5' | 'md5-sum' | 'postgres';

/** How one dialect computes one key hash, its buckets and their digests. */
export interface KeyHashing {
  /** SQL for the hash of a key's canonical text: hex text, or an integer. */
  hash(text: string): string;
  /**
   * SQL for the bucket of the hash `hash`, its first `prefixLength` hex digits, in the form the
   * warehouse groups and filters by most cheaply: the digits as text (md5), or the bits they
   * stand for as an integer (postgres).
   */
  bucket(hash: string, prefixLength: number): string;
  /** SQL for the bucket `bucket` (its hex digits, checked) in the form `bucket` computes. */
  bucketLiteral(bucket: string, prefixLength: number): string;
  /** SQL turning a value `bucket` computed into the bucket's lower-case hex digits. */
  bucketHex(value: string, prefixLength: number): string;
  /** SQL aggregating the hashes `hash` of a group into one text that changes when the set of hashes does. */
  digest(hash: string): string;
  /** The dialect's spelling of a cast to text. */
  readonly textType: string;
}

/** The key's canonical text: each key column cast to text, joined with `|`. */
export function keyText(hashing: KeyHashing, keyColumns: readonly string[]): string {
  return keyColumns.map((column) => `CAST(${column} AS ${hashing.textType})`).join(` || '|' || `);
}

/**
 * The key hashes whose digest is a sum: checking the whole key set costs one scan with no
 * grouping, which Postgres splits over parallel workers. (Grouped by a bucket expression it
 * cannot estimate, Postgres expects a group per row, plans a spilling hash aggregate in one
 * process and hashes each key twice: 2-4 s against 0.7 s for the whole set, 5M keys.) md5's
 * digest sorts its hashes: over the whole set that is a sort of every key, held in memory.
 */
export function checksWholeKeySetFirst(hash: KeyHash): boolean {
  return hash !== 'md5';
}

/**
 * `SELECT bucket, keys, checksum` for the rows of `from` (a FROM clause, with any WHERE), where
 * bucket is the first `prefixLength` hex digits of each key's hash; prefix length 0 makes the
 * whole key set one bucket, `''`.
 */
export function keyBucketsQuery(hashing: KeyHashing, from: string, keyColumns: readonly string[], prefixLength: number): string {
  if (prefixLength === 0) {
    return [
      `SELECT '' AS bucket, COUNT(*) AS keys, ${hashing.digest('h')} AS checksum`,
      `FROM (SELECT ${hashing.hash(keyText(hashing, keyColumns))} AS h ${from}) AS hashed`,
    ].join('\n');
  }
  // Grouped by the bucket as computed (an integer for the postgres hash: grouping 5M keys by their
  // hex text took 3.2 s against 2.3 s), turned into hex once per bucket.
  const bucket = hashing.bucket('h', prefixLength);
  return [
    `SELECT ${hashing.bucketHex('b', prefixLength)} AS bucket, keys, checksum FROM (`,
    `  SELECT ${bucket} AS b, COUNT(*) AS keys, ${hashing.digest('h')} AS checksum`,
    `  FROM (SELECT ${hashing.hash(keyText(hashing, keyColumns))} AS h ${from}) AS hashed`,
    `  GROUP BY ${bucket}`,
    `) AS grouped`,
    `ORDER BY bucket`,
  ].join('\n');
}

/**
 * The keys of the rows of `from` whose hash falls in one of `buckets`, each key column as text
 * under its own name (`keyColumns` are quoted identifiers); prefix length 0 (the whole key set,
 * bucket `''`): every key, with no hash computed.
 */
export function keysInBucketsQuery(
  hashing: KeyHashing,
  from: string,
  keyColumns: readonly string[],
  prefixLength: number,
  buckets: readonly string[],
): string {
  const texts = keyColumns.map((column) => `CAST(${column} AS ${hashing.textType}) AS ${column}`).join(', ');
  if (isWholeKeySet(prefixLength, buckets)) return `SELECT ${texts} ${from}`;
  return [
    `SELECT ${keyColumns.join(', ')}`,
    `FROM (SELECT ${texts}, ${hashing.hash(keyText(hashing, keyColumns))} AS h ${from}) AS hashed`,
    `WHERE ${inBuckets(hashing, 'h', prefixLength, buckets)}`,
  ].join('\n');
}

/**
 * Records in `into` the keys of `target` in `buckets` that `kept` (a table of the same key
 * columns, holding every key the source has in those buckets) does not hold: the rows the source
 * deleted. An anti-join inside the warehouse, so neither side's keys pass through Ferry's memory.
 * Prefix length 0 (the whole key set): every key of `target`, with no hash computed.
 */
export function insertMissingKeys(
  hashing: KeyHashing,
  into: string,
  target: string,
  kept: string,
  keyColumns: readonly string[],
  prefixLength: number,
  buckets: readonly string[],
): string {
  const inTarget = keyColumns.map((column) => `t.${column}`);
  return [
    `INSERT INTO ${into} (${keyColumns.join(', ')})`,
    `SELECT ${inTarget.join(', ')}`,
    `FROM ${target} AS t LEFT JOIN ${kept} AS k ON ${keyColumns.map((column) => `t.${column} = k.${column}`).join(' AND ')}`,
    isWholeKeySet(prefixLength, buckets)
      ? `WHERE k.${keyColumns[0]} IS NULL`
      : `WHERE ${inBuckets(hashing, hashing.hash(keyText(hashing, inTarget)), prefixLength, buckets)} AND k.${keyColumns[0]} IS NULL`,
  ].join('\n');
}

/** Whether prefix length 0 and its one bucket `''` (the whole key set) are what is asked for. */
function isWholeKeySet(prefixLength: number, buckets: readonly string[]): boolean {
  if (prefixLength !== 0) return false;
  if (buckets.length !== 1 || buckets[0] !== '') throw new Error(`the whole key set is the one bucket '', got ${JSON.stringify(buckets)}`);
  return true;
}

/**
 * A condition on the rows of a table (its key columns quoted) holding the keys whose hash falls
 * in one of `buckets`: how a source re-reads the rows of the buckets that differ.
 */
export function keyInBucketsCondition(hashing: KeyHashing, keyColumns: readonly string[], prefixLength: number, buckets: readonly string[]): string {
  return inBuckets(hashing, hashing.hash(keyText(hashing, keyColumns)), prefixLength, buckets);
}

/**
 * `SELECT unmatched, matched` for the keys in `kept` (the source's keys of some buckets) against
 * `target`: how many of them `target` does not hold (rows the destination lacks, whatever their
 * cursor said: backdated, late, NULL cursor), and how many pairs of a listed key and a row of
 * `target` holding it there are. With no key listed twice, more pairs than listed keys held means
 * `target` holds one of them in more than one row.
 */
export function listedKeyMatchesQuery(kept: string, target: string, keyColumns: readonly string[]): string {
  const held = `t.${keyColumns[0]}`;
  return [
    `SELECT COUNT(*) - COUNT(${held}) AS unmatched, COUNT(${held}) AS matched`,
    `FROM ${kept} AS k LEFT JOIN ${target} AS t ON ${keyColumns.map((column) => `t.${column} = k.${column}`).join(' AND ')}`,
  ].join('\n');
}

/**
 * One key that more than one row of `relation` holds (its key columns, as stored), or no row: what
 * a whole load into a table without an enforced primary key is checked with.
 */
export function duplicateKeyQuery(relation: string, keyColumns: readonly string[]): string {
  return `SELECT ${keyColumns.join(', ')} FROM ${relation} GROUP BY ${keyColumns.join(', ')} HAVING COUNT(*) > 1 LIMIT 1`;
}

/** `<bucket of the hash> IN (...)`: whether the hash `hash` (SQL) falls in one of `buckets`. */
export function inBuckets(hashing: KeyHashing, hash: string, prefixLength: number, buckets: readonly string[]): string {
  return `${hashing.bucket(hash, prefixLength)} IN (${buckets.map((b) => hashing.bucketLiteral(b, prefixLength)).join(', ')})`;
}

/** `bucket`, checked to be `prefixLength` lower-case hex digits: buckets are spliced into SQL. */
function checkedBucket(bucket: string, prefixLength: number): string {
  if (bucket.length !== prefixLength || !/^[0-9a-f]+$/.test(bucket)) {
    throw new Error(`not a key bucket of ${prefixLength} hex digits: ${JSON.stringify(bucket)}`);
  }
  return bucket;
}

export function checkedPrefix(prefixLength: number, max = 32): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 1 || prefixLength > max) {
    throw new Error(`key bucket prefix length must be 1..${max} hex digits, got ${prefixLength}`);
  }
  return prefixLength;
}

/** The md5 key hash: lower-case hex text, bucketed by its first digits, a bucket's digest the md5 of its sorted hashes. */
function md5KeyHashing(spelling: { md5Hex(text: string): string; sortedDigest(hash: string): string; textType: string }): KeyHashing {
  return {
    hash: spelling.md5Hex,
    bucket: (hash, prefixLength) => `SUBSTR(${hash}, 1, ${checkedPrefix(prefixLength)})`,
    bucketLiteral: (bucket, prefixLength) => `'${checkedBucket(bucket, prefixLength)}'`,
    bucketHex: (value) => value,
    digest: spelling.sortedDigest,
    textType: spelling.textType,
  };
}

/** md5()/string_agg: Postgres and DuckDB. */
export const standardKeyHashing: KeyHashing = md5KeyHashing({
  md5Hex: (text) => `md5(${text})`,
  sortedDigest: (hash) => `md5(string_agg(${hash}, '' ORDER BY ${hash}))`,
  textType: 'VARCHAR',
});

/**
 * The `md5-sum` key hash: md5's hash and buckets, a bucket's digest the exact sum of an integer
 * read from each hash's digits 17 to 31 (60 bits, apart from any bucket prefix up to 16 digits).
 * The sum needs no sort: both engines stream it, where md5's sorted digest held every hash of a
 * bucket (the whole key set, with one bucket) in memory. Postgres sums bigints as numeric, DuckDB
 * as HUGEINT: exact, printed alike.
 */
function md5SumKeyHashing(hexDigitsToBigint: (hex: string) => string): KeyHashing {
  return {
    ...standardKeyHashing,
    // COALESCE: no keys sum to 0, not NULL, which the engines' drivers hand over differently.
    digest: (hash) => `CAST(COALESCE(SUM(${hexDigitsToBigint(`SUBSTR(${hash}, ${MD5_SUM_FIRST_DIGIT}, ${MD5_SUM_DIGITS})`)}), 0) AS VARCHAR)`,
  };
}
const MD5_SUM_FIRST_DIGIT = 17;
const MD5_SUM_DIGITS = 15;

export const postgresMd5SumKeyHashing: KeyHashing = md5SumKeyHashing((hex) => `CAST(CAST('x' || ${hex} AS BIT(${4 * MD5_SUM_DIGITS})) AS BIGINT)`);
export const duckdbMd5SumKeyHashing: KeyHashing = md5SumKeyHashing((hex) => `CAST('0x' || ${hex} AS BIGINT)`);

/** MD5()/LISTAGG ... WITHIN GROUP: Redshift and Snowflake. */
export const listaggKeyHashing: KeyHashing = md5KeyHashing({
  md5Hex: (text) => `MD5(${text})`,
  sortedDigest: (hash) => `MD5(LISTAGG(${hash}, '') WITHIN GROUP (ORDER BY ${hash}))`,
  textType: 'VARCHAR',
});

/** BigQuery: MD5 returns BYTES. */
export const bigqueryKeyHashing: KeyHashing = md5KeyHashing({
  md5Hex: (text) => `TO_HEX(MD5(${text}))`,
  sortedDigest: (hash) => `TO_HEX(MD5(STRING_AGG(${hash}, '' ORDER BY ${hash})))`,
  textType: 'STRING',
});

/** Longest bucket prefix of the `postgres` key hash: 15 hex digits of its 64 bits keep the mask a positive bigint. */
const POSTGRES_HASH_MAX_PREFIX = 15;

/**
 * The `postgres` key hash: hashtextextended, the 64-bit text hash Postgres (11 and later) keeps
 * stable for hash partitioning. A bucket is the top bits of the hash as hex digits (`>>` on a
 * bigint keeps the sign, the mask drops it); a bucket's digest is the exact (numeric) sum of its
 * hashes, which needs no sort where md5's digest sorts every bucket's hashes, and a hash costs
 * less than md5's hex text. Measured on 5M uuid keys, one process: 2.7 s for the bucket figures
 * against 9.8 s with md5.
 */
export const postgresKeyHashing: KeyHashing = {
  // Under "C": a nondeterministic (say case-insensitive) collation would hash `Acme` as `acme`.
  hash: (text) => `hashtextextended((${text}) COLLATE "C", 0)`,
  bucket: (hash, prefixLength) => {
    const digits = checkedPrefix(prefixLength, POSTGRES_HASH_MAX_PREFIX);
    return `((${hash} >> ${64 - 4 * digits}) & ${16n ** BigInt(digits) - 1n})`;
  },
  bucketLiteral: (bucket, prefixLength) => BigInt(`0x${checkedBucket(bucket, prefixLength)}`).toString(),
  bucketHex: (value, prefixLength) => `LPAD(TO_HEX(${value}), ${checkedPrefix(prefixLength, POSTGRES_HASH_MAX_PREFIX)}, '0')`,
  digest: (hash) => `CAST(SUM(${hash}) AS VARCHAR)`,
  textType: 'VARCHAR',
};
