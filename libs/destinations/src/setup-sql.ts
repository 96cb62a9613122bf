import { bigquerySetupSql } from './bigquery/bigquery-setup-sql.ts';
import type { DestinationType } from './create-destination.ts';
import { duckdbSetupSql } from './duckdb/duckdb-setup-sql.ts';
import { postgresSetupSql } from './postgres/postgres-setup-sql.ts';
import { redshiftSetupSql } from './redshift/redshift-setup-sql.ts';
import type { SetupSqlOptions } from './setup-sql-options.ts';
import { snowflakeSetupSql } from './snowflake/snowflake-setup-sql.ts';

/** One generator per destination type: a Record, so a new type does not compile until it has one. */
const SETUP_SQL: Readonly<Record<DestinationType, (options: SetupSqlOptions) => string>> = {
  postgres: postgresSetupSql,
  duckdb: duckdbSetupSql,
  snowflake: snowflakeSetupSql,
  bigquery: bigquerySetupSql,
  redshift: redshiftSetupSql,
};

/**
 * The script a customer runs, as an administrator, to give Ferry a least-privilege login: it can
 * create and own the tables of its own schema (and its staging tables) and nothing else.
 * @throws SetupSqlError when an option the warehouse needs is missing
 */
export function setupSql(type: DestinationType, options: SetupSqlOptions): string {
  return SETUP_SQL[type](options);
}
