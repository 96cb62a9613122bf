import type pg from 'pg';
import { parse } from 'pg-connection-string';

/** Where the Postgres source lives: a connection URL, or pg's own pool settings. */
export type PostgresSourceConfig = { readonly url: string } | pg.PoolConfig;

/** Without a limit an unreachable host waits out the operating system's TCP timeout (minutes). */
const CONNECT_TIMEOUT_MS = 30_000;

/** pg pool settings for a source config. */
export function poolConfig(config: PostgresSourceConfig): pg.PoolConfig {
  const settings = 'url' in config ? { connectionString: config.url } : config;
  return { connectionTimeoutMillis: CONNECT_TIMEOUT_MS, ...settings };
}

/** The parts of a connection users recognise, for messages: never the password. */
export interface PostgresTarget {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
  /** Kept only to scrub it from driver messages. */
  readonly password?: string;
}

/** Host, port, database and user as pg resolves them (explicit settings, then PG* variables, then defaults). */
export function postgresTarget(config: PostgresSourceConfig): PostgresTarget {
  const settings = 'url' in config ? parse(config.url) : config.connectionString ? parse(config.connectionString) : config;
  const password = typeof settings.password === 'string' ? settings.password : undefined;
  const user = settings.user ?? process.env.PGUSER ?? process.env.USER ?? 'postgres';
  return {
    host: settings.host ?? process.env.PGHOST ?? 'localhost',
    port: String(settings.port ?? process.env.PGPORT ?? 5432),
    database: settings.database ?? process.env.PGDATABASE ?? user,
    user,
    ...(password ? { password } : {}),
  };
}
