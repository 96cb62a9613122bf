import { createDestination } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import type { StateStore } from '@ferry/state';
import { syncAll } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { readDestinationTable, readSlice } from '../harness/slices.ts';
import { runOnDuckDB, type TempDatabase } from '../index.ts';
import { columnOf, exportModelOf, openSyncScratch, type SyncScratch } from '../harness/sync-scratch.ts';

/**
 * A cursor the contract lets be NULL (the generator refuses one without a rule): with
 * `null_cursor: always_read` such rows are re-read every sync, so their changes arrive; with
 * `refuse` the model fails, naming the rows, before anything is written.
 */
const TENANT = 'acme';

function model(name: string, nullCursor: 'always_read' | 'refuse'): ExportModelSpec {
  const base = {
    name,
    destinationName: name,
    source: { schema: 'analytics', identifier: name },
    columns: [
      columnOf('tenant_id', 'text', false),
      columnOf('id', 'integer', false),
      columnOf('note', 'text'),
      columnOf('updated_at', 'timestamptz'),
    ],
    primaryKey: ['id'],
    tenantColumn: 'tenant_id',
    cursor: 'updated_at',
    nullCursor,
  } satisfies Omit<ExportModelSpec, 'fingerprint'>;
  return exportModelOf(base);
}

const alwaysRead = model('accounts', 'always_read');
const refused = model('invoices', 'refuse');
const catalog = catalogOf(alwaysRead, refused);

let scratch: SyncScratch;
let sourcePath: string;
let destinationDb: TempDatabase;
let state: StateStore;

async function sync(models: string[]) {
  const target = {
    id: 'pg',
    tenant: TENANT,
    models,
    softDeletes: 'keep' as const,
    open: () => createDestination({ id: 'pg', type: 'postgres', url: destinationDb.url, schema: 'ferry' }),
  };
  const [result] = await syncAll([target], () => new DuckDBSource({ path: sourcePath }), state, {
    catalog,
    fullRefresh: false,
    lookbackSeconds: 0,
    retry: { retries: 0, baseDelayMs: 10 },
    concurrency: 1,
  });
  return result!;
}

beforeAll(async () => {
  scratch = await openSyncScratch(
    'null-cursors',
    `CREATE SCHEMA analytics;
     CREATE TABLE analytics.accounts (tenant_id VARCHAR, id INTEGER, note VARCHAR, updated_at TIMESTAMPTZ);
     INSERT INTO analytics.accounts VALUES ('acme', 1, 'dated', '2024-06-01 00:00:00+00'), ('acme', 2, 'undated', NULL);
     CREATE TABLE analytics.invoices (tenant_id VARCHAR, id INTEGER, note VARCHAR, updated_at TIMESTAMPTZ);
     INSERT INTO analytics.invoices VALUES ('acme', 1, 'dated', '2024-06-01 00:00:00+00'), ('acme', 2, 'undated', NULL), ('globex', 3, 'other', NULL)`,
  );
  ({ sourcePath, destinationDb, state } = scratch);
});

afterAll(async () => {
  await scratch?.dispose();
});

describe('rows whose cursor is NULL', () => {
  it('always_read: re-read every sync, so a change to one arrives although its cursor never moves', async () => {
    expect((await sync(['accounts'])).error).toBeNull();
    await runOnDuckDB(sourcePath, `UPDATE analytics.accounts SET note = 'changed, still undated' WHERE id = 2`);
    const result = await sync(['accounts']);
    expect(result.error).toBeNull();
    expect(result.models[0]).toMatchObject({ action: 'incremental', rowsUpdated: 1, rowsInserted: 0 });
    const source = new DuckDBSource({ path: sourcePath });
    await source.connect();
    const expected = await readSlice(source, alwaysRead, TENANT).finally(() => source.close());
    expect(
      await readDestinationTable({ type: 'postgres', url: destinationDb.url }, 'ferry', alwaysRead, catalog.modelSql.postgres.accounts!, TENANT),
    ).toEqual(expected);
  });

  it('always_read: a row whose cursor becomes NULL still carries its change', async () => {
    await runOnDuckDB(sourcePath, `UPDATE analytics.accounts SET note = 'now undated', updated_at = NULL WHERE id = 1`);
    const result = await sync(['accounts']);
    expect(result.error).toBeNull();
    expect(result.models[0]).toMatchObject({ rowsUpdated: 1 });
    const source = new DuckDBSource({ path: sourcePath });
    await source.connect();
    const expected = await readSlice(source, alwaysRead, TENANT).finally(() => source.close());
    expect(
      await readDestinationTable({ type: 'postgres', url: destinationDb.url }, 'ferry', alwaysRead, catalog.modelSql.postgres.accounts!, TENANT),
    ).toEqual(expected);
  });

  it('refuse: the model fails naming the rows and the fix, and writes nothing', async () => {
    const result = await sync(['invoices']);
    expect(result.status).toBe('failed');
    expect(result.models[0]?.error).toBe(
      '1 row(s) of export model "invoices" for tenant "acme" have a NULL updated_at, and the model\'s null_cursor is refuse: ' +
        'give them a cursor value in the dbt model, or set meta.ferry.null_cursor: always_read to re-read them on every sync',
    );
    const { rows } = await destinationDb.client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'ferry' AND table_name = 'invoices'`,
    );
    expect(rows).toEqual([]);
  });
});
