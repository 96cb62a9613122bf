import type { TypeMap } from '../dialect.ts';

/**
 * Snowflake column types. Integers are NUMBER with the precision that holds the source type's
 * range (Snowflake's SMALLINT/INT/BIGINT are all NUMBER(38,0)); times keep microseconds;
 * json is VARIANT; uuid is its 36-character text form, Snowflake having no UUID type.
 * @see https://docs.snowflake.com/en/sql-reference/intro-summary-data-types
 */
export const snowflakeTypeMap: TypeMap = {
  text: () => 'VARCHAR',
  varchar: ({ length }) => `VARCHAR(${length})`,
  smallint: () => 'NUMBER(5,0)',
  integer: () => 'NUMBER(10,0)',
  bigint: () => 'NUMBER(19,0)',
  numeric: ({ precision, scale }) => `NUMBER(${precision},${scale})`,
  real: () => 'FLOAT',
  double: () => 'FLOAT',
  boolean: () => 'BOOLEAN',
  date: () => 'DATE',
  time: () => 'TIME(6)',
  timestamp: () => 'TIMESTAMP_NTZ(6)',
  timestamptz: () => 'TIMESTAMP_TZ(6)',
  json: () => 'VARIANT',
  uuid: () => 'VARCHAR(36)',
};
