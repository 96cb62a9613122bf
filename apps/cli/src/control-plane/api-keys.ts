import type { ApiKeyRecord, ControlPlaneStore } from '@ferry/state';
import { randomId, randomSecret, sha256Hex, tokenMatches } from './tokens.ts';

/** `ferry_<id>_<secret>`: the id finds the stored hash without a scan; only the hash is kept. */
const KEY_FORMAT = /^ferry_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** A new API key: the record to store, and the key to show once. */
export function newApiKey(name: string): { record: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>; key: string } {
  const id = randomId();
  const key = `ferry_${id}_${randomSecret()}`;
  return { record: { id, name, hash: sha256Hex(key) }, key };
}

/** The key's record when `key` is a valid, unrevoked API key; undefined otherwise (never says which part failed). */
export async function authenticate(store: ControlPlaneStore, key: string): Promise<ApiKeyRecord | undefined> {
  const match = KEY_FORMAT.exec(key);
  if (!match) return undefined;
  const record = await store.getApiKey(match[1] as string);
  if (!record || record.revokedAt !== null) return undefined;
  return tokenMatches(key, record.hash) ? record : undefined;
}

/** How the audit log names what an API key did: `api-key:<id> (<name>)`. */
export function apiKeyActor(key: Pick<ApiKeyRecord, 'id' | 'name'>): string {
  return `api-key:${key.id} (${key.name})`;
}
