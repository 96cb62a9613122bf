import { createDestination } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import { syncAll, verifyDestination, type DestinationResult } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { columnOf, exportModelOf, openSyncScratch, type SyncScratch } from '../harness/sync-scratch.ts';

/**
 * Every destination table records which destination it belongs to: a second destination pointed
 * at the same table (schema names that fold alike, one database reached twice) is refused by name
 * instead of deleting the first one's rows. A shadow table left by a killed sync is dropped by the
 * next sync, which says so.
 */
const spec = exportModelOf({
  name: 'orders',
  destinationName: 'orders',
  source: { schema: 'analytics', identifier: 'orders' },
  columns: [columnOf('tenant_id', 'text', false), columnOf('id', 'integer', false), columnOf('updated_at', 'timestamptz')],
  primaryKey: ['id'],
  tenantColumn: 'tenant_id',
  cursor: 'updated_at',
} satisfies Omit<ExportModelSpec, 'fingerprint'>);
const catalog = catalogOf(spec);

let scratch: SyncScratch;

const target = (id: string, tenant: string, schema: string) => ({
  id,
  tenant,
  models: ['orders'],
  softDeletes: 'keep' as const,
  open: () => createDestination({ id, type: 'postgres', url: scratch.destinationDb.url, schema }),
});

async function sync(t: ReturnType<typeof target>): Promise<DestinationResult> {
  const [result] = await syncAll([t], () => new DuckDBSource({ path: scratch.sourcePath }), scratch.state, {
    catalog,
    fullRefresh: false,
    lookbackSeconds: 0,
    retry: { retries: 0, baseDelayMs: 10 },
    concurrency: 1,
  });
  return result!;
}

const acmeRows = async () =>
  (await scratch.destinationDb.client.query(`SELECT id FROM shared.orders WHERE tenant_id = 'acme' ORDER BY id`)).rows.map((r) => r.id as number);

beforeAll(async () => {
  scratch = await openSyncScratch(
    'ownership',
    `CREATE SCHEMA analytics; CREATE TABLE analytics.orders (tenant_id VARCHAR, id INTEGER, updated_at TIMESTAMPTZ);
     INSERT INTO analytics.orders VALUES ('acme', 1, '2024-01-01'), ('acme', 2, '2024-01-01'), ('globex', 3, '2024-01-01')`,
  );
});

afterAll(async () => {
  await scratch?.dispose();
});

describe('a destination table belongs to one destination', () => {
  it('a second destination on the same table is refused, naming the owner, and the owner keeps its rows', async () => {
    expect((await sync(target('col-a', 'acme', 'Shared'))).error).toBeNull();
    expect(await acmeRows()).toEqual([1, 2]);
    // `shared` and `Shared` fold to one Postgres schema.
    const second = await sync(target('col-b', 'globex', 'shared'));
    expect(second.status).toBe('failed');
    expect(second.models[0]?.error).toContain(
      'table "shared"."orders" belongs to destination "col-a" (tenant "acme", model orders), not to "col-b" (tenant "globex")',
    );
    expect(await acmeRows()).toEqual([1, 2]);
    const [verification] = await verifyDestination(
      target('col-b', 'globex', 'shared'),
      () => new DuckDBSource({ path: scratch.sourcePath }),
      scratch.state,
      {
        catalog,
        repair: true,
        retry: { retries: 0, baseDelayMs: 10 },
      },
    );
    expect(verification).toMatchObject({ result: 'failed', error: expect.stringContaining('belongs to destination "col-a"') });
    expect(await acmeRows()).toEqual([1, 2]);
    // The owner itself goes on syncing.
    expect((await sync(target('col-a', 'acme', 'Shared'))).error).toBeNull();
  });

  it('a shadow table left by a killed sync is dropped by the next sync, which says so', async () => {
    await scratch.destinationDb.client.query('CREATE TABLE shared.orders__ferry_shadow AS SELECT * FROM shared.orders');
    const warnings: string[] = [];
    const [result] = await syncAll(
      [target('col-a', 'acme', 'Shared')],
      () => new DuckDBSource({ path: scratch.sourcePath }),
      scratch.state,
      {
        catalog,
        fullRefresh: false,
        lookbackSeconds: 0,
        retry: { retries: 0, baseDelayMs: 10 },
        concurrency: 1,
      },
      { warning: (_id, message) => warnings.push(message) },
    );
    expect(result?.error).toBeNull();
    expect(warnings).toEqual(['dropped "shared"."orders__ferry_shadow", left by an earlier sync that did not finish']);
    const { rows } = await scratch.destinationDb.client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'shared' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(['_ferry_tables', 'orders']);
    const [transfer] = await scratch.state.recentTransfers({ destinationId: 'col-a', limit: 1 });
    expect(transfer?.warnings).toEqual(warnings);
  });
});
