import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Runs statements in order on a DuckDB file, as dbt would write a source, and closes it again,
 * so the engine can open the file after.
 */
export async function runOnDuckDB(path: string, ...statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    for (const statement of statements) await connection.run(statement);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
