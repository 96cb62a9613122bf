/** What a customer's setup script creates and grants for Ferry. Names are as the customer writes them; each warehouse folds them. */
export interface SetupSqlOptions {
  /** The login Ferry uses: a user, or on BigQuery a service account's email. */
  readonly user: string;
  /** The schema (BigQuery: dataset) Ferry writes to. */
  readonly schema: string;
  /** The database holding the schema (Postgres, Redshift, Snowflake). */
  readonly database?: string;
  /** Snowflake: the virtual warehouse Ferry runs on, created small and auto-suspending. */
  readonly warehouse?: string;
  /** Snowflake: the role holding Ferry's grants. */
  readonly role?: string;
  /** BigQuery: the project holding the dataset. */
  readonly project?: string;
  /** BigQuery: where the dataset lives. */
  readonly location?: string;
}

/** A setup option the chosen warehouse needs was not given. */
export class SetupSqlError extends Error {
  override readonly name = 'SetupSqlError';
}

/** The option's value, or a SetupSqlError naming the flag that gives it. */
export function required(options: SetupSqlOptions, option: 'database' | 'project', type: string): string {
  const value = options[option];
  if (!value)
    throw new SetupSqlError(`${type} setup SQL needs --${option}: the ${option} that holds Ferry's ${type === 'bigquery' ? 'dataset' : 'schema'}`);
  return value;
}
