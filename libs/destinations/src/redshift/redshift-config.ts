import type { PostgresDestinationConfig } from '../postgres/postgres-config.ts';

/**
 * A Redshift destination, reached with the Postgres wire protocol. Give either `url` or the parts.
 * @example
 * { type: 'redshift', id: 'acme', url: 'postgres://ferry:secret@acme.abc123.eu-west-1.redshift.amazonaws.com:5439/dev?sslmode=require', schema: 'knock' }
 */
export interface RedshiftDestinationConfig extends Omit<PostgresDestinationConfig, 'type'> {
  readonly type: 'redshift';
}
