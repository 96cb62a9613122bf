const REDACTED = '***';

/** The user info of a URL, as written: where it ends, the user, and the password if any. */
export interface UserInfo {
  /** Index in the URL where the user info starts (after `//`). */
  readonly start: number;
  /** Index of the `@` that ends it. */
  readonly end: number;
  readonly user: string;
  readonly password: string | undefined;
  /** pg reads part of the credentials as the host, port, database or query (see userInfoOf). */
  readonly misread: boolean;
}

/**
 * The user info of `url`, or undefined when it has none.
 *
 * pg reads a URL as browsers do: the user info ends at the last `@` before the first `/`, `?` or
 * `#`. A password with one of those unencoded (`postgres://u:Url@Pw/SECRET:42@host/db`) ends it
 * early: pg then takes the rest of the password for the host and the database. So where an `@`
 * comes after that point in a place only credentials can hold one (the path, the fragment, a query
 * parameter's name), or the URL does not parse at all, the user info runs to the LAST `@`. An `@`
 * in a query parameter's value (`application_name=a@b`) is taken as part of that value.
 */
export function userInfoOf(url: string): UserInfo | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (scheme === null) return undefined;
  const start = scheme[0].length;
  const rest = url.slice(start);
  const authorityLength = rest.search(/[/?#]/);
  const authority = authorityLength === -1 ? rest : rest.slice(0, authorityLength);
  const misread = authority.length < rest.length && rest.lastIndexOf('@') >= authority.length && holdsCredentials(url);
  const at = misread ? rest.lastIndexOf('@') : authority.lastIndexOf('@');
  if (at === -1) return undefined;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  return {
    start,
    end: start + at,
    user: colon === -1 ? userInfo : userInfo.slice(0, colon),
    password: colon === -1 ? undefined : userInfo.slice(colon + 1),
    misread,
  };
}

/** Whether the `@` after the authority of `url` can only belong to its credentials (see userInfoOf). */
function holdsCredentials(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // pg cannot read it either; all up to the last @ may be a password.
    return true;
  }
  return parsed.pathname.includes('@') || parsed.hash.includes('@') || [...parsed.searchParams.keys()].some((name) => name.includes('@'));
}

/** Query parameters pg reads as passwords (`password`, `sslpassword`), as written. */
const PASSWORD_PARAMETER = /([?&][^=&#]*password[^=&#]*=)([^&#]*)/gi;

/**
 * The URL with its password (everything between the user's `:` and the end of the user info: see
 * userInfoOf) and any `password`-like query parameter, which pg also reads, replaced by `***`:
 * safe to put in messages and logs. The rest is kept as written.
 */
export function redactUrl(url: string): string {
  const info = userInfoOf(url);
  const afterUserInfo = info?.end ?? 0;
  const head = info?.password === undefined ? url.slice(0, afterUserInfo) : `${url.slice(0, info.start)}${info.user}:${REDACTED}`;
  return head + url.slice(afterUserInfo).replace(PASSWORD_PARAMETER, `$1${REDACTED}`);
}

/**
 * `text` (a driver's message, say) with every secret of `url` replaced by `***`, in case the
 * driver echoed one: the password as written and decoded, and password query parameters. When pg
 * misreads the URL (see userInfoOf), the host, port and database it connects to are pieces of the
 * password, which its messages name one by one: each piece is replaced too.
 */
export function scrubSecrets(text: string, url: string): string {
  const info = userInfoOf(url);
  const query =
    url
      .slice(info?.end ?? 0)
      .split('#')[0]
      ?.split('?')
      .slice(1)
      .join('?') ?? '';
  const secrets = [
    ...(info?.password ? [info.password, decoded(info.password)] : []),
    // As written, and as pg reads it (decoded, + as a space).
    ...[...query.matchAll(/(?:^|&)[^=&]*password[^=&]*=([^&]*)/gi)].map(([, value = '']) => value),
    ...[...new URLSearchParams(query)].filter(([name]) => /password/i.test(name)).map(([, value]) => value),
  ].filter((secret) => secret.length > 0);
  // Longest first, so a secret containing another is replaced whole.
  let scrubbed = [...new Set(secrets)].sort((a, b) => b.length - a.length).reduce((t, secret) => t.split(secret).join(REDACTED), text);
  if (info?.misread && info.password !== undefined) {
    const pieces = info.password.split(/[@/?#:]/).flatMap((piece) => [piece, decoded(piece)]);
    for (const piece of new Set(pieces.filter((p) => p.length > 0))) {
      // Only where it stands alone: a piece such as 42 must not mangle the port 5432.
      scrubbed = scrubbed.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(piece)}(?![A-Za-z0-9])`, 'g'), REDACTED);
    }
  }
  return scrubbed;
}

/** Percent-decoded; a stray % is not an escape (pg reads it as itself). */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
