import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DUCKDB_SOURCE_CATALOG } from '@ferry/generator/dbt';
import { loadIntoDuckDB, sourceChangeStatements, type SampleDataOptions, type SourceChanges } from '@ferry/sample-data';

/** The demo's source warehouse: a DuckDB file named after the catalog the compiled dbt script builds into. */
export function demoSourcePath(dir: string): string {
  return join(dir, `${DUCKDB_SOURCE_CATALOG}.duckdb`);
}

/**
 * Builds the sample source with no Python: seeded raw data, then every dbt model from the
 * committed `dbt compile` output (`buildScript`: the example workspace's
 * project.duckdb_build_script, dbt_project/compiled/duckdb.sql), as `dbt run` would.
 */
/**
 * Loads sample raw data and builds the dbt models on it. `say` hears each step as it ends, with
 * its time: a large sample takes minutes.
 */
export async function buildDemoSource(
  buildScript: string,
  path: string,
  data: SampleDataOptions,
  say: (line: string) => void = () => {},
): Promise<void> {
  let started = performance.now();
  const took = () => {
    const seconds = (performance.now() - started) / 1000;
    started = performance.now();
    return `${seconds.toFixed(1)} s`;
  };
  await withDuckDB(path, async (connection) => {
    await loadIntoDuckDB(connection, data, (table, rows) => say(`   raw.${table}: ${rows.toLocaleString('en-US')} rows (${took()})`));
    await connection.run(await readFile(buildScript, 'utf8'));
    say(`   dbt models built (${took()})`);
  });
}

/** Changes the raw data like a day of product use, then rebuilds the models on it. */
export async function changeDemoSource(buildScript: string, path: string, changes: SourceChanges, at: Date): Promise<void> {
  await withDuckDB(path, async (connection) => {
    for (const statement of sourceChangeStatements(changes, at)) await connection.run(statement);
    await connection.run(await readFile(buildScript, 'utf8'));
  });
}

async function withDuckDB(path: string, work: (connection: DuckDBConnection) => Promise<void>): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
