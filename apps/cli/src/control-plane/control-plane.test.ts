import { createHash } from 'node:crypto';
import type { ApiKeyRecord, ControlPlaneStore } from '@ferry/state';
import { describe, expect, it } from 'vitest';
import { SCHEDULES, type Schedule } from '../config/schema.ts';
import { authenticate, newApiKey } from './api-keys.ts';
import type { LoadedConfig } from '../config/load.ts';
import {
  checkManagedEntry,
  credentialPaths,
  deleteCredentials,
  sealCredentials,
  withCredentialReferences,
  withPasswordOutOfUrl,
  type CredentialVault,
} from './managed-destinations.ts';
import { isDue, nextRunAt, SCHEDULE_SECONDS } from './schedules.ts';

/**
 * The control plane's pure parts, with no service: when a schedule makes a destination due, what
 * an API key looks like and when it authenticates, and how a managed destination's credentials
 * leave its entry for the vault.
 */

/** Each schedule's interval, written out here so that a wrong table in schedules.ts fails. */
const INTERVAL_MS: Record<Schedule, number | null> = {
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  '6h': 6 * 60 * 60_000,
  '12h': 12 * 60 * 60_000,
  '24h': 24 * 60 * 60_000,
  manual: null,
};

const STARTED = new Date('2024-05-01T12:00:00.000Z');
/** Far enough after STARTED that any interval has passed. */
const MUCH_LATER = new Date('2034-05-01T12:00:00.000Z');

describe('schedules', () => {
  it('knows every schedule ferry.yaml accepts, and its interval', () => {
    expect(Object.keys(SCHEDULE_SECONDS).sort()).toEqual([...SCHEDULES].sort());
    for (const schedule of SCHEDULES) {
      const ms = INTERVAL_MS[schedule];
      expect(SCHEDULE_SECONDS[schedule], schedule).toBe(ms === null ? null : ms / 1000);
    }
  });

  describe.each(SCHEDULES.filter((s) => s !== 'manual'))('%s', (schedule) => {
    const interval = INTERVAL_MS[schedule]!;

    it('is due at once before its first transfer', () => {
      const first = { schedule, paused: false, lastStartedAt: null };
      expect(nextRunAt(first)!.getTime()).toBeLessThanOrEqual(STARTED.getTime());
      expect(isDue(first, STARTED)).toBe(true);
      expect(isDue(first, new Date(0))).toBe(true);
    });

    it('is due again exactly one interval after the last start, not a millisecond before', () => {
      const ran = { schedule, paused: false, lastStartedAt: STARTED };
      expect(nextRunAt(ran)).toEqual(new Date(STARTED.getTime() + interval));
      expect(isDue(ran, STARTED)).toBe(false);
      expect(isDue(ran, new Date(STARTED.getTime() + interval - 1))).toBe(false);
      expect(isDue(ran, new Date(STARTED.getTime() + interval))).toBe(true);
      expect(isDue(ran, new Date(STARTED.getTime() + interval + 1))).toBe(true);
      expect(isDue(ran, MUCH_LATER)).toBe(true);
    });

    it('is never due while paused, before or after a first transfer', () => {
      for (const lastStartedAt of [null, STARTED]) {
        const paused = { schedule, paused: true, lastStartedAt };
        expect(nextRunAt(paused)).toBeNull();
        expect(isDue(paused, MUCH_LATER)).toBe(false);
        expect(isDue(paused, new Date(STARTED.getTime() + interval))).toBe(false);
      }
    });
  });

  it('manual is never due, paused or not, run before or not', () => {
    for (const paused of [false, true]) {
      for (const lastStartedAt of [null, STARTED]) {
        const manual = { schedule: 'manual' as const, paused, lastStartedAt };
        expect(nextRunAt(manual)).toBeNull();
        expect(isDue(manual, STARTED)).toBe(false);
        expect(isDue(manual, MUCH_LATER)).toBe(false);
      }
    }
  });
});

/**
 * An API key store double: the one ControlPlaneStore method `authenticate` uses (getApiKey), over
 * a Map, recording each lookup. Any other method is missing, so a call to one fails the test.
 */
