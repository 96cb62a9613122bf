import type { TypeMap } from '../dialect.ts';

/**
 * DuckDB column types. DuckDB ignores the length of VARCHAR(n); Ferry writes it anyway so the
 * table documents the contract. JSON is the json extension's type, which ships with DuckDB.
 * @see https://duckdb.org/docs/stable/sql/data_types/overview
 */
export const duckdbTypeMap: TypeMap = {
  text: () => 'VARCHAR',
  varchar: ({ length }) => `VARCHAR(${length})`,
  smallint: () => 'SMALLINT',
  integer: () => 'INTEGER',
  bigint: () => 'BIGINT',
  numeric: ({ precision, scale }) => `DECIMAL(${precision},${scale})`,
  real: () => 'REAL',
  double: () => 'DOUBLE',
  boolean: () => 'BOOLEAN',
  date: () => 'DATE',
  time: () => 'TIME',
  timestamp: () => 'TIMESTAMP',
  timestamptz: () => 'TIMESTAMPTZ',
  json: () => 'JSON',
  uuid: () => 'UUID',
};
