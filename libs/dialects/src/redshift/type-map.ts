import type { TypeMap } from '../dialect.ts';

/** Redshift VARCHAR lengths count bytes and stop at 65,535. */
const MAX_VARCHAR_BYTES = 65_535;
/** A UTF-8 character takes at most 4 bytes. */
const MAX_UTF8_BYTES_PER_CHARACTER = 4;

/**
 * Redshift column types.
 * - text is VARCHAR(65535): Redshift's TEXT is an alias of VARCHAR(256) and would cut values.
 * - varchar(n) reserves 4 bytes per character, because Redshift counts bytes where the source
 *   (Postgres, DuckDB) counts characters; `größe` is 5 characters but 7 bytes.
 * - uuid is CHAR(36): Redshift has no UUID type; the canonical text form is always 36 ASCII characters.
 * - json is SUPER, Redshift's semi-structured type.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html
 */
export const redshiftTypeMap: TypeMap = {
  text: () => `VARCHAR(${MAX_VARCHAR_BYTES})`,
  varchar: ({ length }) => `VARCHAR(${Math.min(length * MAX_UTF8_BYTES_PER_CHARACTER, MAX_VARCHAR_BYTES)})`,
  smallint: () => 'SMALLINT',
  integer: () => 'INTEGER',
  bigint: () => 'BIGINT',
  numeric: ({ precision, scale }) => `NUMERIC(${precision},${scale})`,
  real: () => 'REAL',
  double: () => 'DOUBLE PRECISION',
  boolean: () => 'BOOLEAN',
  date: () => 'DATE',
  time: () => 'TIME',
  timestamp: () => 'TIMESTAMP',
  timestamptz: () => 'TIMESTAMPTZ',
  json: () => 'SUPER',
  uuid: () => 'CHAR(36)',
};
