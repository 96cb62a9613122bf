import { POSTGRES_DEFAULT_PORT, REDSHIFT_DEFAULT_PORT } from '@ferry/connections';
import type pg from 'pg';
import { parse } from 'pg-connection-string';
import type { PostgresDestinationConfig } from './postgres-config.ts';
import type { PostgresTarget } from './postgres-errors.ts';

/** How to connect (for pg), where to (for messages) and what must never appear in a message. */
export interface PostgresConnection {
  readonly clientConfig: pg.ClientConfig;
  readonly target: PostgresTarget;
  /** The password, when there is one, to scrub from any text Ferry shows. */
  readonly password: string | undefined;
}

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;

/**
 * Reads a destination's connection settings.
 * @param product the warehouse's name in messages (Postgres, Redshift)
 * @throws Error when `url` is not a Postgres URL; the message never repeats the URL, which may hold a password.
 */
export function postgresConnection(config: Omit<PostgresDestinationConfig, 'type'>, product = 'Postgres'): PostgresConnection {
  const defaultPort = product === 'Redshift' ? REDSHIFT_DEFAULT_PORT : POSTGRES_DEFAULT_PORT;
  const url = config.url === undefined ? undefined : parseUrl(config.url);
  const password = url?.password ? decodeURIComponent(url.password) : config.password;
  const user = url?.username ? decodeURIComponent(url.username) : config.user;
  const target: PostgresTarget = {
    product,
    host: (url ? decodeURIComponent(url.hostname) : config.host) || 'localhost',
    port: Number(url?.port || config.port || defaultPort),
    user: user ?? '(the default user)',
    // Postgres connects to the database named after the user when none is given.
    database: (url ? decodeURIComponent(url.pathname.slice(1)) : config.database) || user || '(the default database)',
    schema: config.schema,
    connectTimeoutSeconds: config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    ...(config.via ? { through: config.via.through } : {}),
  };
  const connection: pg.ClientConfig = url
    ? tunnelTls({ connectionString: connectionString(url, defaultPort, password, config.via) }, config.via && target.host)
    : {
        host: config.via?.host ?? config.host,
        port: config.via?.port ?? config.port ?? defaultPort,
        user: config.user,
        password: config.password,
        database: config.database,
      };
  return {
    target,
    password: password || undefined,
    clientConfig: {
      ...connection,
      application_name: 'ferry',
      connectionTimeoutMillis: target.connectTimeoutSeconds * 1000,
      // Long loads through firewalls and bastions: keep-alives stop idle-timeout disconnects.
      keepAlive: true,
    },
  };
}

/**
 * Through a tunnel pg connects to 127.0.0.1, so it would check the warehouse's TLS certificate
 * against that address and refuse it: the TLS options name the warehouse's own host instead
 * (pg lets a connection string's ssl settings win over separate ones, so they are parsed here).
 */
function tunnelTls(config: { connectionString: string }, warehouseHost: string | undefined): pg.ClientConfig {
  if (warehouseHost === undefined) return config;
  const { ssl } = parse(config.connectionString);
  if (!ssl) return config;
  const url = new URL(config.connectionString);
  for (const option of ['sslmode', 'ssl', 'sslcert', 'sslkey', 'sslrootcert']) url.searchParams.delete(option);
  const { cert, ...options } = typeof ssl === 'object' ? ssl : {};
  return { connectionString: url.toString(), ssl: { ...options, ...(cert ? { cert } : {}), servername: warehouseHost } };
}

/**
 * The URL pg connects with: the warehouse's default port when it names none (pg would take 5432
 * even for Redshift), the separately given password where it has none, and the tunnel's local
 * end instead of the host. pg lets a connection string's parts win over separate settings, so
 * they go into the URL.
 */
function connectionString(url: URL, defaultPort: number, password: string | undefined, via: PostgresDestinationConfig['via']): string {
  const copy = new URL(url.toString());
  if (!copy.port && defaultPort !== POSTGRES_DEFAULT_PORT) copy.port = String(defaultPort);
  if (!copy.password && password) copy.password = encodeURIComponent(password);
  if (via) {
    copy.hostname = via.host;
    copy.port = String(via.port);
  }
  return copy.toString();
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('the url is not a valid URL: expected postgres://user:password@host:port/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`the url starts with ${url.protocol}// : expected postgres://user:password@host:port/database`);
  }
  return url;
}
