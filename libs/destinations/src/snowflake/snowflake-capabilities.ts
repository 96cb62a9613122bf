import type { DestinationCapabilities } from '../capabilities.ts';

/**
 * Snowflake: every DDL statement commits the open transaction and itself, so DDL is not
 * transactional. ALTER COLUMN ... SET DATA TYPE raises a NUMBER's precision or a VARCHAR's
 * length in place, for any column: PRIMARY KEY constraints are recorded, not enforced.
 * VARCHAR(n) keeps and enforces n. Verified in ../capabilities.integration.test.ts (on the emulator, with the
 * differences that test lists).
 * @see https://docs.snowflake.com/en/sql-reference/transactions
 * @see https://docs.snowflake.com/en/sql-reference/sql/alter-table-column
 * @see https://docs.snowflake.com/en/sql-reference/constraints-overview
 */
export const snowflakeCapabilities: DestinationCapabilities = {
  transactionalDdl: false,
  alterColumnTypeInPlace: true,
  alterPrimaryKeyColumnTypeInPlace: true,
  addColumnWithPrimaryKey: true,
  enforcesVarcharLength: true,
  keepsJsonNull: true,
  keepsJsonNumberDigits: true,
  enforcesPrimaryKey: false,
};
