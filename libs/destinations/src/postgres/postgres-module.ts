import { POSTGRES_DEFAULT_PORT } from '@ferry/connections';
import type { DestinationModule } from '../destination-module.ts';
import { pgWireModule } from './pg-wire-module.ts';
import { postgresCapabilities } from './postgres-capabilities.ts';
import { PostgresDestination } from './postgres-destination.ts';
import { postgresSetupSql } from './postgres-setup-sql.ts';

/** PostgreSQL 14 or later, by URL, directly or through an SSH bastion. */
export const postgresModule = {
  ...pgWireModule('postgres', POSTGRES_DEFAULT_PORT),
  capabilities: postgresCapabilities,
  setupSql: postgresSetupSql,
  create: (config) => new PostgresDestination(config),
} satisfies DestinationModule<
  'postgres',
  ReturnType<typeof pgWireModule>['fields'],
  ReturnType<ReturnType<typeof pgWireModule<'postgres'>>['config']>
>;
