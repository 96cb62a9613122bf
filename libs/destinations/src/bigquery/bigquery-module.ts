import { dialectFor } from '@ferry/dialects';
import { z } from 'zod';
import type { DestinationModule } from '../destination-module.ts';
import { bigqueryCapabilities } from './bigquery-capabilities.ts';
import type { BigQueryDestinationConfig } from './bigquery-config.ts';
import { BigQueryDestination } from './bigquery-destination.ts';
import { bigquerySetupSql } from './bigquery-setup-sql.ts';

const fields = {
  project: z.string().min(1, 'the Google Cloud project id'),
  dataset: z.string().min(1).default('ferry'),
  location: z.string().min(1).optional(),
  key_file: z.string().min(1).optional(),
};

/** Google BigQuery: one dataset in one project, over HTTPS. */
export const bigqueryModule = {
  type: 'bigquery',
  dialect: dialectFor('bigquery'),
  capabilities: bigqueryCapabilities,
  reach: { sshTunnel: false },
  fields,
  schemaField: 'dataset',
  fileFields: ['key_file'],
  config: (entry) => ({
    type: 'bigquery',
    id: entry.id,
    projectId: entry.project,
    dataset: entry.dataset,
    ...(entry.location ? { location: entry.location } : {}),
    ...(entry.key_file ? { keyFilename: entry.key_file } : {}),
  }),
  address: () => ({ kind: 'network', host: 'bigquery.googleapis.com', port: 443, timeout: { seconds: 30 } }),
  // Dataset ids are case-sensitive: no folding.
  place: (entry) => `bigquery ${entry.project} dataset ${entry.dataset}`,
  tls: async () => 'HTTPS',
  setupSql: bigquerySetupSql,
  create: (config) => new BigQueryDestination(config),
} satisfies DestinationModule<'bigquery', typeof fields, BigQueryDestinationConfig>;
