import { dialectFor } from '@ferry/dialects';
import { required, type SetupSqlOptions } from '../setup-sql-options.ts';

/**
 * Snowflake: a role that owns Ferry's schema (tables, and the stage loads go through) and uses
 * one small auto-suspending warehouse; a user with that role as its default.
 * @see https://docs.snowflake.com/en/user-guide/security-access-control-privileges
 */
export function snowflakeSetupSql(options: SetupSqlOptions): string {
  const dialect = dialectFor('snowflake');
  const q = (name: string) => dialect.quoteIdentifier(dialect.foldIdentifier(name));
  const database = q(required(options, 'database', 'snowflake'));
  const [user, schema] = [q(options.user), `${database}.${q(options.schema)}`];
  const role = q(options.role ?? `${options.user}_role`);
  const warehouse = q(options.warehouse ?? `${options.user}_wh`);
  return `-- Ferry's login on Snowflake. Run as a user with SECURITYADMIN and SYSADMIN, with your own password
-- (or ALTER USER ... SET RSA_PUBLIC_KEY for key-pair authentication).
USE ROLE SECURITYADMIN;
CREATE ROLE IF NOT EXISTS ${role};
CREATE USER IF NOT EXISTS ${user} PASSWORD = 'choose-a-strong-password' DEFAULT_ROLE = ${role} DEFAULT_WAREHOUSE = ${warehouse};
GRANT ROLE ${role} TO USER ${user};

USE ROLE SYSADMIN;
-- Ferry's statements run here; it suspends itself after a minute idle.
CREATE WAREHOUSE IF NOT EXISTS ${warehouse} WAREHOUSE_SIZE = XSMALL AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE;
GRANT USAGE ON WAREHOUSE ${warehouse} TO ROLE ${role};
GRANT USAGE ON DATABASE ${database} TO ROLE ${role};
-- Ferry's own schema: it creates, alters, renames and drops only the tables it syncs there.
CREATE SCHEMA IF NOT EXISTS ${schema};
GRANT OWNERSHIP ON SCHEMA ${schema} TO ROLE ${role} COPY CURRENT GRANTS;
-- Readers of the synced tables (replace ANALYST with your own role):
-- GRANT USAGE ON SCHEMA ${schema} TO ROLE ANALYST;
-- GRANT SELECT ON FUTURE TABLES IN SCHEMA ${schema} TO ROLE ANALYST;
`;
}
