import type pg from 'pg';
import { parse } from 'pg-connection-string';

/** A source reached by URL, as ferry.yaml configures it. */
export interface PostgresSourceUrl {
  readonly url: string;
  /** Used where the url has no password. */
  readonly password?: string;
  /** How long to wait for a connection before failing; default 30. */
  readonly connectTimeoutSeconds?: number;
  /**
   * Connect here instead of the url's host and port: the local end of an SSH tunnel. Messages
   * still name the url's host, and `through` as the way to it.
   */
  readonly via?: { readonly host: string; readonly port: number; readonly through: string };
}

/**
 * The TLS options of `url` with the certificate checked against `host`, and the ssl options taken
 * out of `url` (pg lets a connection string's ssl settings win over separate ones).
 */
function tunnelTls(url: URL, host: string): pg.PoolConfig['ssl'] {
  const { ssl } = parse(url.toString());
  for (const option of ['sslmode', 'ssl', 'sslcert', 'sslkey', 'sslrootcert']) url.searchParams.delete(option);
  if (!ssl) return undefined;
  const { cert, ...options } = typeof ssl === 'object' ? ssl : {};
  return { ...options, ...(cert ? { cert } : {}), servername: host };
}

/** Where the Postgres source lives: a connection URL, or pg's own pool settings. */
export type PostgresSourceConfig = PostgresSourceUrl | pg.PoolConfig;

/** Without a limit an unreachable host waits out the operating system's TCP timeout (minutes). */
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;

/** pg pool settings for a source config. */
export function poolConfig(config: PostgresSourceConfig): pg.PoolConfig {
  if (!('url' in config)) return { connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_SECONDS * 1000, ...config };
  // pg lets a connection string's parts win over separate settings, so the overrides go into the URL.
  const url = new URL(config.url);
  if (!url.password && config.password) url.password = encodeURIComponent(config.password);
  let ssl: pg.PoolConfig['ssl'];
  if (config.via) {
    // pg would check the source's TLS certificate against the tunnel's 127.0.0.1 and refuse it.
    ssl = tunnelTls(url, decodeURIComponent(url.hostname));
    url.hostname = config.via.host;
    url.port = String(config.via.port);
  }
  return {
    connectionString: url.toString(),
    ...(ssl ? { ssl } : {}),
    connectionTimeoutMillis: (config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000,
    // Long reads through firewalls and bastions: keep-alives stop idle-timeout disconnects.
    keepAlive: true,
  };
}

/** The parts of a connection users recognise, for messages: never the password. */
export interface PostgresTarget {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
  /** Kept only to scrub it from driver messages. */
  readonly password?: string;
  /** The connect timeout, named when a connection attempt runs out of it. */
  readonly connectTimeoutSeconds: number;
  /** How the source is reached when not directly, e.g. `SSH bastion ferry@bastion.acme.com:22`. */
  readonly through?: string;
}

/** Host, port, database and user as pg resolves them (explicit settings, then PG* variables, then defaults). */
export function postgresTarget(config: PostgresSourceConfig): PostgresTarget {
  const settings = 'url' in config ? parse(config.url) : config.connectionString ? parse(config.connectionString) : config;
  const password = (typeof settings.password === 'string' && settings.password) || ('url' in config ? config.password : undefined);
  const timeoutMs =
    'url' in config
      ? (config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000
      : (config.connectionTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_SECONDS * 1000);
  const user = settings.user ?? process.env.PGUSER ?? process.env.USER ?? 'postgres';
  return {
    host: settings.host ?? process.env.PGHOST ?? 'localhost',
    port: String(settings.port ?? process.env.PGPORT ?? 5432),
    database: settings.database ?? process.env.PGDATABASE ?? user,
    user,
    ...(password ? { password } : {}),
    connectTimeoutSeconds: timeoutMs / 1000,
    ...('url' in config && config.via ? { through: config.via.through } : {}),
  };
}
