/**
 * COPY options that read the transfer format (see TRANSFER_FORMAT in @ferry/schema) and nothing
 * else: no sniffing, so a file never changes how it is read.
 * - NULLSTR '' with ALLOW_QUOTED_NULLS false: an unquoted empty field is NULL, `""` the empty string.
 * - NEW_LINE '\n': records end with \n; set, because the sniffer can mistake a \r\n inside a quoted value for the record end.
 * - STRICT_MODE: a row with too many or too few fields fails the load instead of being padded.
 * Booleans t/f/true/false and timestamptz with a `+00` offset are read by DuckDB's own casts.
 * @see https://duckdb.org/docs/stable/data/csv/overview#parameters
 */
export const DUCKDB_CSV_OPTIONS =
  `FORMAT csv, HEADER false, DELIMITER ',', QUOTE '"', ESCAPE '"', NEW_LINE '\\n', ` +
  `NULLSTR '', ALLOW_QUOTED_NULLS false, AUTO_DETECT false, STRICT_MODE true`;

/** A string literal for DuckDB SQL, such as a file path. */
export function duckdbLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
