import { defineDialect } from '../define-dialect.ts';
import { bigqueryKeyHashing } from '../key-buckets.ts';
import { foldToLowerAscii } from '../identifiers.ts';
import { bigqueryTypeMap } from './type-map.ts';

/**
 * BigQuery: column names are case-insensitive and up to 300 characters; table names are
 * case-sensitive and up to 1,024 bytes. Ferry folds both to lower case, as the other
 * lower-case warehouses do. JSON values cannot be compared, so sameValue compares their text
 * (and their NULL-ness apart, as TO_JSON_STRING(NULL) is the text `null`).
 * @see https://cloud.google.com/bigquery/docs/schemas#column_names
 * @see https://cloud.google.com/bigquery/docs/tables#table_naming
 * @see https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#quoted_identifiers
 */
export const bigquery = defineDialect({
  name: 'bigquery',
  identifierLimit: { max: 300, unit: 'characters' },
  tableNameLimit: { max: 1024, unit: 'bytes' },
  typeMap: bigqueryTypeMap,
  foldIdentifier: foldToLowerAscii,
  quoteIdentifier: quoteWithBackticks,
  sameValue: (left, right, type) =>
    type.kind === 'json'
      ? `((${left} IS NULL) = (${right} IS NULL) AND TO_JSON_STRING(${left}) IS NOT DISTINCT FROM TO_JSON_STRING(${right}))`
      : `${left} IS NOT DISTINCT FROM ${right}`,
  keyHashing: bigqueryKeyHashing,
});

/**
 * Wraps a name in backticks. Quoted identifiers take the escape sequences of string literals,
 * so backslashes and backticks are escaped, and control characters are written as \u escapes.
 * @example quoteWithBackticks('a`b') // '`a\\`b`'
 */
function quoteWithBackticks(name: string): string {
  const escaped = name.replace(/[\\`]|[\u0000-\u001f\u007f]/g, (character) =>
    character === '\\' || character === '`' ? `\\${character}` : `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `\`${escaped}\``;
}
