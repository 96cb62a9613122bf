import type { DestinationConfig } from '@ferry/destinations';
import type { DestinationConfigEntry } from './schema.ts';

/**
 * The destination config for a ferry.yaml entry: the connection fields only, renamed where
 * ferry.yaml spells them in snake case.
 */
export function destinationConfig(entry: DestinationConfigEntry): DestinationConfig {
  const { id } = entry;
  switch (entry.type) {
    case 'postgres':
    case 'redshift':
      return { type: entry.type, id, url: entry.url, schema: entry.schema };
    case 'duckdb':
      return { type: 'duckdb', id, path: entry.path, schema: entry.schema };
    case 'snowflake': {
      const { account, user, password, database, warehouse, role, schema } = entry;
      return { type: 'snowflake', id, account, user, password, database, schema, ...(warehouse ? { warehouse } : {}), ...(role ? { role } : {}) };
    }
    case 'bigquery':
      return {
        type: 'bigquery',
        id,
        projectId: entry.project,
        dataset: entry.dataset,
        ...(entry.location ? { location: entry.location } : {}),
        ...(entry.key_file ? { keyFilename: entry.key_file } : {}),
      };
  }
}
