import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { SourceConnectionError } from '../source-errors.ts';

/**
 * Opens a DuckDB database file read-only, so reading a source can never change it (and never
 * creates an empty database where a path is mistyped).
 * @throws SourceConnectionError naming the file and what to check.
 */
export async function openReadOnly(path: string): Promise<DuckDBInstance> {
  const file = resolve(path);
  try {
    await access(file);
  } catch {
    throw new SourceConnectionError(
      `the DuckDB source file ${file} does not exist: check the source's path, which must be the database file dbt-duckdb builds the export models in (\`path\` in profiles.yml)`,
    );
  }
  // Loaded here, not by every importer of @ferry/sources: a Postgres source never needs DuckDB (a few hundred ms to load).
  const { DuckDBInstance } = await import('@duckdb/node-api');
  try {
    return await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  } catch (error) {
    throw new SourceConnectionError(
      `cannot open the DuckDB source file ${file} read-only: ${(error as Error).message}. ` +
        'If another process (dbt, for one) is writing to it, retry when it is done; if this process has it open already, ' +
        'give the source that DuckDBInstance instead of the path.',
      { cause: error },
    );
  }
}
