import type { Destination } from '../destination.ts';
import type { Via } from '../destination-module.ts';

/**
 * Whether the session to a Postgres-protocol warehouse is encrypted, as the server sees it.
 * Redshift has no pg_stat_ssl; there the answer is a warning that it could not be told.
 */
export async function postgresSessionTls(destination: Destination, via: Via | undefined): Promise<string | { warn: string }> {
  let ssl: string | null | undefined;
  try {
    ssl = (await destination.query('SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()'))[0]?.[0];
  } catch {
    return { warn: 'could not tell whether the session is encrypted (no pg_stat_ssl); put ?sslmode=require in the url to insist on TLS' };
  }
  if (ssl === 'true') return 'the session is encrypted (TLS)';
  const hop = via ? `the SSH tunnel encrypts the way to the bastion, but not from the bastion to the warehouse: ` : '';
  return { warn: `${hop}the session is not encrypted; enable TLS on the server and put ?sslmode=require (or verify-full) in the url` };
}
