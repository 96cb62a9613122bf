import type { Destination } from './destination.ts';
import { DuckDBDestination } from './duckdb/duckdb-destination.ts';
import type { DuckDBDestinationConfig } from './duckdb/duckdb-config.ts';
import { PostgresDestination } from './postgres/postgres-destination.ts';
import type { PostgresDestinationConfig } from './postgres/postgres-config.ts';

/** A destination's configuration; `type` picks the warehouse. */
export type DestinationConfig = PostgresDestinationConfig | DuckDBDestinationConfig;

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
    default: {
      // Unreachable for typed configs; a config read from JSON can still name an unknown type.
      const unknown: never = config;
      throw new Error(`unknown destination type "${(unknown as { type: string }).type}": expected postgres or duckdb`);
    }
  }
}
