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

/** The rows of one query on a DuckDB file, every value as text (null for NULL). */
export async function queryDuckDB(path: string, sql: string): Promise<(string | null)[][]> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM (${sql})`)).getRows() as (string | null)[][];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
