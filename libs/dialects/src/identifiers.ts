import type { IdentifierLimit } from './dialect.ts';

/**
 * Lower-cases ASCII letters only, as Postgres and Redshift fold unquoted names: other letters
 * keep their case, so folding never changes a name's length (JavaScript's toLowerCase would
 * turn `İ` into two code points).
 * @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
 */
export function foldToLowerAscii(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * Upper-cases ASCII letters only, as Snowflake stores unquoted names; `größe` becomes `GRößE`
 * rather than JavaScript's `GRÖSSE`, which would change the name's length and spelling.
 * @see https://docs.snowflake.com/en/sql-reference/identifiers-syntax
 */
export function foldToUpperAscii(name: string): string {
  return name.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/**
 * Wraps a name in double quotes, doubling embedded double quotes: the SQL standard rule that
 * Postgres, Redshift, Snowflake and DuckDB follow.
 * @example quoteWithDoubleQuotes('say "hi"') // '"say ""hi"""'
 * @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
 */
export function quoteWithDoubleQuotes(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A name's length in the unit a warehouse counts. */
export function identifierLength(name: string, unit: IdentifierLimit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(name, 'utf8') : [...name].length;
}
