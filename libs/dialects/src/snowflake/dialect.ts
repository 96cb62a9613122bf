import { defineDialect } from '../define-dialect.ts';
import { listaggKeyHashing } from '../key-buckets.ts';
import { foldToUpperAscii, quoteWithDoubleQuotes } from '../identifiers.ts';
import { snowflakeTypeMap } from './type-map.ts';

/**
 * Snowflake: stores unquoted names in upper case and allows 255 characters. EQUAL_NULL is
 * Snowflake's NULL-safe equality and compares VARIANTs too.
 * @see https://docs.snowflake.com/en/sql-reference/identifiers-syntax
 * @see https://docs.snowflake.com/en/sql-reference/functions/equal_null
 */
export const snowflake = defineDialect({
  name: 'snowflake',
  identifierLimit: { max: 255, unit: 'characters' },
  typeMap: snowflakeTypeMap,
  foldIdentifier: foldToUpperAscii,
  quoteIdentifier: quoteWithDoubleQuotes,
  sameValue: (left, right) => `EQUAL_NULL(${left}, ${right})`,
  keyHashing: listaggKeyHashing,
});
