import type { DestinationCapabilities } from '../capabilities.ts';

/**
 * BigQuery: every statement is its own job and DDL commits as it runs, so nothing rolls back with
 * a transaction. ALTER COLUMN SET DATA TYPE widens INT64 -> NUMERIC/BIGNUMERIC, NUMERIC ->
 * BIGNUMERIC and parameterized types (NUMERIC(p,s) -> NUMERIC(p+k,s)) in place; key constraints
 * are informational (NOT ENFORCED), so key columns widen the same way. Ferry's integers are all
 * INT64 and its varchars STRING without a length, so int -> bigint and varchar widening change
 * nothing there. Verified against the emulator (or real BigQuery) in ../capabilities.integration.test.ts.
 * @see https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#alter_column_set_data_type_statement
 * @see https://cloud.google.com/bigquery/docs/reference/standard-sql/conversion_rules
 */
export const bigqueryCapabilities: DestinationCapabilities = {
  transactionalDdl: false,
  alterColumnTypeInPlace: true,
  alterPrimaryKeyColumnTypeInPlace: true,
  addColumnWithPrimaryKey: true,
  enforcesVarcharLength: false,
  keepsJsonNull: false,
  keepsJsonNumberDigits: false,
  enforcesPrimaryKey: false,
};
