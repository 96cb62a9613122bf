import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCRATCH_LOCATIONS, STATE_ENGINES, type ScratchLocation, type StateEngine } from '@ferry/test';
import type { ControlPlaneStore, ManagedDestination } from './control-plane.ts';
import type { StateDriver } from './driver/driver.ts';
import { openStateStore } from './open-state-store.ts';
import type { StateStore } from './state-store.ts';
import { StateStoreError } from './state-store-error.ts';
import { DEFAULT_STATE_SCHEMA, stateTables } from './state-tables.ts';

/**
 * The control plane's tables (migration 4) on both engines: recipients, managed destinations,
 * API keys, the audit log, and when each destination's last transfer started; with the transfer
 * queries `ferry serve` added to the state store (getTransfer, recentTransfers by status).
 */

/** A stored entry as the API writes it: credentials are references; the rest is any JSON, unicode and nesting included. */
const ACME_ENTRY = {
  type: 'postgres',
  url: 'postgres://ferry@db.acme.example:5432/analytics?sslmode=require',
  password: '${secret:destination.acme-pg.password}',
  schema: 'ferry_ünïcødé_"quoted"_\\_日本語_🚀',
  product: 'everything',
  connect_timeout: 30,
  verify_tls: true,
  note: null,
  ssh: {
    host: 'bastion.acme.example',
    port: 22,
    user: 'tunnel',
    private_key: '${secret:destination.acme-pg.ssh.private_key}',
    host_key: `SHA256:${'A'.repeat(43)}`,
    jump: { hosts: ['a', 'b'], nested: { deeper: [1, 2.5, { ok: false }] } },
  },
};

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A driver of its own on the scratch location: for writes no store method makes (forcing audit times to tie). */
async function openDriver(engine: StateEngine, location: string): Promise<StateDriver> {
  if (engine === 'postgres') return (await import('./driver/postgres-driver.ts')).connectPostgres(location);
  return (await import('./driver/duckdb-driver.ts')).openDuckDb(location);
}

