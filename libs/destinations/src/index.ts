export * from './destination.ts';
export type { DestinationCapabilities } from './capabilities.ts';
export { DestinationError, type DestinationErrorKind } from './destination-error.ts';
export {
  DESTINATION_MODULES,
  DESTINATION_TYPES,
  createDestination,
  destinationModule,
  setupSql,
  type AnyDestinationModule,
  type DestinationConfig,
  type DestinationType,
} from './destination-modules.ts';
export { destinationPermissionChecks } from './checks/permission-checks.ts';
export type { DestinationAddress, DestinationModule, ModuleEntry, ResourceShare, Via } from './destination-module.ts';
export { PostgresDestination } from './postgres/postgres-destination.ts';
export type { PostgresDestinationConfig } from './postgres/postgres-config.ts';
export { postgresCapabilities } from './postgres/postgres-capabilities.ts';
export { DuckDBDestination } from './duckdb/duckdb-destination.ts';
export type { DuckDBDestinationConfig } from './duckdb/duckdb-config.ts';
export { duckdbCapabilities } from './duckdb/duckdb-capabilities.ts';
export type { SnowflakeDestinationConfig } from './snowflake/snowflake-config.ts';
export { SnowflakeDestination, type SnowflakeResult } from './snowflake/snowflake-destination.ts';
export { snowflakeCapabilities } from './snowflake/snowflake-capabilities.ts';
export type { BigQueryDestinationConfig } from './bigquery/bigquery-config.ts';
export { BigQueryDestination, type BigQueryDestinationOptions } from './bigquery/bigquery-destination.ts';
export { bigqueryCapabilities } from './bigquery/bigquery-capabilities.ts';
export type { RedshiftDestinationConfig } from './redshift/redshift-config.ts';
export { MalformedCsvError, transferCsvRecords, type TransferRecord } from './transfer-csv-records.ts';
export { RedshiftDestination } from './redshift/redshift-destination.ts';
export { redshiftCapabilities } from './redshift/redshift-capabilities.ts';
export { besideTableName } from './names.ts';
export { SetupSqlError, type SetupSqlOptions } from './setup-sql-options.ts';
export { canonicalFloat } from './canonical-float.ts';
