/**
 * The one format rows travel in between a source and a destination: CSV (RFC 4180), because it
 * is the bulk-load format every warehouse ingests natively (Postgres COPY, DuckDB COPY/read_csv,
 * Snowflake PUT + COPY INTO, BigQuery load jobs, Redshift COPY), so rows can stream from source
 * to destination without being parsed in JavaScript.
 *
 * - No header. Columns are the export model's `columns`, in order.
 * - Fields are separated by `,`, records end with `\n`; a field holding `,`, `"`, `\r` or `\n` is
 *   quoted with `"` and embedded quotes doubled.
 * - NULL is an empty, unquoted field; the empty string is `""`. They are never confused.
 * - Values are written in their canonical text form:
 *
 * | logical type  | text form                                                         |
 * |---------------|-------------------------------------------------------------------|
 * | text/varchar  | as is                                                             |
 * | smallint..bigint, numeric | decimal digits, `-` sign, `.` scale (no exponent)     |
 * | real/double   | text that reads back as exactly the same float (`NaN`, `Infinity`)|
 * | boolean       | `true`/`false` (`t`/`f` accepted)                                 |
 * | date          | `YYYY-MM-DD`                                                      |
 * | time          | `HH:MM:SS[.ffffff]`                                               |
 * | timestamp     | `YYYY-MM-DD HH:MM:SS[.ffffff]`                                    |
 * | timestamptz   | `YYYY-MM-DD HH:MM:SS[.ffffff]+00` — always UTC                    |
 * | json          | JSON text                                                         |
 * | uuid          | lower-case `8-4-4-4-12` hex                                       |
 */
export const TRANSFER_FORMAT = 'csv' as const;
