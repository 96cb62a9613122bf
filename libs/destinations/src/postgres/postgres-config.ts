import type { Via } from '../destination-module.ts';

/**
 * A Postgres destination. Give either `url` or the parts; `url` wins where both are given.
 * @example
 * { type: 'postgres', id: 'acme', url: 'postgres://ferry:secret@db.acme.com:5432/analytics?sslmode=require', schema: 'knock' }
 */
export interface PostgresDestinationConfig {
  readonly type: 'postgres';
  /** Names the destination in every error and log line. */
  readonly id: string;
  /**
   * `postgres://user:password@host:port/database`, with libpq-style options such as `?sslmode=require`.
   * `password`, when given, is used where the url has none.
   */
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** The schema Ferry writes to; created by `ensureSchema` when missing. */
  readonly schema: string;
  /** How long to wait for the connection before failing; default 30. */
  readonly connectTimeoutSeconds?: number;
  /**
   * Connect here instead of the warehouse's own host and port: the local end of an SSH tunnel.
   * Messages still name the warehouse's address, and `through` (the bastion) as the way to it.
   */
  readonly via?: Via;
}
