import { defineDialect } from '../define-dialect.ts';
import { duckdbMd5SumKeyHashing, standardKeyHashing } from '../key-buckets.ts';
import { duckdbRowHashing } from '../row-digests.ts';
import { foldToLowerAscii, quoteWithDoubleQuotes } from '../identifiers.ts';
import { duckdbTypeMap } from './type-map.ts';

/**
 * DuckDB: names are case-insensitive even when quoted (`"ORDER"` and `"order"` are one column),
 * so Ferry folds to lower case to catch such collisions before DuckDB does. DuckDB sets no
 * identifier limit of its own; a name is a string, and strings are capped at 4 GB.
 * @see https://duckdb.org/docs/stable/sql/dialect/keywords_and_identifiers
 * @see https://duckdb.org/docs/stable/operations_manual/limits
 */
export const duckdb = defineDialect({
  name: 'duckdb',
  identifierLimit: { max: 4 * 1024 ** 3, unit: 'bytes' },
  typeMap: duckdbTypeMap,
  foldIdentifier: foldToLowerAscii,
  quoteIdentifier: quoteWithDoubleQuotes,
  sameValue: (left, right) => `${left} IS NOT DISTINCT FROM ${right}`,
  keyHashing: standardKeyHashing,
  moreKeyHashes: [{ name: 'md5-sum', hashing: duckdbMd5SumKeyHashing }],
  rowHashing: duckdbRowHashing,
});
