import { REDSHIFT_DEFAULT_PORT } from '@ferry/connections';
import type { DestinationModule } from '../destination-module.ts';
import { pgWireModule } from '../postgres/pg-wire-module.ts';
import { redshiftCapabilities } from './redshift-capabilities.ts';
import { RedshiftDestination } from './redshift-destination.ts';
import { redshiftSetupSql } from './redshift-setup-sql.ts';

/** Amazon Redshift over the Postgres wire protocol, by URL, directly or through an SSH bastion. */
export const redshiftModule = {
  ...pgWireModule('redshift', REDSHIFT_DEFAULT_PORT),
  capabilities: redshiftCapabilities,
  setupSql: redshiftSetupSql,
  create: (config) => new RedshiftDestination(config),
} satisfies DestinationModule<
  'redshift',
  ReturnType<typeof pgWireModule>['fields'],
  ReturnType<ReturnType<typeof pgWireModule<'redshift'>>['config']>
>;
