import type { Destination } from './destination.ts';
import { BigQueryDestination } from './bigquery/bigquery-destination.ts';
import type { BigQueryDestinationConfig } from './bigquery/bigquery-config.ts';
import { DuckDBDestination } from './duckdb/duckdb-destination.ts';
import type { DuckDBDestinationConfig } from './duckdb/duckdb-config.ts';
import { PostgresDestination } from './postgres/postgres-destination.ts';
import type { PostgresDestinationConfig } from './postgres/postgres-config.ts';
import { RedshiftDestination } from './redshift/redshift-destination.ts';
import type { RedshiftDestinationConfig } from './redshift/redshift-config.ts';
import { SnowflakeDestination } from './snowflake/snowflake-destination.ts';
import type { SnowflakeDestinationConfig } from './snowflake/snowflake-config.ts';

/** A destination's configuration; `type` picks the warehouse. */
export type DestinationConfig =
  | PostgresDestinationConfig
  | DuckDBDestinationConfig
  | SnowflakeDestinationConfig
  | BigQueryDestinationConfig
  | RedshiftDestinationConfig;

/** Every destination type Ferry can write to. */
export type DestinationType = DestinationConfig['type'];

/**
 * The destination for a config, not yet connected.
 * @example
 * const destination = createDestination({ type: 'duckdb', id: 'sandbox', path: ':memory:', schema: 'knock' });
 * await destination.connect();
 * try { await destination.ensureSchema(); } finally { await destination.close(); }
 */
export function createDestination(config: DestinationConfig): Destination {
  switch (config.type) {
    case 'postgres':
      return new PostgresDestination(config);
    case 'duckdb':
      return new DuckDBDestination(config);
    case 'snowflake':
      return new SnowflakeDestination(config);
    case 'bigquery':
      return new BigQueryDestination(config);
    case 'redshift':
      return new RedshiftDestination(config);
    default: {
      // Unreachable for typed configs; a config read from JSON can still name an unknown type.
      const unknown: never = config;
      throw new Error(`unknown destination type "${(unknown as { type: string }).type}": expected postgres, duckdb, snowflake, bigquery or redshift`);
    }
  }
}
