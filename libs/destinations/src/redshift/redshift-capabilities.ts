import type { DestinationCapabilities } from '../capabilities.ts';

/**
 * Redshift: DDL is transactional, but ALTER COLUMN TYPE only lengthens a VARCHAR (and not inside
 * a transaction block), so Ferry widens by rebuild + swap. Redshift keeps and enforces VARCHAR
 * lengths (in bytes). The tests run Redshift's SQL on Postgres, where RedshiftDestination
 * refuses what Redshift refuses (see redshift-destination.ts), so ../capabilities.integration.test.ts checks
 * this record there too.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html
 */
export const redshiftCapabilities: DestinationCapabilities = {
  transactionalDdl: true,
  alterColumnTypeInPlace: false,
  alterPrimaryKeyColumnTypeInPlace: false,
  addColumnWithPrimaryKey: true,
  enforcesVarcharLength: true,
  keepsJsonNull: true,
  keepsJsonNumberDigits: true,
  enforcesPrimaryKey: false,
};
