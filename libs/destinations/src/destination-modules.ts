import { bigqueryModule } from './bigquery/bigquery-module.ts';
import type { z } from 'zod';
import type { Destination } from './destination.ts';
import type { DestinationModule } from './destination-module.ts';
import { duckdbModule } from './duckdb/duckdb-module.ts';
import { postgresModule } from './postgres/postgres-module.ts';
import { redshiftModule } from './redshift/redshift-module.ts';
import type { SetupSqlOptions } from './setup-sql-options.ts';
import { snowflakeModule } from './snowflake/snowflake-module.ts';

/**
 * Every destination Ferry can write to, by type: the one place that lists them. A new
 * destination is a folder with its module, and a line here (README, "Adding a destination").
 */
export const DESTINATION_MODULES = {
  postgres: postgresModule,
  duckdb: duckdbModule,
  redshift: redshiftModule,
  snowflake: snowflakeModule,
  bigquery: bigqueryModule,
} as const;

/** Every destination type Ferry can write to. */
export type DestinationType = keyof typeof DESTINATION_MODULES;

/** The destination types, in the order ferry's help lists them. */
export const DESTINATION_TYPES = Object.keys(DESTINATION_MODULES) as DestinationType[];

/** A destination's client configuration; `type` picks the warehouse. */
export type DestinationConfig = { [T in DestinationType]: Parameters<(typeof DESTINATION_MODULES)[T]['create']>[0] }[DestinationType];

/**
 * A module whose entry and config types are erased, for code that handles every destination
 * alike: it passes a module only entries and configs of that module's own type.
 */
// biome-ignore lint/suspicious/noExplicitAny: entries of every type pass through one signature; destinationModule checks the type.
export type AnyDestinationModule = DestinationModule<DestinationType, z.ZodRawShape, any, any>;

/**
 * The module for a type.
 * @throws Error naming the types there are, for a type read from JSON that Ferry does not know
 */
export function destinationModule(type: string): AnyDestinationModule {
  if (!Object.hasOwn(DESTINATION_MODULES, type)) {
    throw new Error(`unknown destination type "${type}": expected one of ${DESTINATION_TYPES.join(', ')}`);
  }
  return DESTINATION_MODULES[type as DestinationType] as AnyDestinationModule;
}

/**
 * The destination for a config, not yet connected.
 * @example
 * const destination = createDestination({ type: 'duckdb', id: 'sandbox', path: ':memory:', schema: 'knock' });
 * await destination.connect();
 * try { await destination.ensureSchema(); } finally { await destination.close(); }
 */
export function createDestination(config: DestinationConfig): Destination {
  return destinationModule(config.type).create(config);
}

/**
 * The script a customer runs, as an administrator, to give Ferry a least-privilege login: it can
 * create and own the tables of its own schema (and its staging tables) and nothing else.
 * @throws SetupSqlError when an option the warehouse needs is missing
 */
export function setupSql(type: DestinationType, options: SetupSqlOptions): string {
  return destinationModule(type).setupSql(options);
}
