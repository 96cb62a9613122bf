import { z } from 'zod';
import { seconds } from './seconds.ts';

/**
 * What is wrong with a postgres:// URL, or undefined when nothing is. Checked when ferry.yaml is
 * read: a URL that does not parse would otherwise fail only once a sync has started, naming no
 * field. The answer never quotes the URL, whose password may be in it; only the port number.
 */
export function postgresUrlProblem(url: string): string | undefined {
  if (!/^postgres(ql)?:\/\//.test(url)) return 'must be a postgres:// URL, e.g. postgres://user@host:5432/db (the password in `password`)';
  const invalid = (why: string) => `not a valid postgres URL (${why})`;
  let parsed: URL;
  try {
    // pg reads `user:password@/db` (no host) as the default host; URL needs one to parse it.
    parsed = new URL(url.replace('@/', '@localhost/'));
  } catch {
    const afterScheme = url.slice(url.indexOf('://') + 3);
    const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
    // A / ? or # in the password ends the host part early, so the real host comes after it.
    if (afterScheme.slice(authority.length).includes('@')) {
      return invalid('a / ? or # in the user name or password: write them as %2F, %3F and %23, or put the password in `password`');
    }
    const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
    const port = /^(?:\[[^\]]*\]|[^:[\]]*):(.*)$/.exec(hostAndPort)?.[1];
    if (port !== undefined && /^\d+$/.test(port) && Number(port) > 65535) return invalid(`port ${port} is out of range: use 1 to 65535`);
    if (port !== undefined && !/^\d*$/.test(port)) return invalid('the port is not a number');
    return invalid('check the host: expected postgres://user@host:5432/database');
  }
  if (parsed.port === '0') return invalid('port 0 is out of range: use 1 to 65535');
  const parts = { 'user name': parsed.username, password: parsed.password, host: parsed.hostname, database: parsed.pathname, query: parsed.search };
  for (const [part, text] of Object.entries(parts)) {
    try {
      decodeURIComponent(text);
    } catch {
      // A % starts an escape such as %40 (@): pg reads a stray one as itself, other URL readers (Ferry's redaction among them) throw.
      return invalid(
        `a % in the ${part} not followed by two hex digits: write a literal % as %25${part === 'password' ? ', or put the password in `password`' : ''}`,
      );
    }
  }
  return undefined;
}

/** A host and port to reach, and how long to wait for an answer there. */
export interface NetworkAddress {
  readonly kind: 'network';
  readonly host: string;
  readonly port: number;
  /** How long to wait, and the ferry.yaml field that sets it (named in the error). */
  readonly timeout: { readonly seconds: number; readonly setting?: string };
}

/** The port of a postgres:// URL that names none. */
export const POSTGRES_DEFAULT_PORT = 5432;

/** A postgres:// URL, checked when ferry.yaml is read (see postgresUrlProblem). */
export const postgresUrl = z.string().superRefine((url, context) => {
  const problem = postgresUrlProblem(url);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** ferry.yaml's fields for a warehouse reached over the Postgres wire protocol (Postgres, Redshift, a Postgres source). */
export const postgresConnectionFields = {
  url: postgresUrl,
  /** Used where the url has none: keeps a secret out of the URL. */
  password: z.string().min(1).optional(),
  connect_timeout: seconds('connect_timeout', 600).default(30),
};

/** The port of a Redshift cluster's URL that names none. */
export const REDSHIFT_DEFAULT_PORT = 5439;

/** A password in the url and another in `password` would leave which one is used to chance. */
export const onePassword = {
  check: (entry: { readonly url: string; readonly password?: string | undefined }): boolean =>
    entry.password === undefined || !/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(entry.url),
  message: 'the url has a password and `password` is set too: keep one',
  path: ['password'],
} as const;

/**
 * The host and port of a postgres:// URL (`defaultPort` where it names none), waited for as
 * long as `connect_timeout` says.
 * @param setting the ferry.yaml field holding the timeout, named when nothing answers
 */
export function postgresAddress(
  entry: { readonly url: string; readonly connect_timeout: number },
  defaultPort: number,
  setting = 'connect_timeout',
): NetworkAddress {
  const parsed = new URL(entry.url.replace('@/', '@localhost/'));
  return {
    kind: 'network',
    host: decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: Number(parsed.port || defaultPort),
    timeout: { seconds: entry.connect_timeout, setting },
  };
}

/**
 * host:port/database of a postgres:// URL, without its credentials (an unparsable one is itself);
 * undefined for a URL whose password holds an unencoded / (it parses, with part of the password
 * as its path: the config check refuses it, naming the fix, once secrets are resolved).
 */
export function postgresServer(url: string, defaultPort: number): string | undefined {
  const afterScheme = url.slice(url.indexOf('://') + 3);
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
  if ((afterScheme.slice(authority.length).split(/[?#]/, 1)[0] ?? '').includes('@')) return undefined;
  try {
    const parsed = new URL(url.replace('@/', '@localhost/'));
    return `${parsed.hostname.toLowerCase() || 'localhost'}:${parsed.port || defaultPort}${decodeURIComponent(parsed.pathname)}`;
  } catch {
    return url; // the config schema reports a URL that does not parse, naming its field
  }
}
