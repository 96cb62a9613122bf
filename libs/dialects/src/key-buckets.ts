/**
 * Hard-delete detection compares a tenant's primary keys in the source and in the destination
 * without moving them: both sides group the md5 of each key's canonical text into buckets by
 * its first hex digits and report, per bucket, the number of keys and an md5 over the sorted
 * key hashes. Only buckets whose figures differ are then listed key by key. Source and
 * destination may be different warehouses, so every dialect must compute the same hash for the
 * same key: the key text is each column CAST to text, joined with `|`.
 */
export interface KeyHashing {
  /** SQL for the lower-case hex md5 of a text expression. */
  md5Hex(text: string): string;
  /** SQL aggregating the text expression `hash` over a group, in sorted order, into one md5 hex. */
  sortedDigest(hash: string): string;
  /** The dialect's spelling of a cast to text. */
  readonly textType: string;
}

/** The key's canonical text: each key column cast to text, joined with `|`. */
export function keyText(hashing: KeyHashing, keyColumns: readonly string[]): string {
  return keyColumns.map((column) => `CAST(${column} AS ${hashing.textType})`).join(` || '|' || `);
}

/**
 * `SELECT bucket, keys, checksum` for the rows of `from` (a FROM clause, with any WHERE), where
 * bucket is the first `prefixLength` hex digits of each key's hash.
 */
export function keyBucketsQuery(hashing: KeyHashing, from: string, keyColumns: readonly string[], prefixLength: number): string {
  const bucket = `SUBSTR(h, 1, ${checkedPrefix(prefixLength)})`;
  return [
    `SELECT ${bucket} AS bucket, COUNT(*) AS keys, ${hashing.sortedDigest('h')} AS checksum`,
    `FROM (SELECT ${hashing.md5Hex(keyText(hashing, keyColumns))} AS h ${from}) AS hashed`,
    `GROUP BY ${bucket}`,
    `ORDER BY ${bucket}`,
  ].join('\n');
}

/**
 * The keys of the rows of `from` whose hash falls in one of `buckets`, each key column as text
 * under its own name (`keyColumns` are quoted identifiers).
 */
export function keysInBucketsQuery(
  hashing: KeyHashing,
  from: string,
  keyColumns: readonly string[],
  prefixLength: number,
  buckets: readonly string[],
): string {
  const texts = keyColumns.map((column) => `CAST(${column} AS ${hashing.textType}) AS ${column}`).join(', ');
  return [
    `SELECT ${keyColumns.join(', ')}`,
    `FROM (SELECT ${texts}, ${hashing.md5Hex(keyText(hashing, keyColumns))} AS h ${from}) AS hashed`,
    `WHERE ${inBuckets('h', prefixLength, buckets)}`,
  ].join('\n');
}

/**
 * Records in `into` the keys of `target` in `buckets` that `kept` (a table of the same key
 * columns, holding every key the source has in those buckets) does not hold: the rows the source
 * deleted. An anti-join inside the warehouse, so neither side's keys pass through Ferry's memory.
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
    `WHERE ${inBuckets(hashing.md5Hex(keyText(hashing, inTarget)), prefixLength, buckets)} AND k.${keyColumns[0]} IS NULL`,
  ].join('\n');
}

/**
 * A condition on the rows of a table (its key columns quoted) holding the keys whose hash falls
 * in one of `buckets`: how a source re-reads the rows of the buckets that differ.
 */
export function keyInBucketsCondition(hashing: KeyHashing, keyColumns: readonly string[], prefixLength: number, buckets: readonly string[]): string {
  return inBuckets(hashing.md5Hex(keyText(hashing, keyColumns)), prefixLength, buckets);
}

/**
 * `SELECT COUNT(*)` of the keys in `kept` (the source's keys of some buckets) that `target` does
 * not hold: rows the destination lacks, whatever their cursor said (backdated, late, NULL cursor).
 */
export function unmatchedKeysCountQuery(kept: string, target: string, keyColumns: readonly string[]): string {
  return [
    `SELECT COUNT(*) FROM ${kept} AS k LEFT JOIN ${target} AS t ON ${keyColumns.map((column) => `t.${column} = k.${column}`).join(' AND ')}`,
    `WHERE t.${keyColumns[0]} IS NULL`,
  ].join('\n');
}

/** `SUBSTR(<hash>, 1, prefix) IN (...)`, every bucket checked to be hex digits. */
export function inBuckets(hash: string, prefixLength: number, buckets: readonly string[]): string {
  for (const bucket of buckets) {
    if (!/^[0-9a-f]+$/.test(bucket)) throw new Error(`not a key bucket: ${JSON.stringify(bucket)}`);
  }
  return `SUBSTR(${hash}, 1, ${checkedPrefix(prefixLength)}) IN (${buckets.map((b) => `'${b}'`).join(', ')})`;
}

export function checkedPrefix(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 1 || prefixLength > 32) {
    throw new Error(`key bucket prefix length must be 1..32 hex digits, got ${prefixLength}`);
  }
  return prefixLength;
}

/** md5()/string_agg: Postgres and DuckDB. */
export const standardKeyHashing: KeyHashing = {
  md5Hex: (text) => `md5(${text})`,
  sortedDigest: (hash) => `md5(string_agg(${hash}, '' ORDER BY ${hash}))`,
  textType: 'VARCHAR',
};

/** MD5()/LISTAGG ... WITHIN GROUP: Redshift and Snowflake. */
export const listaggKeyHashing: KeyHashing = {
  md5Hex: (text) => `MD5(${text})`,
  sortedDigest: (hash) => `MD5(LISTAGG(${hash}, '') WITHIN GROUP (ORDER BY ${hash}))`,
  textType: 'VARCHAR',
};

/** BigQuery: MD5 returns BYTES. */
export const bigqueryKeyHashing: KeyHashing = {
  md5Hex: (text) => `TO_HEX(MD5(${text}))`,
  sortedDigest: (hash) => `TO_HEX(MD5(STRING_AGG(${hash}, '' ORDER BY ${hash})))`,
  textType: 'STRING',
};
