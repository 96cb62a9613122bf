import type { DestinationCapabilities } from '../capabilities.ts';

/**
 * Postgres: DDL is transactional, and ALTER COLUMN TYPE rewrites the table (and the key's index)
 * under a lock, so widening works in place for any column. Verified against Postgres in ../capabilities.integration.test.ts.
 * @see https://www.postgresql.org/docs/current/sql-altertable.html
 */
export const postgresCapabilities: DestinationCapabilities = {
  transactionalDdl: true,
  alterColumnTypeInPlace: true,
  alterPrimaryKeyColumnTypeInPlace: true,
  addColumnWithPrimaryKey: true,
  enforcesVarcharLength: true,
  keepsJsonNull: true,
  keepsJsonNumberDigits: true,
  enforcesPrimaryKey: true,
};
