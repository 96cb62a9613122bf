import { onePassword, POSTGRES_DEFAULT_PORT, postgresAddress, postgresConnectionFields } from '@ferry/connections';
import type { SourceModule } from '../source-module.ts';

/** TLS required by the url itself (libpq's sslmode, or pg's ssl flag). */
const REQUIRES_TLS = /[?&](sslmode=(require|verify-ca|verify-full)|ssl=(true|1))\b/;

/** A Postgres source (dbt-postgres), by URL, directly or through an SSH bastion. */
export const postgresSourceModule = {
  type: 'postgres',
  reach: { sshTunnel: true },
  fields: postgresConnectionFields,
  refine: onePassword,
  fileFields: [],
  config: (entry, via) => ({
    type: 'postgres',
    url: entry.url,
    connectTimeoutSeconds: entry.connect_timeout,
    ...(entry.password !== undefined ? { password: entry.password } : {}),
    ...(via ? { via } : {}),
  }),
  address: (entry) => postgresAddress(entry, POSTGRES_DEFAULT_PORT, 'source.connect_timeout'),
  loggedIn: () => 'logged in',
  tls: (entry) =>
    REQUIRES_TLS.test(entry.url)
      ? `the url requires TLS (${/(sslmode|ssl)=([a-z0-9-]+)/.exec(entry.url)?.[0]})`
      : { warn: 'the url does not require TLS: add ?sslmode=require (or verify-full) unless the network between Ferry and the source is private' },
} satisfies SourceModule<'postgres', typeof postgresConnectionFields>;
