import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateStore } from './open-state-store.ts';
import { DEFAULT_RECENT_TRANSFERS } from './sql-state-store.ts';
import type { ModelState, ModelTransfer, StateStore } from './state-store.ts';
import { StateStoreError } from './state-store-error.ts';
import { SCRATCH_LOCATIONS, STATE_ENGINES, type ScratchLocation } from '@ferry/test';

/** Microseconds and an offset: any parsing through a JS Date would lose the last three digits. */
const MICROSECOND_WATERMARK = '2024-05-01 12:34:56.123457+00';

const ORDERS_STATE: Omit<ModelState, 'updatedAt'> = {
  destinationId: 'acme-snowflake',
  model: 'export_orders',
  watermark: MICROSECOND_WATERMARK,
  appliedFingerprint: 'sha256:orders-v1',
  appliedSpec: {
    name: 'export_orders',
    columns: [
      { name: 'order_id', type: { kind: 'integer' }, nullable: false },
      { name: 'note', type: { kind: 'text' }, nullable: true, description: 'Ünïcødé "quoted" \\ text' },
    ],
    primaryKey: ['order_id'],
    lookbackSeconds: 3600,
    softDelete: null,
  },
  retiredColumns: ['legacy_status'],
};

function outcome(model: string, overrides: Partial<ModelTransfer> = {}): ModelTransfer {
  return {
    model,
    action: 'incremental',
    rowsInserted: 10,
    rowsUpdated: 2,
    rowsDeleted: 1,
    // Beyond 32 bits: counts and bytes are BIGINT on both engines.
    bytes: 5_000_000_123,
    durationMs: 1234,
    lagSeconds: 1.5,
    schemaChanges: ['added column note', 'widened amount to numeric(20,4)'],
    error: null,
    ...overrides,
  };
}

