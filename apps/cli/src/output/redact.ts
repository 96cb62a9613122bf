import { userInfoOf } from '@ferry/state';
/**
 * Every secret this process has read (passwords, passphrases, private keys, values of
 * `${secret:name}` references), in the forms it can take in text: as is, inside a URL, inside a
 * JSON string. Everything Ferry prints, logs or records as an error passes through
 * `redactSecrets`, whoever produced the text (a driver may echo its connection string).
 */
const known = new Set<string>();

/**
 * Secrets shorter than this are not masked: masking a three-letter password would mask that word
 * in every message. Such a password is no protection anyway.
 */
const SHORTEST_MASKED = 4;

/** Masks `secret` in all text redactSecrets sees from now on. */
export function registerSecret(secret: string): void {
  if (secret.length < SHORTEST_MASKED) return;
  known.add(secret);
  known.add(encodeURIComponent(secret));
  // As a JSON string, and as a JSON string inside a JSON string (an error quoting a JSON body, logged as JSON), and so on.
  let escaped = secret;
  for (let depth = 0; depth < 3; depth += 1) {
    escaped = JSON.stringify(escaped).slice(1, -1);
    known.add(escaped);
  }
  // A multi-line secret (a private key) is masked line by line too: a message may quote one line.
  for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 16) known.add(line.trim());
}

/** A URL in text: its scheme, then everything up to white space or a quote that ends a (JSON) string. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/(?:\\"|[^\s"])+/gi;

/** A query parameter that pg (and libpq) read as a password: `?password=`, `&sslpassword=`. */
const PASSWORD_PARAMETER = /([?&][^=&#\s"]*password=)[^&#\s"]*/gi;

/**
 * A libpq key/value connection string's password (`host=db password=s3cret`, `password='a b'`):
 * the key ends in "password" and is followed by `=`. A field path followed by a colon
 * (`destinations[0].password: …`) is not one: that colon starts a message about the field. An
 * unquoted value ends at white space or at a quote that ends a (JSON) string.
 */
const PASSWORD_SETTING = /(?<![\w?&])(\w*password\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|(?:\\"|[^\s"])+)/gi;

/**
 * Masks every registered secret, and, for secrets Ferry never saw, the credentials of URLs
 * (`postgres://user:***@host`, the user kept) and password settings of connection strings. Words
 * that merely follow a field's name are left alone: only known values and these unambiguous forms
 * are masked.
 */
export function redactSecrets(text: string): string {
  let redacted = text;
  // Longest first, so a secret containing another is masked whole.
  for (const secret of [...known].sort((a, b) => b.length - a.length)) redacted = redacted.replaceAll(secret, '***');
  return redacted.replace(URL_IN_TEXT, maskUrlPassword).replace(PASSWORD_PARAMETER, '$1***').replace(PASSWORD_SETTING, '$1***');
}

/** `url` with everything after the user's `:` up to the end of the user info masked. */
function maskUrlPassword(url: string): string {
  const info = userInfoOf(url);
  if (info?.password === undefined) return url;
  return `${url.slice(0, info.start)}${info.user}:***${url.slice(info.end)}`;
}
