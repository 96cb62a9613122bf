import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDestination } from '@ferry/destinations';
import { fingerprintOf, formatLogicalType, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import { openStateStore, type StateStore } from '@ferry/state';
import { syncAll, verifyDestination, type DestinationTarget } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { createTempDatabase, type TempDatabase } from '../harness/postgres.ts';
import { queryDuckDB, runOnDuckDB } from '../harness/duckdb.ts';

/**
 * A boolean soft-delete column marks a row deleted when TRUE; FALSE and NULL are live. With
 * `soft_deletes: delete`, every part of a sync must read it so: the purge, the live rows the key
 * comparison counts on the source, the merge's counts, and verify. Reading "live" as IS NULL
 * would make every FALSE row look deleted at the source, and the key comparison would delete it.
 */
const TENANT = 'acme';

function column(name: string, type: LogicalType, nullable = true): ColumnSpec {
  return { name, destinationName: name, type, nullable, dataType: formatLogicalType(type) };
}

const base = {
  name: 'accounts',
  destinationName: 'accounts',
  source: { schema: 'analytics', identifier: 'accounts' },
  columns: [
    column('tenant_id', { kind: 'text' }, false),
    column('id', { kind: 'integer' }, false),
    column('name', { kind: 'text' }),
    column('is_deleted', { kind: 'boolean' }),
    column('updated_at', { kind: 'timestamptz' }, false),
  ],
  primaryKey: ['tenant_id', 'id'],
  tenantColumn: 'tenant_id',
  cursor: 'updated_at',
  softDelete: 'is_deleted',
} satisfies Omit<ExportModelSpec, 'fingerprint'>;
const spec: ExportModelSpec = { ...base, fingerprint: fingerprintOf(base) };
const catalog = catalogOf(spec);

let dir: string;
let sourcePath: string;
let state: StateStore;
let destinationDb: TempDatabase;
let targets: DestinationTarget[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-boolean-soft-delete-'));
  sourcePath = join(dir, 'vendor.duckdb');
  await runOnDuckDB(
    sourcePath,
    'CREATE SCHEMA analytics',
    'CREATE TABLE analytics.accounts (tenant_id VARCHAR, id INTEGER, name VARCHAR, is_deleted BOOLEAN, updated_at TIMESTAMPTZ)',
    `INSERT INTO analytics.accounts VALUES
      ('acme', 1, 'live, flag false', FALSE, '2024-01-01 00:00:00+00'),
      ('acme', 2, 'live, flag null', NULL, '2024-01-01 00:00:00+00'),
      ('acme', 3, 'deleted', TRUE, '2024-01-01 00:00:00+00'),
      ('acme', 4, 'live, flag false', FALSE, '2024-01-01 00:00:00+00'),
      ('globex', 1, 'another tenant', FALSE, '2024-01-01 00:00:00+00')`,
  );
  state = await openStateStore(join(dir, 'state.duckdb'));
  await state.migrate();
  destinationDb = await createTempDatabase('ferry_boolean_soft_delete');
  targets = [
    {
      id: 'duck',
      tenant: TENANT,
      models: [spec.name],
      softDeletes: 'delete',
      open: () => createDestination({ id: 'duck', type: 'duckdb', path: join(dir, 'duck.duckdb'), schema: 'ferry' }),
    },
    {
      id: 'pg',
      tenant: TENANT,
      models: [spec.name],
      softDeletes: 'delete',
      open: () => createDestination({ id: 'pg', type: 'postgres', url: destinationDb.url, schema: 'ferry' }),
    },
  ];
});

afterAll(async () => {
  await state?.close();
  await destinationDb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sync() {
  const results = await syncAll(targets, () => new DuckDBSource({ path: sourcePath }), state, {
    catalog,
    fullRefresh: false,
    lookbackSeconds: 0,
    retry: { retries: 0, baseDelayMs: 10 },
    concurrency: 2,
  });
  for (const result of results) expect(result.error, result.destinationId).toBeNull();
  return Object.fromEntries(results.map((r) => [r.destinationId, r.models[0]!]));
}

async function idsIn(id: string): Promise<number[]> {
  if (id === 'duck') return (await queryDuckDB(join(dir, 'duck.duckdb'), 'SELECT id FROM ferry.accounts ORDER BY id')).map(([v]) => Number(v));
  const { rows } = await destinationDb.client.query<{ id: number }>('SELECT id FROM ferry.accounts ORDER BY id');
  return rows.map((r) => r.id);
}

describe('a boolean soft-delete column under soft_deletes: delete', () => {
  it('keeps the FALSE and NULL rows and leaves out the TRUE one, on every sync', async () => {
    for (const outcome of Object.values(await sync())) expect(outcome).toMatchObject({ action: 'create', rowsInserted: 3, rowsDeleted: 0 });
    for (const id of ['duck', 'pg']) expect(await idsIn(id), id).toEqual([1, 2, 4]);
    // A sync with nothing changed compares keys: live FALSE rows are live at the source too.
    for (const outcome of Object.values(await sync()))
      expect(outcome).toMatchObject({ action: 'incremental', rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
    for (const id of ['duck', 'pg']) expect(await idsIn(id), id).toEqual([1, 2, 4]);
  });

  it('purges a row flagged TRUE later, counted as one deletion, and keeps one set back to FALSE', async () => {
    await runOnDuckDB(
      sourcePath,
      `UPDATE analytics.accounts SET is_deleted = TRUE, updated_at = '2024-01-02 00:00:00+00' WHERE tenant_id = 'acme' AND id = 1`,
      `UPDATE analytics.accounts SET is_deleted = FALSE, updated_at = '2024-01-02 00:00:00+00' WHERE tenant_id = 'acme' AND id = 3`,
    );
    for (const outcome of Object.values(await sync())) expect(outcome).toMatchObject({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 1 });
    for (const id of ['duck', 'pg']) expect(await idsIn(id), id).toEqual([2, 3, 4]);
  });

  it('verify finds both destinations equal to the live slice', async () => {
    for (const target of targets) {
      const [outcome] = await verifyDestination(target, () => new DuckDBSource({ path: sourcePath }), state, {
        catalog,
        repair: false,
        retry: { retries: 0, baseDelayMs: 10 },
      });
      expect(outcome, target.id).toMatchObject({ result: 'equal', sourceRows: 3, destinationRows: 3 });
    }
  });
});
