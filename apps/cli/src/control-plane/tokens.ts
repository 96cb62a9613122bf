import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens of the control plane (API keys, magic links, status pages): a public id that
 * finds the stored record, and 256 random bits. Only a SHA-256 of the whole token is stored; a
 * fast hash is enough for that much randomness, no password stretching needed.
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function randomId(): string {
  return randomBytes(6).toString('hex');
}

export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `token` hashes to `hash`, compared in constant time. */
export function tokenMatches(token: string, hash: string): boolean {
  const given = Buffer.from(sha256Hex(token), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
