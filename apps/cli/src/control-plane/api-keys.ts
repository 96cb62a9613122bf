import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, ControlPlaneStore } from '@ferry/state';

/** `ferry_<id>_<secret>`: the id finds the stored hash without a scan; only the hash is kept. */
const KEY_FORMAT = /^ferry_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function hashApiKey(key: string): string {
  // A key is 256 random bits: a fast hash is enough, no password stretching needed.
  return createHash('sha256').update(key).digest('hex');
}

/** A new API key: the record to store, and the key to show once. */
export function newApiKey(name: string): { record: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>; key: string } {
  const id = randomBytes(6).toString('hex');
  const key = `ferry_${id}_${randomBytes(32).toString('base64url')}`;
  return { record: { id, name, hash: hashApiKey(key) }, key };
}

/** The key's record when `key` is a valid, unrevoked API key; undefined otherwise (never says which part failed). */
export async function authenticate(store: ControlPlaneStore, key: string): Promise<ApiKeyRecord | undefined> {
  const match = KEY_FORMAT.exec(key);
  if (!match) return undefined;
  const record = await store.getApiKey(match[1] as string);
  if (!record || record.revokedAt !== null) return undefined;
  const given = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored) ? record : undefined;
}
