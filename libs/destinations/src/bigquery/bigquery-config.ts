/**
 * A BigQuery destination: one dataset in one project.
 * @example
 * { type: 'bigquery', id: 'acme', projectId: 'acme-analytics', dataset: 'knock', location: 'EU',
 *   keyFilename: '/secrets/ferry-acme.json' }
 */
export interface BigQueryDestinationConfig {
  readonly type: 'bigquery';
  /** Names the destination in every error and log line. */
  readonly id: string;
  readonly projectId: string;
  /** The dataset Ferry writes to (BigQuery's schema); created by `ensureSchema` when missing. */
  readonly dataset: string;
  /** Where the dataset lives and its jobs run; default `US`. */
  readonly location?: string;
  /** A service-account key file; without it, Application Default Credentials. */
  readonly keyFilename?: string;
  /** The API root when not Google's (a private endpoint, or an emulator in tests). */
  readonly apiEndpoint?: string;
}
