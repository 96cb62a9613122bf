import type { TypeMap } from '../dialect.ts';

/**
 * Postgres column types. JSONB rather than JSON: it has equality, which the merge needs to
 * leave unchanged rows alone. TIMESTAMP(6) spells out the microseconds Ferry keeps.
 * @see https://www.postgresql.org/docs/current/datatype.html
 */
export const postgresTypeMap: TypeMap = {
  text: () => 'TEXT',
  varchar: ({ length }) => `VARCHAR(${length})`,
  smallint: () => 'SMALLINT',
  integer: () => 'INTEGER',
  bigint: () => 'BIGINT',
  numeric: ({ precision, scale }) => `NUMERIC(${precision},${scale})`,
  real: () => 'REAL',
  double: () => 'DOUBLE PRECISION',
  boolean: () => 'BOOLEAN',
  date: () => 'DATE',
  time: () => 'TIME',
  timestamp: () => 'TIMESTAMP(6)',
  timestamptz: () => 'TIMESTAMPTZ(6)',
  json: () => 'JSONB',
  uuid: () => 'UUID',
};
