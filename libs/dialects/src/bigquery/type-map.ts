import type { TypeMap } from '../dialect.ts';

/** NUMERIC holds at most 29 digits before the point and 9 after it; wider decimals need BIGNUMERIC. */
const NUMERIC_MAX_INTEGER_DIGITS = 29;
const NUMERIC_MAX_SCALE = 9;

/**
 * BigQuery column types. All integers are INT64; a timestamp without time zone is DATETIME and
 * one with a time zone is TIMESTAMP (an instant in UTC); varchar(n) is STRING, so widening a
 * varchar in dbt needs no change here; uuid is STRING, BigQuery having no UUID type.
 * @see https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types
 * @see https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#parameterized_decimal_type
 */
export const bigqueryTypeMap: TypeMap = {
  text: () => 'STRING',
  varchar: () => 'STRING',
  smallint: () => 'INT64',
  integer: () => 'INT64',
  bigint: () => 'INT64',
  numeric: ({ precision, scale }) =>
    precision - scale <= NUMERIC_MAX_INTEGER_DIGITS && scale <= NUMERIC_MAX_SCALE
      ? `NUMERIC(${precision},${scale})`
      : `BIGNUMERIC(${precision},${scale})`,
  real: () => 'FLOAT64',
  double: () => 'FLOAT64',
  boolean: () => 'BOOL',
  date: () => 'DATE',
  time: () => 'TIME',
  timestamp: () => 'DATETIME',
  timestamptz: () => 'TIMESTAMP',
  json: () => 'JSON',
  uuid: () => 'STRING',
};
