import type { DestinationCapabilities } from '../capabilities.ts';

/**
 * DuckDB 1.5: DDL, renames included, is transactional. On a table with a PRIMARY KEY,
 * ALTER COLUMN ... SET DATA TYPE works for columns outside the key but is refused for key
 * columns ("Cannot change the type of a column that has a UNIQUE or PRIMARY KEY constraint"),
 * and any column an explicit index depends on (Ferry creates none). ADD COLUMN works.
 * VARCHAR(n) is stored as VARCHAR: the length is neither kept nor enforced.
 * Verified against DuckDB in ../capabilities.integration.test.ts.
 * @see https://duckdb.org/docs/stable/sql/statements/alter_table
 * @see https://duckdb.org/docs/stable/sql/data_types/text
 */
export const duckdbCapabilities: DestinationCapabilities = {
  transactionalDdl: true,
  alterColumnTypeInPlace: true,
  alterPrimaryKeyColumnTypeInPlace: false,
  addColumnWithPrimaryKey: true,
  enforcesVarcharLength: false,
  keepsJsonNull: true,
  keepsJsonNumberDigits: true,
  enforcesPrimaryKey: true,
};
