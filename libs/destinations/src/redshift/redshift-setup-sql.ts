import { dialectFor } from '@ferry/dialects';
import { required, type SetupSqlOptions } from '../setup-sql-options.ts';

/** Redshift: a user that owns Ferry's schema and may create temporary tables to stage rows in. */
export function redshiftSetupSql(options: SetupSqlOptions): string {
  const dialect = dialectFor('redshift');
  const q = (name: string) => dialect.quoteIdentifier(dialect.foldIdentifier(name));
  const [user, schema, database] = [q(options.user), q(options.schema), q(required(options, 'database', 'redshift'))];
  return `-- Ferry's login on Redshift. Run as a superuser, with your own password
-- (8 to 64 characters, with an upper-case letter, a lower-case letter and a digit).
CREATE USER ${user} PASSWORD 'Choose-a-str0ng-password';
-- Stage each load in session temporary tables.
GRANT TEMPORARY ON DATABASE ${database} TO ${user};
-- Ferry's own schema: it creates, alters, renames and drops only the tables it syncs there.
CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${user};
-- Readers of the synced tables (replace analysts with your own group):
-- GRANT USAGE ON SCHEMA ${schema} TO GROUP analysts;
-- ALTER DEFAULT PRIVILEGES FOR USER ${user} IN SCHEMA ${schema} GRANT SELECT ON TABLES TO GROUP analysts;
`;
}
