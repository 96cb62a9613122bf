const REDACTED = '***';

/**
 * The URL with its password (and any `password`-like query parameter, which pg also reads)
 * replaced by `***`: safe to put in messages and logs.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparseable, so no telling where a password would end: drop all the user info.
    return url.replace(/\/\/[^/]*@/, `//${REDACTED}@`);
  }
  if (parsed.password) parsed.password = REDACTED;
  for (const name of [...parsed.searchParams.keys()]) {
    if (/password/i.test(name)) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString();
}

/**
 * `text` (a driver's message, say) with every secret of `url` replaced by `***`, in case the
 * driver echoed one.
 */
export function scrubSecrets(text: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  const secrets = [
    decodeURIComponent(parsed.password),
    ...[...parsed.searchParams].filter(([name]) => /password/i.test(name)).map(([, value]) => value),
  ].filter((secret) => secret.length > 0);
  return secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join(REDACTED), text);
}
