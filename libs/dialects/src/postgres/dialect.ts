import { defineDialect } from '../define-dialect.ts';
import { postgresKeyHashing, postgresMd5SumKeyHashing, standardKeyHashing } from '../key-buckets.ts';
import { postgresRowHashing } from '../row-digests.ts';
import { foldToLowerAscii, quoteWithDoubleQuotes } from '../identifiers.ts';
import { postgresTypeMap } from './type-map.ts';

/**
 * Postgres: folds unquoted names to lower case; a name longer than 63 bytes (NAMEDATALEN - 1)
 * is silently truncated, so Ferry rejects it up front.
 * @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
 */
export const postgres = defineDialect({
  name: 'postgres',
  identifierLimit: { max: 63, unit: 'bytes' },
  typeMap: postgresTypeMap,
  foldIdentifier: foldToLowerAscii,
  quoteIdentifier: quoteWithDoubleQuotes,
  sameValue: (left, right) => `${left} IS NOT DISTINCT FROM ${right}`,
  keyHashing: standardKeyHashing,
  moreKeyHashes: [
    { name: 'postgres', hashing: postgresKeyHashing },
    { name: 'md5-sum', hashing: postgresMd5SumKeyHashing },
  ],
  // md5() costs about 1 µs a key in Postgres, on one core (OpenSSL set up per call; sha256 costs
  // the same), against about 0.25 µs for its own hash. 5M uuid keys, one process: 7.7 s to md5
  // them, 4.7 s to COPY them out; a bucket pass hashes each key twice and cannot spread the
  // grouping over workers.
  slowKeyHashes: ['md5-sum', 'md5'],
  // reltuples: what VACUUM, ANALYZE and CREATE INDEX last counted; -1 before any of them ran.
  refreshStatistics: (relation) => `ANALYZE ${relation}`,
  rowEstimateQuery: (relation) => `SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = to_regclass('${relation.replaceAll("'", "''")}')`,
  rowHashing: postgresRowHashing,
});
