import { dialectFor } from '@ferry/dialects';
import { required, SetupSqlError, type SetupSqlOptions } from '../setup-sql-options.ts';

/**
 * BigQuery: a service account that may edit Ferry's dataset and nothing else, and run jobs (load,
 * query, copy) in the project. The dataset grant is SQL (DCL); running jobs is a project IAM role,
 * which only gcloud or the console can grant, so the script says how.
 * @see https://cloud.google.com/bigquery/docs/access-control
 * @see https://cloud.google.com/bigquery/docs/reference/standard-sql/data-control-language
 */
export function bigquerySetupSql(options: SetupSqlOptions): string {
  const dialect = dialectFor('bigquery');
  const project = required(options, 'project', 'bigquery');
  if (!options.user.includes('@')) {
    throw new SetupSqlError(`bigquery setup SQL needs --user to be a service account's email, e.g. ferry@${project}.iam.gserviceaccount.com`);
  }
  const dataset = `${dialect.quoteIdentifier(project)}.${dialect.quoteIdentifier(dialect.foldIdentifier(options.schema))}`;
  const member = `serviceAccount:${options.user}`;
  const location = (options.location ?? 'US').replaceAll("'", '');
  return `-- Ferry's access to BigQuery, for the service account ${options.user}.
-- First, as a project owner (not SQL: the job user role is granted on the project):
--   gcloud iam service-accounts create ${options.user.split('@')[0]} --project ${project}
--   gcloud projects add-iam-policy-binding ${project} --member '${member}' --role roles/bigquery.jobUser
-- Then run this in the BigQuery console. Ferry's own dataset: it creates, alters and drops only the tables it syncs there.
CREATE SCHEMA IF NOT EXISTS ${dataset} OPTIONS (location = '${location}');
GRANT \`roles/bigquery.dataEditor\` ON SCHEMA ${dataset} TO "${member.replaceAll('"', '')}";
-- Readers of the synced tables (replace the group with your own):
-- GRANT \`roles/bigquery.dataViewer\` ON SCHEMA ${dataset} TO "group:analysts@example.com";
`;
}