describe.each(STATE_ENGINES)('control plane on %s', (engine) => {
  let scratch: ScratchLocation;
  let store: StateStore;
  let plane: ControlPlaneStore;

  beforeEach(async () => {
    scratch = await SCRATCH_LOCATIONS[engine]();
    store = await openStateStore(scratch.location);
    await store.migrate();
    plane = store.controlPlane;
  });

  afterEach(async () => {
    await store.close();
    await scratch.dispose();
  });

  describe('recipients', () => {
    it('creates one per id: a second create with that id is refused and changes nothing', async () => {
      const before = Date.now();
      expect(await plane.createRecipient({ id: 'acme', name: 'Acme Corp', tenant: 'tenant_acme' })).toBe(true);
      expect(await plane.createRecipient({ id: 'acme', name: 'Impostor', tenant: 'tenant_other' })).toBe(false);

      const acme = await plane.getRecipient('acme');
      expect(acme).toEqual({ id: 'acme', name: 'Acme Corp', tenant: 'tenant_acme', createdAt: expect.any(Date), updatedAt: expect.any(Date) });
      // The database clock stamps it: allow for a little skew against this process's clock.
      expect(Math.abs(acme!.createdAt.getTime() - before)).toBeLessThan(60_000);
      expect(acme!.updatedAt.getTime()).toBe(acme!.createdAt.getTime());
    });

    it('updates name and tenant, stamping updatedAt and keeping createdAt; an unknown id is not created', async () => {
      await plane.createRecipient({ id: 'acme', name: 'Acme Corp', tenant: 'tenant_acme' });
      const created = (await plane.getRecipient('acme'))!;
      await pause(20);

      expect(await plane.updateRecipient({ id: 'acme', name: 'Acme Ünïcødé 株式会社', tenant: 'tenant_acme_2' })).toBe(true);
      const updated = (await plane.getRecipient('acme'))!;
      expect(updated).toMatchObject({ id: 'acme', name: 'Acme Ünïcødé 株式会社', tenant: 'tenant_acme_2' });
      expect(updated.createdAt.getTime()).toBe(created.createdAt.getTime());
      expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());

      expect(await plane.updateRecipient({ id: 'globex', name: 'Globex', tenant: 'tenant_globex' })).toBe(false);
      expect(await plane.getRecipient('globex')).toBeUndefined();
    });

    it('lists by id and deletes one (a second delete finds nothing)', async () => {
      expect(await plane.listRecipients()).toEqual([]);
      await plane.createRecipient({ id: 'initech', name: 'Initech', tenant: 'tenant_initech' });
      await plane.createRecipient({ id: 'acme', name: 'Acme', tenant: 'tenant_acme' });
      await plane.createRecipient({ id: 'globex', name: 'Globex', tenant: 'tenant_globex' });
      expect((await plane.listRecipients()).map((r) => r.id)).toEqual(['acme', 'globex', 'initech']);

      expect(await plane.deleteRecipient('globex')).toBe(true);
      expect(await plane.deleteRecipient('globex')).toBe(false);
      expect(await plane.getRecipient('globex')).toBeUndefined();
      expect((await plane.listRecipients()).map((r) => [r.id, r.name])).toEqual([
        ['acme', 'Acme'],
        ['initech', 'Initech'],
      ]);
    });
  });

  describe('managed destinations', () => {
    const acme = { id: 'acme-pg', recipientId: 'acme', entry: ACME_ENTRY, schedule: '1h' };

    it('round-trips its entry exactly (unicode, quotes, nested ssh object, numbers, booleans, null)', async () => {
      expect(await plane.createDestination(acme)).toBe(true);
      const stored = await plane.getDestination('acme-pg');
      expect(stored).toEqual({
        id: 'acme-pg',
        recipientId: 'acme',
        entry: ACME_ENTRY,
        schedule: '1h',
        pausedAt: null,
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      });
      expect(JSON.stringify(stored!.entry)).toBe(JSON.stringify(ACME_ENTRY));
      expect(await plane.getDestination('no-such-destination')).toBeUndefined();
    });

    it('creates one per id: a second create is refused and keeps the first', async () => {
      expect(await plane.createDestination(acme)).toBe(true);
      expect(await plane.createDestination({ id: 'acme-pg', recipientId: 'globex', entry: { type: 'duckdb' }, schedule: 'manual' })).toBe(false);
      expect(await plane.getDestination('acme-pg')).toMatchObject({ recipientId: 'acme', entry: ACME_ENTRY, schedule: '1h' });
    });

    it('update replaces entry, schedule and recipient, keeping createdAt and the pause; an unknown id is not created', async () => {
      await plane.createDestination(acme);
      await plane.setPaused('acme-pg', true);
      const created = (await plane.getDestination('acme-pg'))!;
      await pause(20);

      const entry = { type: 'duckdb', path: '/data/ä.duckdb', schema: 'analytics' };
      expect(await plane.updateDestination({ id: 'acme-pg', recipientId: 'acme-2', entry, schedule: '15m' })).toBe(true);
      const updated = (await plane.getDestination('acme-pg'))!;
      // The whole entry is replaced: no field of the old one (its ssh section, its password) is left behind.
      expect(updated).toMatchObject({ id: 'acme-pg', recipientId: 'acme-2', entry, schedule: '15m', pausedAt: created.pausedAt });
      expect(updated.createdAt.getTime()).toBe(created.createdAt.getTime());
      expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());

      expect(await plane.updateDestination({ id: 'globex-pg', recipientId: 'globex', entry, schedule: '1h' })).toBe(false);
      expect(await plane.getDestination('globex-pg')).toBeUndefined();
    });

    it('pauses (pausing again keeps the first pause time) and resumes', async () => {
      await plane.createDestination(acme);
      const before = Date.now();
      expect(await plane.setPaused('acme-pg', true)).toBe(true);
      const first = (await plane.getDestination('acme-pg'))!.pausedAt;
      expect(first).toBeInstanceOf(Date);
      expect(Math.abs(first!.getTime() - before)).toBeLessThan(60_000);

      await pause(30);
      expect(await plane.setPaused('acme-pg', true)).toBe(true);
      const again = await plane.getDestination('acme-pg');
      expect(again!.pausedAt!.getTime()).toBe(first!.getTime());
      // The second pause is still a change: updatedAt moves, pausedAt does not.
      expect(again!.updatedAt.getTime()).toBeGreaterThan(first!.getTime());

      expect(await plane.setPaused('acme-pg', false)).toBe(true);
      expect((await plane.getDestination('acme-pg'))!.pausedAt).toBeNull();
      // Resuming a running destination is harmless; a new pause gets a new time.
      expect(await plane.setPaused('acme-pg', false)).toBe(true);
      await pause(30);
      await plane.setPaused('acme-pg', true);
      expect((await plane.getDestination('acme-pg'))!.pausedAt!.getTime()).toBeGreaterThan(first!.getTime());

      expect(await plane.setPaused('no-such-destination', true)).toBe(false);
      expect(await plane.setPaused('no-such-destination', false)).toBe(false);
    });

    it('pauses one destination only', async () => {
      await plane.createDestination(acme);
      await plane.createDestination({ ...acme, id: 'acme-duck' });
      await plane.setPaused('acme-pg', true);
      const byId = new Map((await plane.listDestinations()).map((d): [string, ManagedDestination] => [d.id, d]));
      expect(byId.get('acme-pg')!.pausedAt).toBeInstanceOf(Date);
      expect(byId.get('acme-duck')!.pausedAt).toBeNull();
    });

    it('lists by id and deletes one (a second delete finds nothing)', async () => {
      expect(await plane.listDestinations()).toEqual([]);
      await plane.createDestination({ ...acme, id: 'zeta-pg' });
      await plane.createDestination(acme);
      await plane.createDestination({ ...acme, id: 'globex-pg', recipientId: 'globex' });
      const listed = await plane.listDestinations();
      expect(listed.map((d) => [d.id, d.recipientId])).toEqual([
        ['acme-pg', 'acme'],
        ['globex-pg', 'globex'],
        ['zeta-pg', 'acme'],
      ]);
      expect(listed.every((d) => JSON.stringify(d.entry) === JSON.stringify(ACME_ENTRY))).toBe(true);

      expect(await plane.deleteDestination('globex-pg')).toBe(true);
      expect(await plane.deleteDestination('globex-pg')).toBe(false);
      expect(await plane.getDestination('globex-pg')).toBeUndefined();
      expect((await plane.listDestinations()).map((d) => d.id)).toEqual(['acme-pg', 'zeta-pg']);
    });
  });

  describe('API keys', () => {
    it('creates, gets and lists keys (hash only), in creation order', async () => {
      expect(await plane.listApiKeys()).toEqual([]);
      const before = Date.now();
      await plane.createApiKey({ id: 'ffffffffffff', name: 'ci', hash: 'a'.repeat(64) });
      await pause(20);
      await plane.createApiKey({ id: '000000000000', name: 'dashboard ünïcødé', hash: 'b'.repeat(64) });

      const ci = await plane.getApiKey('ffffffffffff');
      expect(ci).toEqual({ id: 'ffffffffffff', name: 'ci', hash: 'a'.repeat(64), createdAt: expect.any(Date), revokedAt: null });
      expect(Math.abs(ci!.createdAt.getTime() - before)).toBeLessThan(60_000);
      expect(await plane.getApiKey('123456789abc')).toBeUndefined();
      // Creation order, not id order.
      expect((await plane.listApiKeys()).map((k) => [k.id, k.name])).toEqual([
        ['ffffffffffff', 'ci'],
        ['000000000000', 'dashboard ünïcødé'],
      ]);
    });

    it('revokes a key once: it stays listed, with when it was revoked', async () => {
      await plane.createApiKey({ id: 'aaaaaaaaaaaa', name: 'ci', hash: 'a'.repeat(64) });
      await plane.createApiKey({ id: 'bbbbbbbbbbbb', name: 'other', hash: 'b'.repeat(64) });
      const before = Date.now();

      expect(await plane.revokeApiKey('aaaaaaaaaaaa')).toBe(true);
      const revoked = (await plane.getApiKey('aaaaaaaaaaaa'))!;
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect(Math.abs(revoked.revokedAt!.getTime() - before)).toBeLessThan(60_000);

      await pause(20);
      expect(await plane.revokeApiKey('aaaaaaaaaaaa')).toBe(false);
      // Revoking again does not move the time it was revoked.
      expect((await plane.getApiKey('aaaaaaaaaaaa'))!.revokedAt!.getTime()).toBe(revoked.revokedAt!.getTime());
      expect(await plane.revokeApiKey('cccccccccccc')).toBe(false);

      expect((await plane.listApiKeys()).map((k) => [k.id, k.revokedAt === null])).toEqual([
        ['aaaaaaaaaaaa', false],
        ['bbbbbbbbbbbb', true],
      ]);
    });
  });

  describe('audit log', () => {
    it('returns the most recent entries first, with their details as written', async () => {
      const before = Date.now();
      await plane.audit({ actor: 'api-key:aaaaaaaaaaaa (ci)', action: 'recipient.create', target: 'acme', details: { name: 'Acme', tenant: 'ü' } });
      await plane.audit({ actor: 'scheduler', action: 'transfer.trigger', target: 'acme-pg', details: {} });
      await plane.audit({
        actor: 'magic-link:l1',
        action: 'destination.create',
        target: 'acme-pg',
        details: { fields: ['url', 'password'], nested: { schedule: '1h', n: 3 } },
      });

      const log = await plane.auditLog();
      expect(log.map((e) => e.action)).toEqual(['destination.create', 'transfer.trigger', 'recipient.create']);
      expect(log[0]).toEqual({
        id: expect.any(String),
        at: expect.any(Date),
        actor: 'magic-link:l1',
        action: 'destination.create',
        target: 'acme-pg',
        details: { fields: ['url', 'password'], nested: { schedule: '1h', n: 3 } },
      });
      expect(log[2]).toMatchObject({ actor: 'api-key:aaaaaaaaaaaa (ci)', details: { name: 'Acme', tenant: 'ü' } });
      expect(new Set(log.map((e) => e.id)).size).toBe(3);
      expect(Math.abs(log[2]!.at.getTime() - before)).toBeLessThan(60_000);
      for (let i = 1; i < log.length; i++) expect(log[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(log[i]!.at.getTime());
    });

    it('limits (default 100) and filters by target', async () => {
      for (let i = 0; i < 103; i++)
        await plane.audit({ actor: 'scheduler', action: `step.${i}`, target: i % 2 === 0 ? 'even' : 'odd', details: { i } });

      const all = await plane.auditLog();
      expect(all).toHaveLength(100);
      expect(all[0]!.action).toBe('step.102');
      expect(all.at(-1)!.action).toBe('step.3');
      expect((await plane.auditLog({ limit: 2 })).map((e) => e.action)).toEqual(['step.102', 'step.101']);

      const odd = await plane.auditLog({ target: 'odd', limit: 3 });
      expect(odd.map((e) => [e.action, e.target])).toEqual([
        ['step.101', 'odd'],
        ['step.99', 'odd'],
        ['step.97', 'odd'],
      ]);
      expect(await plane.auditLog({ target: 'even', limit: 500 })).toHaveLength(52);
      expect(await plane.auditLog({ target: 'nobody' })).toEqual([]);
    });

    it('refuses a limit that is not a positive whole number', async () => {
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        await expect(plane.auditLog({ limit }), `limit ${limit}`).rejects.toThrow(StateStoreError);
      }
      await expect(plane.auditLog({ limit: 0 })).rejects.toThrow(/positive whole number as its limit, got 0/);
    });

    it('orders entries by time, then by id (creation order) between entries of the same time', async () => {
      for (const action of ['first', 'second', 'third', 'fourth']) await plane.audit({ actor: 'scheduler', action, target: 'acme', details: {} });
      const ids = new Map((await plane.auditLog()).map((e) => [e.action, e.id]));

      // The store stamps entries with the database clock; tie them, and move `first` later, with a driver of our own.
      await store.close();
      const driver = await openDriver(engine, scratch.location);
      try {
        const table = stateTables(DEFAULT_STATE_SCHEMA).auditLog;
        await driver.query(`UPDATE ${table} SET occurred_at = CAST($1 AS TIMESTAMPTZ)`, ['2030-01-01T00:00:00.000001Z']);
        await driver.query(`UPDATE ${table} SET occurred_at = CAST($1 AS TIMESTAMPTZ) WHERE id = $2`, ['2030-01-02T00:00:00Z', ids.get('first')!]);
      } finally {
        await driver.close();
      }
      store = await openStateStore(scratch.location);
      plane = store.controlPlane;

      const log = await plane.auditLog();
      expect(log.map((e) => e.action)).toEqual(['first', 'fourth', 'third', 'second']);
      expect(log[1]!.at.getTime()).toBe(log[3]!.at.getTime());
      expect((await plane.auditLog({ limit: 2, target: 'acme' })).map((e) => e.action)).toEqual(['first', 'fourth']);
    });
  });

  describe('transfers', () => {
    it('lastTransferStarts: the latest start of each destination, whatever its outcome', async () => {
      expect(await plane.lastTransferStarts()).toEqual(new Map());
      const earlier = await store.startTransfer('acme-pg');
      await store.finishTransfer(earlier, 'succeeded');
      const globex = await store.startTransfer('globex-pg');
      await pause(30);
      const later = await store.startTransfer('acme-pg');
      await store.finishTransfer(later, 'failed', 'boom');

      const starts = await plane.lastTransferStarts();
      expect([...starts.keys()].sort()).toEqual(['acme-pg', 'globex-pg']);
      const startedAt = new Map((await store.recentTransfers()).map((t) => [t.id, t.startedAt]));
      expect(starts.get('acme-pg')!.getTime()).toBe(startedAt.get(later)!.getTime());
      expect(starts.get('acme-pg')!.getTime()).toBeGreaterThan(startedAt.get(earlier)!.getTime());
      expect(starts.get('globex-pg')!.getTime()).toBe(startedAt.get(globex)!.getTime());
    });

    it('getTransfer: one transfer with its models, by id; undefined for an unknown id', async () => {
      const id = await store.startTransfer('acme-pg');
      const outcome = {
        model: 'export_orders',
        action: 'incremental',
        rowsInserted: 3,
        rowsUpdated: 1,
        rowsDeleted: 0,
        bytes: 5_000_000_123,
        durationMs: 42,
        lagSeconds: 1.5,
        schemaChanges: ['added column note'],
        error: null,
      };
      await store.recordModelTransfer(id, { ...outcome, model: 'export_users' });
      await store.recordModelTransfer(id, outcome);
      await store.startTransfer('acme-pg');
      expect(await store.getTransfer(id)).toEqual({
        id,
        destinationId: 'acme-pg',
        status: 'running',
        startedAt: expect.any(Date),
        finishedAt: null,
        error: null,
        warnings: [],
        models: [outcome, { ...outcome, model: 'export_users' }],
      });

      await store.finishTransfer(id, 'failed', 'export_users failed', ['tenant has no rows']);
      expect(await store.getTransfer(id)).toMatchObject({ status: 'failed', error: 'export_users failed', warnings: ['tenant has no rows'] });
      expect(await store.getTransfer('00000000-0000-7000-8000-000000000000')).toBeUndefined();
    });

    it('recentTransfers filters by status, with a destination and a limit too', async () => {
      const started: Record<string, string[]> = { running: [], succeeded: [], failed: [], abandoned: [] };
      for (const destination of ['acme-pg', 'globex-pg']) {
        for (const status of ['succeeded', 'failed', 'succeeded', 'running'] as const) {
          const id = await store.startTransfer(destination);
          if (status !== 'running') await store.finishTransfer(id, status, status === 'failed' ? 'boom' : undefined);
          started[status]!.push(id);
        }
      }

      for (const status of ['running', 'succeeded', 'failed'] as const) {
        const found = await store.recentTransfers({ status });
        expect(
          found.map((t) => t.id),
          status,
        ).toEqual(started[status]!.toReversed());
        expect(found.every((t) => t.status === status)).toBe(true);
      }
      expect(await store.recentTransfers({ status: 'abandoned' })).toEqual([]);

      const acmeSucceeded = await store.recentTransfers({ destinationId: 'acme-pg', status: 'succeeded' });
      expect(acmeSucceeded.map((t) => t.id)).toEqual(started.succeeded!.slice(0, 2).toReversed());
      const lastSucceeded = await store.recentTransfers({ status: 'succeeded', limit: 1 });
      expect(lastSucceeded.map((t) => t.id)).toEqual([started.succeeded!.at(-1)]);
      expect(await store.recentTransfers({ destinationId: 'initech-pg', status: 'succeeded' })).toEqual([]);
    });
  });
});
