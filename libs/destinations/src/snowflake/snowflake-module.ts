import { dialectFor } from '@ferry/dialects';
import { z } from 'zod';
import { schemaName } from '../config-fields.ts';
import type { DestinationModule } from '../destination-module.ts';
import { snowflakeCapabilities } from './snowflake-capabilities.ts';
import { snowflakeHost, type SnowflakeDestinationConfig } from './snowflake-config.ts';
import { SnowflakeDestination } from './snowflake-destination.ts';
import { snowflakeSetupSql } from './snowflake-setup-sql.ts';

const dialect = dialectFor('snowflake');
const fields = {
  schema: schemaName,
  account: z.string().min(1, 'the account identifier, e.g. xy12345.eu-central-1 or myorg-myaccount'),
  user: z.string().min(1),
  password: z.string().min(1, 'write it as ${ENV_VAR} or ${secret:name}'),
  database: z.string().min(1),
  warehouse: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
};

/** Snowflake, over HTTPS at `<account>.snowflakecomputing.com`. */
export const snowflakeModule = {
  type: 'snowflake',
  dialect,
  capabilities: snowflakeCapabilities,
  reach: { sshTunnel: false },
  fields,
  schemaField: 'schema',
  fileFields: [],
  config: ({ id, account, user, password, database, schema, warehouse, role }) => ({
    type: 'snowflake',
    id,
    account,
    user,
    password,
    database,
    schema,
    ...(warehouse ? { warehouse } : {}),
    ...(role ? { role } : {}),
  }),
  address: (entry) => ({ kind: 'network', host: snowflakeHost(entry), port: 443, timeout: { seconds: 30 } }),
  place: (entry) =>
    `snowflake ${entry.account.toLowerCase()} database ${dialect.foldIdentifier(entry.database)} schema ${dialect.foldIdentifier(entry.schema)}`,
  tls: async () => 'HTTPS',
  setupSql: snowflakeSetupSql,
  create: (config) => new SnowflakeDestination(config),
} satisfies DestinationModule<'snowflake', typeof fields, SnowflakeDestinationConfig>;
