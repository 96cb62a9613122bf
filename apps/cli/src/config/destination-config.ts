import type { DestinationConfig } from '@ferry/destinations';
import type { DestinationConfigEntry } from './schema.ts';

/** The local end of a tunnel, and the bastion it goes through (for messages). */
export interface Via {
  readonly host: string;
  readonly port: number;
  readonly through: string;
}

/**
 * The destination config for a ferry.yaml entry: the connection fields only, renamed where
 * ferry.yaml spells them in snake case.
 * @param via where to connect instead of the warehouse's address: the local end of its SSH tunnel
 */
export function destinationConfig(entry: DestinationConfigEntry, via?: Via): DestinationConfig {
  const { id } = entry;
  switch (entry.type) {
    case 'postgres':
    case 'redshift':
      return {
        type: entry.type,
        id,
        url: entry.url,
        schema: entry.schema,
        connectTimeoutSeconds: entry.connect_timeout,
        ...(entry.password !== undefined ? { password: entry.password } : {}),
        ...(via ? { via } : {}),
      };
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
