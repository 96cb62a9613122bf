import type { DestinationCapabilities } from '../capabilities.ts';

/**
 * DuckDB 1.5: DDL, renames included, is transactional. Ferry's DuckDB tables declare no PRIMARY
 * KEY (its index is held in memory whole; see the dialect's create_table), so nothing refuses a
 * second row with one key, and ALTER COLUMN ... SET DATA TYPE works on key columns too. (On a
 * table with a key constraint, as earlier Ferry versions created them, DuckDB refuses it for key
 * columns: introspection reports such a table's `declaresKey`, and a sync rebuilds it.) ADD COLUMN works.
 * VARCHAR(n) is stored as VARCHAR: the length is neither kept nor enforced.
 * Verified against DuckDB in ../capabilities.integration.test.ts.
 * @see https://duckdb.org/docs/stable/sql/statements/alter_table
 * @see https://duckdb.org/docs/stable/sql/data_types/text
 */
export const duckdbCapabilities: DestinationCapabilities = {
  transactionalDdl: true,
  alterColumnTypeInPlace: true,
  alterPrimaryKeyColumnTypeInPlace: true,
  addColumnWithPrimaryKey: true,
  enforcesVarcharLength: false,
  keepsJsonNull: true,
  keepsJsonNumberDigits: true,
  enforcesPrimaryKey: false,
};