class InMemoryApiKeyStoreDouble {
  readonly keys = new Map<string, ApiKeyRecord>();
  readonly lookups: string[] = [];

  add(record: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>, revokedAt: Date | null = null): void {
    this.keys.set(record.id, { ...record, createdAt: STARTED, revokedAt });
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    this.lookups.push(id);
    return this.keys.get(id);
  }

  asStore(): ControlPlaneStore {
    return this as unknown as ControlPlaneStore;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('API keys', () => {
  it('newApiKey: ferry_<12 hex id>_<43 base64url>, stored as its SHA-256 only, different every time', () => {
    const { record, key } = newApiKey('ci pipeline');
    const match = /^ferry_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(key);
    expect(match, key).not.toBeNull();
    expect(record).toEqual({ id: match![1], name: 'ci pipeline', hash: sha256(key) });
    expect(JSON.stringify(record)).not.toContain(match![2]);

    const keys = Array.from({ length: 20 }, () => newApiKey('x'));
    expect(new Set(keys.map((k) => k.key)).size).toBe(20);
    expect(new Set(keys.map((k) => k.record.id)).size).toBe(20);
  });

  it('authenticate: a valid, unrevoked key resolves to its record', async () => {
    const store = new InMemoryApiKeyStoreDouble();
    const { record, key } = newApiKey('ci');
    store.add(record);
    expect(await authenticate(store.asStore(), key)).toEqual({ ...record, createdAt: STARTED, revokedAt: null });
    expect(store.lookups).toEqual([record.id]);
  });

  it('authenticate: a revoked key is refused', async () => {
    const store = new InMemoryApiKeyStoreDouble();
    const { record, key } = newApiKey('ci');
    store.add(record, new Date('2024-06-01T00:00:00Z'));
    expect(await authenticate(store.asStore(), key)).toBeUndefined();
  });

  it('authenticate: the right id with a wrong secret is refused, as is an unknown id', async () => {
    const store = new InMemoryApiKeyStoreDouble();
    const { record, key } = newApiKey('ci');
    store.add(record);
    const secret = key.slice(-43);
    const otherSecret = `${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    expect(await authenticate(store.asStore(), `ferry_${record.id}_${otherSecret}`)).toBeUndefined();
    expect(await authenticate(store.asStore(), newApiKey('other').key)).toBeUndefined();
    // A stored hash that is not 32 bytes (a damaged row) refuses, rather than throwing.
    store.add({ ...record, hash: 'abcd' });
    expect(await authenticate(store.asStore(), key)).toBeUndefined();
  });

  it('authenticate: a malformed key is refused without looking anything up', async () => {
    const store = new InMemoryApiKeyStoreDouble();
    const { record, key } = newApiKey('ci');
    store.add(record);
    const malformed = [
      '',
      'ferry_',
      key.slice(0, -1),
      `${key}A`,
      `${key}\n`,
      ` ${key}`,
      `Bearer ${key}`,
      key.replace('ferry_', 'Ferry_'),
      key.replace('ferry_', 'ferry-'),
      `ferry_${record.id.toUpperCase().replace(/[0-9]/g, 'A')}_${key.slice(-43)}`,
      `ferry_${record.id.slice(1)}_${key.slice(-43)}`,
      `ferry_${record.id}_${key.slice(-43, -1)}=`,
      `ferry_${record.id}_${key.slice(-43, -1)}+`,
    ];
    for (const candidate of malformed) expect(await authenticate(store.asStore(), candidate), JSON.stringify(candidate)).toBeUndefined();
    expect(store.lookups).toEqual([]);
  });
});

describe('withPasswordOutOfUrl', () => {
  it('moves a percent-encoded password out of the url, decoded, keeping the rest of the url and entry', () => {
    const entry = {
      type: 'postgres',
      url: 'postgres://ferry:p%40ss%2Fw%3Ard%20%E2%82%AC@db.acme.example:5432/analytics?sslmode=require',
      schema: 's',
    };
    expect(withPasswordOutOfUrl(entry)).toEqual({
      type: 'postgres',
      url: 'postgres://ferry@db.acme.example:5432/analytics?sslmode=require',
      password: 'p@ss/w:rd €',
      schema: 's',
    });
    // The caller's entry is left as it was.
    expect(entry.url).toContain('p%40ss');
  });

  it('leaves an entry whose url has no password as it is', () => {
    const entry = { type: 'postgres', url: 'postgres://ferry@db.acme.example/analytics' };
    expect(withPasswordOutOfUrl(entry)).toBe(entry);
    const noUser = { type: 'postgres', url: 'postgres://db.acme.example/analytics' };
    expect(withPasswordOutOfUrl(noUser)).toBe(noUser);
  });

  it('leaves an entry with its password field set as it is (the schema refuses both)', () => {
    const entry = { type: 'postgres', url: 'postgres://ferry:in-url@db/analytics', password: 'in-field' };
    expect(withPasswordOutOfUrl(entry)).toBe(entry);
    expect(entry).toEqual({ type: 'postgres', url: 'postgres://ferry:in-url@db/analytics', password: 'in-field' });
  });

  it('leaves an entry whose url is not a url, or not a string, or missing, as it is', () => {
    for (const url of ['not a url', 'db.acme.example:5432/analytics', '', 42, null]) {
      const entry = { type: 'postgres', url };
      expect(withPasswordOutOfUrl(entry), String(url)).toBe(entry);
    }
    const none = { type: 'duckdb', path: 'x.duckdb' };
    expect(withPasswordOutOfUrl(none)).toBe(none);
  });

  it('leaves a url whose password has a % that is not percent-encoding as it is, for the schema to refuse with its fix', () => {
    // The API calls it before checking the entry: a throw here would answer 500 instead of the schema's 422 and its fix.
    const config = { file: 'ferry.yaml', products: { everything: ['export_orders'] } } as unknown as LoadedConfig;
    for (const url of ['postgres://ferry:100%@db/analytics', 'postgres://ferry:a%zzb@db/analytics']) {
      const entry = { type: 'postgres', url, schema: 'ferry', product: 'everything' };
      let moved: Record<string, unknown> | undefined;
      expect(() => {
        moved = withPasswordOutOfUrl(entry);
      }, url).not.toThrow();
      expect(moved, url).toBe(entry);
      const { problems } = checkManagedEntry(config, { id: 'acme-pg', entry: moved!, schedule: '1h' }, 'acme');
      expect(problems, url).toEqual([expect.stringMatching(/^url: .*write a literal % as %25, or put the password in `password`/)]);
    }
  });
});

/** A vault double: a Map of names to values, recording every call in order. */
class RecordingVaultDouble implements CredentialVault {
  readonly values = new Map<string, string>();
  readonly calls: string[] = [];
  /** Names whose delete rejects (as a vault whose store is down would). */
  readonly failingDeletes = new Set<string>();

  async set(name: string, value: string): Promise<unknown> {
    this.calls.push(`set ${name}`);
    this.values.set(name, value);
    return undefined;
  }

  async get(name: string): Promise<string> {
    this.calls.push(`get ${name}`);
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`no secret ${name}`);
    return value;
  }

  async delete(name: string): Promise<void> {
    this.calls.push(`delete ${name}`);
    if (this.failingDeletes.has(name)) throw new Error(`cannot delete ${name}`);
    this.values.delete(name);
  }
}

const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n';
const CLEAR_ENTRY = {
  type: 'postgres',
  url: 'postgres://ferry@db.acme.example:5432/analytics',
  password: 'pg-Pa55-ünï',
  schema: 'ferry',
  product: 'everything',
  ssh: { host: 'bastion.acme.example', port: 22, user: 'tunnel', private_key: PRIVATE_KEY, passphrase: 'key-passphrase', host_key: 'SHA256:x' },
};

/** What storing a destination does with its entry: seal each credential, keep a reference to it. */
async function seal(id: string, entry: Record<string, unknown>, vault: RecordingVaultDouble): Promise<Record<string, unknown>> {
  await sealCredentials(id, entry, vault);
  return withCredentialReferences(id, entry);
}

describe('sealCredentials, withCredentialReferences and deleteCredentials', () => {
  it('seals every credential (password, ssh.private_key, ssh.passphrase): the entry keeps only references', async () => {
    const vault = new RecordingVaultDouble();
    const original = structuredClone(CLEAR_ENTRY);
    const sealed = await seal('acme-pg', CLEAR_ENTRY, vault);

    expect(sealed).toEqual({
      ...CLEAR_ENTRY,
      password: '${secret:destination.acme-pg.password}',
      ssh: {
        ...CLEAR_ENTRY.ssh,
        private_key: '${secret:destination.acme-pg.ssh.private_key}',
        passphrase: '${secret:destination.acme-pg.ssh.passphrase}',
      },
    });
    expect(Object.fromEntries(vault.values)).toEqual({
      'destination.acme-pg.password': 'pg-Pa55-ünï',
      'destination.acme-pg.ssh.private_key': PRIVATE_KEY,
      'destination.acme-pg.ssh.passphrase': 'key-passphrase',
    });
    const stored = JSON.stringify(sealed);
    for (const credential of ['pg-Pa55-ünï', 'BEGIN OPENSSH', 'key-passphrase']) expect(stored).not.toContain(credential);
    // Every credential field of the stored entry is a reference to this destination's own secret.
    for (const path of credentialPaths(sealed).filter((p) => p.join('.') !== 'url')) {
      const value = path.reduce<unknown>((holder, field) => (holder as Record<string, unknown>)[field], sealed);
      expect(value, path.join('.')).toBe(`\${secret:destination.acme-pg.${path.join('.')}}`);
    }
    // The caller's entry, its ssh section included, is not changed.
    expect(CLEAR_ENTRY).toEqual(original);
    expect(vault.calls.every((call) => call.startsWith('set '))).toBe(true);
  });

  it('seals a value that reads like a reference as that literal value, never as a pointer to another secret', async () => {
    const vault = new RecordingVaultDouble();
    vault.values.set('other', 'another destination’s password');
    const sealed = await seal('acme-pg', { type: 'postgres', url: 'postgres://u@h/db', password: '${secret:other}' }, vault);

    expect(sealed.password).toBe('${secret:destination.acme-pg.password}');
    expect(vault.values.get('destination.acme-pg.password')).toBe('${secret:other}');
    expect(vault.values.get('other')).toBe('another destination’s password');
    expect(vault.calls).toEqual(['set destination.acme-pg.password']);
  });

  it('seals nothing for an entry without credentials, and leaves it as it was', async () => {
    const vault = new RecordingVaultDouble();
    const entry = { type: 'duckdb', path: 'x.duckdb', schema: 's', ssh: { host: 'bastion', user: 'u' } };
    expect(await seal('local', entry, vault)).toEqual(entry);
    expect(vault.calls).toEqual([]);
  });

  it('deletes every sealed credential of an entry, or only those not kept, and goes on past a failed delete', async () => {
    const vault = new RecordingVaultDouble();
    const sealed = await seal('acme-pg', CLEAR_ENTRY, vault);
    vault.calls.length = 0;

    await deleteCredentials('acme-pg', sealed, vault, [['password'], ['ssh', 'passphrase']]);
    expect(vault.calls).toEqual(['delete destination.acme-pg.ssh.private_key']);
    expect([...vault.values.keys()].sort()).toEqual(['destination.acme-pg.password', 'destination.acme-pg.ssh.passphrase']);

    vault.calls.length = 0;
    vault.failingDeletes.add('destination.acme-pg.password');
    await expect(deleteCredentials('acme-pg', sealed, vault)).resolves.toBeUndefined();
    expect(vault.calls.sort()).toEqual(
      ['delete destination.acme-pg.password', 'delete destination.acme-pg.ssh.passphrase', 'delete destination.acme-pg.ssh.private_key'].sort(),
    );
    expect([...vault.values.keys()]).toEqual(['destination.acme-pg.password']);
  });
});
