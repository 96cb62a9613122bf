import { defineDialect } from '../define-dialect.ts';
import { standardKeyHashing } from '../key-buckets.ts';
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
  rowHashing: postgresRowHashing,
});
