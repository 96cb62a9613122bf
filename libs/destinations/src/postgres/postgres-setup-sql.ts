import { dialectFor } from '@ferry/dialects';
import { required, type SetupSqlOptions } from '../setup-sql-options.ts';

/**
 * Postgres: a login role that owns Ferry's schema (so it can create, alter, rename and drop the
 * tables it syncs there), may connect, and may create the temporary tables it stages rows in.
 */
export function postgresSetupSql(options: SetupSqlOptions): string {
  const dialect = dialectFor('postgres');
  const q = (name: string) => dialect.quoteIdentifier(dialect.foldIdentifier(name));
  const [user, schema, database] = [q(options.user), q(options.schema), q(required(options, 'database', 'postgres'))];
  return `-- Ferry's login on Postgres. Run as a superuser or the database owner, with your own password.
CREATE ROLE ${user} LOGIN PASSWORD 'choose-a-strong-password';
-- Connect, and stage each load in session temporary tables.
GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${user};
-- Ferry's own schema: it creates, alters, renames and drops only the tables it syncs there.
CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${user};
-- Readers of the synced tables (replace analysts with your own role):
-- GRANT USAGE ON SCHEMA ${schema} TO analysts;
-- ALTER DEFAULT PRIVILEGES FOR ROLE ${user} IN SCHEMA ${schema} GRANT SELECT ON TABLES TO analysts;
`;
}
