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

/**
 * Masks every registered secret, and, for secrets Ferry never saw, passwords inside connection
 * URLs (`postgres://user:secret@host`) and `password=...` pairs.
 */
export function redactSecrets(text: string): string {
  let redacted = text;
  // Longest first, so a secret containing another is masked whole.
  for (const secret of [...known].sort((a, b) => b.length - a.length)) redacted = redacted.replaceAll(secret, '***');
  return redacted
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/(password\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi, '$1***');
}
