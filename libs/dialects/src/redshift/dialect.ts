import { defineDialect } from '../define-dialect.ts';
import { listaggKeyHashing } from '../key-buckets.ts';
import { foldToLowerAscii, quoteWithDoubleQuotes } from '../identifiers.ts';
import { redshiftTypeMap } from './type-map.ts';

/**
 * Redshift: folds ASCII letters to lower case, even inside double quotes (unless
 * enable_case_sensitive_identifier is on), and allows names of up to 127 bytes.
 * Redshift has no IS NOT DISTINCT FROM, so sameValue spells out the NULL cases; SUPER values
 * are compared through their JSON text.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
 * @see https://docs.aws.amazon.com/redshift/latest/dg/JSON_SERIALIZE.html
 */
export const redshift = defineDialect({
  name: 'redshift',
  identifierLimit: { max: 127, unit: 'bytes' },
  typeMap: redshiftTypeMap,
  foldIdentifier: foldToLowerAscii,
  quoteIdentifier: quoteWithDoubleQuotes,
  sameValue: (left, right, type) => {
    const [l, r] = type.kind === 'json' ? [`JSON_SERIALIZE(${left})`, `JSON_SERIALIZE(${right})`] : [left, right];
    return `((${l} IS NULL AND ${r} IS NULL) OR (${l} IS NOT NULL AND ${r} IS NOT NULL AND ${l} = ${r}))`;
  },
  keyHashing: listaggKeyHashing,
});
