import { DuckDBSource } from './duckdb/duckdb-source.ts';
import { PostgresSource } from './postgres/postgres-source.ts';
import type { Source } from './source.ts';
import type { PostgresSourceUrl } from './postgres/connection.ts';

/** Where the export models are read from, as a workspace configures it. */
export type SourceConfig = ({ readonly type: 'postgres' } & PostgresSourceUrl) | { readonly type: 'duckdb'; readonly path: string };

/**
 * The source for a config; call `connect()` before reading.
 * @example
 * const source = createSource({ type: 'duckdb', path: 'dbt_project/ferry.duckdb' });
 * await source.connect();
 * for await (const csv of source.exportCsv(exportModels.messages, 'acme')) process.stdout.write(csv);
 */
export function createSource(config: SourceConfig): Source {
  switch (config.type) {
    case 'postgres':
      return new PostgresSource(config);
    case 'duckdb':
      return new DuckDBSource({ path: config.path });
    default:
      throw new Error(`unknown source type ${JSON.stringify((config as { type: unknown }).type)}: use "postgres" or "duckdb"`);
  }
}
