import { dialectFor } from '@ferry/dialects';
import type { SetupSqlOptions } from '../setup-sql-options.ts';

/** DuckDB: a file has no users to grant to; Ferry needs to write the file and its folder. */
export function duckdbSetupSql(options: SetupSqlOptions): string {
  const dialect = dialectFor('duckdb');
  return `-- DuckDB has no users or grants: Ferry needs write access to the database file and its folder
-- (it creates the file when missing). Ferry creates its schema itself; to create it now:
CREATE SCHEMA IF NOT EXISTS ${dialect.quoteIdentifier(dialect.foldIdentifier(options.schema))};
`;
}
