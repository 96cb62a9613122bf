import { onePassword, postgresAddress, postgresConnectionFields, postgresServer } from '@ferry/connections';
import { dialectFor } from '@ferry/dialects';
import { schemaName } from '../config-fields.ts';
import type { DestinationModule, ModuleEntry } from '../destination-module.ts';
import type { PostgresDestinationConfig } from './postgres-config.ts';
import { postgresSessionTls } from './postgres-tls.ts';

const pgWireFields = { schema: schemaName, ...postgresConnectionFields };
type PgWireFields = typeof pgWireFields;

/**
 * What every warehouse reached over the Postgres wire protocol shares (Postgres, Redshift):
 * ferry.yaml's url, password and connect_timeout, SSH tunnels, and the TLS check.
 */
export function pgWireModule<Type extends 'postgres' | 'redshift'>(
  type: Type,
  defaultPort: number,
): Pick<
  DestinationModule<Type, PgWireFields, Omit<PostgresDestinationConfig, 'type'> & { readonly type: Type }>,
  'type' | 'dialect' | 'reach' | 'fields' | 'refine' | 'schemaField' | 'fileFields' | 'config' | 'address' | 'place' | 'tls'
> {
  const dialect = dialectFor(type);
  return {
    type,
    dialect,
    reach: { sshTunnel: true },
    fields: pgWireFields,
    refine: onePassword,
    schemaField: 'schema',
    fileFields: [],
    config: (entry: ModuleEntry<Type, PgWireFields>, via) => ({
      type,
      id: entry.id,
      url: entry.url,
      schema: entry.schema,
      connectTimeoutSeconds: entry.connect_timeout,
      ...(entry.password !== undefined ? { password: entry.password } : {}),
      ...(via ? { via } : {}),
    }),
    address: (entry) => postgresAddress(entry, defaultPort),
    // A URL that names no server plainly is a place of its own: never a piece of its password in a message.
    place: (entry) =>
      `${type} ${postgresServer(entry.url, defaultPort) ?? `(the url of destination ${entry.id})`} schema ${dialect.foldIdentifier(entry.schema)}`,
    // Redshift has no pg_stat_ssl: there the check says it could not tell, and how to insist on TLS.
    tls: postgresSessionTls,
  };
}