describe.each(STATE_ENGINES)('state store on %s', (engine) => {
  let scratch: ScratchLocation;
  let store: StateStore;

  beforeEach(async () => {
    scratch = await SCRATCH_LOCATIONS[engine]();
    store = await openStateStore(scratch.location);
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    await scratch.dispose();
  });

  it('migrates again, even concurrently, without touching existing data', async () => {
    await store.upsertDestination({ id: 'acme-snowflake', type: 'snowflake', tenant: 'acme' });
    await store.migrate();
    await Promise.all([store.migrate(), store.migrate()]);
    expect(await store.listDestinations()).toEqual([{ id: 'acme-snowflake', type: 'snowflake', tenant: 'acme' }]);
  });

  it('upserts destinations and lists them by id', async () => {
    await store.upsertDestination({ id: 'globex-bigquery', type: 'bigquery', tenant: 'globex' });
    await store.upsertDestination({ id: 'acme-snowflake', type: 'snowflake', tenant: 'acme' });
    await store.upsertDestination({ id: 'acme-snowflake', type: 'postgres', tenant: 'acme' });
    expect(await store.listDestinations()).toEqual([
      { id: 'acme-snowflake', type: 'postgres', tenant: 'acme' },
      { id: 'globex-bigquery', type: 'bigquery', tenant: 'globex' },
    ]);
  });

  it('round-trips a model state exactly: microsecond watermark, JSON spec, retired columns', async () => {
    expect(await store.getModelState(ORDERS_STATE.destinationId, ORDERS_STATE.model)).toBeUndefined();
    const before = Date.now();
    await store.putModelState(ORDERS_STATE);
    const saved = await store.getModelState(ORDERS_STATE.destinationId, ORDERS_STATE.model);
    expect(saved).toEqual({ ...ORDERS_STATE, updatedAt: expect.any(Date) });
    expect(saved!.watermark).toBe(MICROSECOND_WATERMARK);
    // The database clock stamps it: allow for a little skew against this process's clock.
    expect(Math.abs(saved!.updatedAt.getTime() - before)).toBeLessThan(60_000);
  });

  it('updates and deletes one model state, leaving the others alone', async () => {
    const customers = { ...ORDERS_STATE, model: 'export_customers', watermark: null, retiredColumns: [] };
    await store.putModelState(ORDERS_STATE);
    await store.putModelState(customers);
    // A cursor wider than any JS number stays exact too.
    const next = {
      ...ORDERS_STATE,
      watermark: '123456789012345678901234567890',
      appliedFingerprint: 'sha256:orders-v2',
      appliedSpec: [1, 'two', null],
    };
    await store.putModelState(next);

    expect(await store.getModelState(ORDERS_STATE.destinationId, ORDERS_STATE.model)).toMatchObject(next);
    expect(await store.getModelState(customers.destinationId, customers.model)).toMatchObject({ watermark: null, retiredColumns: [] });

    await store.deleteModelState(ORDERS_STATE.destinationId, ORDERS_STATE.model);
    expect(await store.getModelState(ORDERS_STATE.destinationId, ORDERS_STATE.model)).toBeUndefined();
    expect(await store.getModelState(customers.destinationId, customers.model)).toMatchObject({ model: 'export_customers' });
  });

  it('records transfers with their models and lists them most recent first', async () => {
    const first = await store.startTransfer('acme-snowflake');
    const second = await store.startTransfer('globex-bigquery');
    const third = await store.startTransfer('acme-snowflake');

    // Recorded out of order, and the same model twice (a retried write keeps the last outcome).
    await store.recordModelTransfer(first, outcome('export_orders', { rowsInserted: 1 }));
    await store.recordModelTransfer(first, outcome('export_customers', { lagSeconds: null, schemaChanges: [] }));
    await store.recordModelTransfer(first, outcome('export_orders'));
    await store.recordModelTransfer(second, outcome('export_orders', { action: 'rebuild', error: 'permission denied for schema analytics' }));
    await store.finishTransfer(first, 'succeeded');
    await store.finishTransfer(second, 'failed', 'export_orders failed: permission denied for schema analytics');

    const recent = await store.recentTransfers();
    expect(recent.map((transfer) => transfer.id)).toEqual([third, second, first]);
    const [running, failed, succeeded] = recent;
    expect(running).toEqual({
      id: third,
      destinationId: 'acme-snowflake',
      status: 'running',
      startedAt: expect.any(Date),
      finishedAt: null,
      error: null,
      warnings: [],
      models: [],
    });
    expect(failed).toMatchObject({ status: 'failed', error: 'export_orders failed: permission denied for schema analytics' });
    expect(failed!.models).toEqual([outcome('export_orders', { action: 'rebuild', error: 'permission denied for schema analytics' })]);
    expect(succeeded).toMatchObject({ status: 'succeeded', error: null, finishedAt: expect.any(Date) });
    expect(succeeded!.finishedAt!.getTime()).toBeGreaterThanOrEqual(succeeded!.startedAt.getTime());
    expect(succeeded!.models).toEqual([outcome('export_customers', { lagSeconds: null, schemaChanges: [] }), outcome('export_orders')]);
  });

  it('filters recent transfers by destination and limits them (default 20)', async () => {
    const acme: string[] = [];
    for (let i = 0; i < DEFAULT_RECENT_TRANSFERS + 2; i++) acme.push(await store.startTransfer('acme-snowflake'));
    const globex = await store.startTransfer('globex-bigquery');

    const all = await store.recentTransfers();
    expect(all.map((t) => t.id)).toEqual([globex, ...acme.toReversed()].slice(0, DEFAULT_RECENT_TRANSFERS));

    const lastTwoAcme = await store.recentTransfers({ destinationId: 'acme-snowflake', limit: 2 });
    expect(lastTwoAcme.map((t) => t.id)).toEqual(acme.toReversed().slice(0, 2));
    expect((await store.recentTransfers({ destinationId: 'globex-bigquery' })).map((t) => t.id)).toEqual([globex]);
    expect(await store.recentTransfers({ destinationId: 'initech-redshift' })).toEqual([]);
    await expect(store.recentTransfers({ limit: 0 })).rejects.toThrow(/positive whole number as its limit, got 0/);
  });

  it('refuses to record into or finish a transfer it does not know', async () => {
    await expect(store.recordModelTransfer('no-such-transfer', outcome('export_orders'))).rejects.toThrow(StateStoreError);
    await expect(store.recordModelTransfer('no-such-transfer', outcome('export_orders'))).rejects.toThrow(
      /Cannot record model export_orders in transfer no-such-transfer: no such transfer/,
    );
    await expect(store.finishTransfer('no-such-transfer', 'succeeded')).rejects.toThrow(/Cannot finish transfer no-such-transfer/);
    expect(await store.recentTransfers()).toEqual([]);
  });

  it('abandons only the running transfers of one destination', async () => {
    const crashed = await store.startTransfer('acme-snowflake');
    const done = await store.startTransfer('acme-snowflake');
    await store.finishTransfer(done, 'succeeded');
    const otherDestination = await store.startTransfer('globex-bigquery');

    expect(await store.abandonRunningTransfers('acme-snowflake')).toBe(1);
    expect(await store.abandonRunningTransfers('acme-snowflake')).toBe(0);

    const byId = new Map((await store.recentTransfers()).map((t) => [t.id, t]));
    expect(byId.get(crashed)).toMatchObject({
      status: 'abandoned',
      finishedAt: expect.any(Date),
      error: expect.stringMatching(/ended before finishing/),
    });
    expect(byId.get(done)).toMatchObject({ status: 'succeeded', error: null });
    expect(byId.get(otherDestination)).toMatchObject({ status: 'running', finishedAt: null });
  });

  it('leases a destination to one holder at a time, until released or expired', async () => {
    expect(await store.acquireLease('acme-snowflake', 'runner-a', 60)).toBeUndefined();
    // Renewing is taking it again.
    expect(await store.acquireLease('acme-snowflake', 'runner-a', 60)).toBeUndefined();
    const taken = await store.acquireLease('acme-snowflake', 'runner-b', 60);
    expect(taken).toMatchObject({ holder: 'runner-a', expiresAt: expect.any(Date) });
    expect(taken!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
    // Leases are per destination.
    expect(await store.acquireLease('globex-bigquery', 'runner-b', 60)).toBeUndefined();

    // Only the holder can release it.
    await store.releaseLease('acme-snowflake', 'runner-b');
    expect(await store.acquireLease('acme-snowflake', 'runner-b', 60)).toMatchObject({ holder: 'runner-a' });
    await store.releaseLease('acme-snowflake', 'runner-a');
    expect(await store.acquireLease('acme-snowflake', 'runner-b', 1)).toBeUndefined();

    // A holder that stops renewing (its process died) loses the lease when it expires.
    expect(await store.acquireLease('acme-snowflake', 'runner-c', 60)).toMatchObject({ holder: 'runner-b' });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await store.acquireLease('acme-snowflake', 'runner-c', 60)).toBeUndefined();
    // A caller that knows the holder is gone takes over at once; naming another holder does not.
    expect(await store.acquireLease('acme-snowflake', 'runner-d', 60, 'runner-x')).toMatchObject({ holder: 'runner-c' });
    expect(await store.acquireLease('acme-snowflake', 'runner-d', 60, 'runner-c')).toBeUndefined();
    await expect(store.acquireLease('acme-snowflake', 'runner-c', 0)).rejects.toThrow(/positive whole number of seconds/);
  });

  it('lands every write when many async tasks use it at once', async () => {
    const models = Array.from({ length: 20 }, (_, i) => `export_model_${String(i).padStart(2, '0')}`);
    const transferIds = await Promise.all(
      models.map(async (model, i) => {
        // A transaction amid the single statements: on DuckDB's one connection, neither may slip into the other.
        if (i % 5 === 0) await store.migrate();
        await store.putModelState({ ...ORDERS_STATE, model, watermark: `2024-05-01 00:00:${String(i).padStart(2, '0')}.000001+00` });
        const transferId = await store.startTransfer(`destination-${i % 3}`);
        await store.recordModelTransfer(transferId, outcome(model));
        await store.finishTransfer(transferId, 'succeeded');
        return transferId;
      }),
    );

    const states = await Promise.all(models.map((model) => store.getModelState(ORDERS_STATE.destinationId, model)));
    expect(states.map((state) => state?.watermark)).toEqual(models.map((_, i) => `2024-05-01 00:00:${String(i).padStart(2, '0')}.000001+00`));
    const transfers = await store.recentTransfers({ limit: 100 });
    expect(new Set(transfers.map((t) => t.id))).toEqual(new Set(transferIds));
    expect(transfers.every((t) => t.status === 'succeeded' && t.models.length === 1)).toBe(true);
  });

  it('keeps its data when closed and opened again', async () => {
    await store.upsertDestination({ id: 'acme-snowflake', type: 'snowflake', tenant: 'acme' });
    await store.putModelState(ORDERS_STATE);
    const transferId = await store.startTransfer('acme-snowflake');
    await store.recordModelTransfer(transferId, outcome('export_orders'));
    await store.close();

    store = await openStateStore(scratch.location);
    await store.migrate();
    expect(await store.listDestinations()).toEqual([{ id: 'acme-snowflake', type: 'snowflake', tenant: 'acme' }]);
    expect(await store.getModelState(ORDERS_STATE.destinationId, ORDERS_STATE.model)).toMatchObject({ watermark: MICROSECOND_WATERMARK });
    expect((await store.recentTransfers()).map((t) => [t.id, t.models.length])).toEqual([[transferId, 1]]);
  });

  it('stores, replaces, lists (by name) and deletes secrets, stamping when each changed', async () => {
    expect(await store.getSecret('acme_pg')).toBeUndefined();
    expect(await store.listSecrets()).toEqual([]);
    const before = Date.now();
    await store.putSecret({ name: 'zeta_token', keyId: 'k_aaaaaaaaaaaa', sealed: 'v1.zeta' });
    await store.putSecret({ name: 'acme_pg', keyId: 'k_aaaaaaaaaaaa', sealed: 'v1.first' });
    await store.putSecret({ name: 'acme_pg', keyId: 'k_bbbbbbbbbbbb', sealed: 'v1.second' });

    const acme = await store.getSecret('acme_pg');
    expect(acme).toEqual({ name: 'acme_pg', keyId: 'k_bbbbbbbbbbbb', sealed: 'v1.second', updatedAt: expect.any(Date) });
    expect(acme!.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect((await store.listSecrets()).map((s) => [s.name, s.sealed])).toEqual([
      ['acme_pg', 'v1.second'],
      ['zeta_token', 'v1.zeta'],
    ]);

    expect(await store.deleteSecret('acme_pg')).toBe(true);
    expect(await store.deleteSecret('acme_pg')).toBe(false);
    expect((await store.listSecrets()).map((s) => s.name)).toEqual(['zeta_token']);
  });

  it('replaces a secret only while it still holds the ciphertext the caller read', async () => {
    await store.putSecret({ name: 'acme_pg', keyId: 'k_old', sealed: 'v1.read-by-rotation' });
    // A `ferry secrets set` lands between the rotation's read and its write.
    await store.putSecret({ name: 'acme_pg', keyId: 'k_new', sealed: 'v1.set-meanwhile' });

    expect(await store.replaceSecret('acme_pg', 'v1.read-by-rotation', { keyId: 'k_new', sealed: 'v1.rotated-stale' })).toBe(false);
    expect(await store.getSecret('acme_pg')).toMatchObject({ keyId: 'k_new', sealed: 'v1.set-meanwhile' });

    expect(await store.replaceSecret('acme_pg', 'v1.set-meanwhile', { keyId: 'k_newer', sealed: 'v1.rotated' })).toBe(true);
    expect(await store.getSecret('acme_pg')).toMatchObject({ keyId: 'k_newer', sealed: 'v1.rotated' });
    // A secret deleted meanwhile stays deleted.
    expect(await store.replaceSecret('no_such_secret', 'v1.x', { keyId: 'k_new', sealed: 'v1.y' })).toBe(false);
    expect(await store.getSecret('no_such_secret')).toBeUndefined();
  });

  it("keeps a transfer's warnings", async () => {
    const transfer = await store.startTransfer('acme');
    expect((await store.recentTransfers())[0]?.warnings).toEqual([]);
    await store.finishTransfer(transfer, 'succeeded', undefined, ['tenant "Acme" has no rows']);
    expect((await store.recentTransfers())[0]).toMatchObject({ status: 'succeeded', error: null, warnings: ['tenant "Acme" has no rows'] });
  });

  it('keeps the latest verification of each model and counts the syncs since', async () => {
    const base = {
      sourceRows: 5_000_000_001,
      destinationRows: 5_000_000_000,
      buckets: 65536,
      differingBuckets: 1,
      missing: 1,
      extra: 0,
      different: 0,
      sampleKeys: { missing: ['[42]'], extra: [], different: [] },
      notes: ['BigQuery holds JSON numbers as 64-bit floats: compared as such'],
      durationMs: 2500,
      error: null,
    };
    await store.recordVerification({ ...base, destinationId: 'acme', model: 'orders', result: 'different' });
    await store.recordVerification({
      ...base,
      destinationId: 'acme',
      model: 'items',
      result: 'equal',
      missing: 0,
      sampleKeys: { missing: [], extra: [], different: [] },
    });
    const transfer = await store.startTransfer('acme');
    await store.finishTransfer(transfer, 'succeeded');
    const failed = await store.startTransfer('acme');
    await store.finishTransfer(failed, 'failed', 'boom');
    await store.recordVerification({ ...base, destinationId: 'acme', model: 'orders', result: 'repaired' });
    await store.recordVerification({ ...base, destinationId: 'globex', model: 'orders', result: 'failed', error: 'unreachable' });

    const latest = await store.latestVerifications({ destinationId: 'acme' });
    expect(latest.map((v) => [v.model, v.result])).toEqual([
      ['items', 'equal'],
      ['orders', 'repaired'],
    ]);
    expect(latest[1]).toMatchObject({ ...base, destinationId: 'acme', model: 'orders' });
    expect(latest[1]?.verifiedAt).toBeInstanceOf(Date);
    expect((await store.latestVerifications()).map((v) => `${v.destinationId}/${v.model}`)).toEqual(['acme/items', 'acme/orders', 'globex/orders']);

    const items = latest[0]!;
    expect(await store.countSucceededTransfers('acme')).toBe(1);
    expect(await store.countSucceededTransfers('acme', items.verifiedAt)).toBe(1);
    expect(await store.countSucceededTransfers('acme', new Date(Date.now() + 60_000))).toBe(0);
    expect(await store.countSucceededTransfers('globex')).toBe(0);
  });

  it('says it is closed when used after close', async () => {
    await store.close();
    await expect(store.listDestinations()).rejects.toThrow(/is already closed/);
    // Closing twice is harmless: afterEach closes again.
  });
});
