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
  // The names go into shell commands and SQL literals: only their documented characters pass.
  if (!/^[a-z0-9][a-z0-9.:-]*$/.test(project)) {
    throw new SetupSqlError(`--project "${project}" is not a Google Cloud project id: lower-case letters, digits and hyphens`);
  }
  if (!/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/.test(options.user)) {
    throw new SetupSqlError(`bigquery setup SQL needs --user to be a service account's email, e.g. ferry@${project}.iam.gserviceaccount.com`);
  }
  if (options.location !== undefined && !/^[A-Za-z0-9-]+$/.test(options.location)) {
    throw new SetupSqlError(`--location "${options.location}" is not a BigQuery location, e.g. US, EU or europe-west3`);
  }
  const dataset = `${dialect.quoteIdentifier(project)}.${dialect.quoteIdentifier(dialect.foldIdentifier(options.schema))}`;
  const member = `serviceAccount:${options.user}`;
  const location = options.location ?? 'US';
  return `-- Ferry's access to BigQuery, for the service account ${options.user}.
-- First, as a project owner (not SQL: the job user role is granted on the project):
--   gcloud iam service-accounts create ${options.user.split('@')[0]} --project ${project}
--   gcloud projects add-iam-policy-binding ${project} --member '${member}' --role roles/bigquery.jobUser
-- Then run this in the BigQuery console. Ferry's own dataset: it creates, alters and drops only the tables it syncs there.
CREATE SCHEMA IF NOT EXISTS ${dataset} OPTIONS (location = '${location}');
GRANT \`roles/bigquery.dataEditor\` ON SCHEMA ${dataset} TO "${member}";
-- Readers of the synced tables (replace the group with your own):
-- GRANT \`roles/bigquery.dataViewer\` ON SCHEMA ${dataset} TO "group:analysts@example.com";
`;
}
