import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDestination } from '@ferry/destinations';
import { catalogOf } from '../harness/catalog.ts';
import { fingerprintOf, type ColumnSpec, type ExportModelSpec } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import { openStateStore, type StateStore } from '@ferry/state';
import { syncAll } from '@ferry/sync';
import type { Catalog } from '@ferry/dialects';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDatabase, runOnDuckDB, type TempDatabase } from '../index.ts';

/**
 * A column that leaves the model is never dropped, whatever happens to the table later: a full
 * refresh after the column came back into the model, or a rebuild by a runner whose state store
 * never saw the column retire. Versions of one model are built by hand here, so each step is one
 * sync, without dbt.
 */
const TENANT = 'acme';

function column(name: string, kind: 'text' | 'integer' | 'timestamptz', nullable = true): ColumnSpec {
  return { name, destinationName: name, type: { kind } as ColumnSpec['type'], nullable, dataType: kind };
}

function version(columns: ColumnSpec[]): Catalog {
  const base = {
    name: 'orders',
    destinationName: 'orders',
    source: { schema: 'analytics', identifier: 'orders' },
    columns,
    primaryKey: ['id'],
    tenantColumn: 'tenant_id',
    cursor: 'updated_at',
  } satisfies Omit<ExportModelSpec, 'fingerprint'>;
  const spec: ExportModelSpec = { ...base, fingerprint: fingerprintOf(base) };
  return catalogOf(spec);
}

const keyed = [
  column('tenant_id', 'text', false),
  column('id', 'integer', false),
  column('note', 'text'),
  column('updated_at', 'timestamptz', false),
];
const withLegacy = version([...keyed, column('legacy', 'text')]);
const withoutLegacy = version(keyed);

let dir: string;
let sourcePath: string;
let destinationDb: TempDatabase;
let state: StateStore;

const destinations = () => [
  {
    id: 'pg',
    tenant: TENANT,
    models: ['orders'],
    softDeletes: 'keep' as const,
    open: () => createDestination({ id: 'pg', type: 'postgres', url: destinationDb.url, schema: 'ferry' }),
  },
  {
    id: 'duck',
    tenant: TENANT,
    models: ['orders'],
    softDeletes: 'keep' as const,
    open: () => createDestination({ id: 'duck', type: 'duckdb', path: join(dir, 'duck.duckdb'), schema: 'ferry' }),
  },
];

async function sync(catalog: Catalog, fullRefresh = false, store: StateStore = state) {
  const results = await syncAll(destinations(), () => new DuckDBSource({ path: sourcePath }), store, {
    catalog,
    fullRefresh,
    lookbackSeconds: 0,
    retry: { retries: 0, baseDelayMs: 10 },
    concurrency: 2,
  });
  for (const result of results) expect(result.error, result.destinationId).toBeNull();
  return Object.fromEntries(results.map((r) => [r.destinationId, r.models[0]!]));
}

/** `id legacy` of every row, as each destination holds them, and whether legacy accepts NULL. */
async function legacyValues(): Promise<Record<'pg' | 'duck', string[]>> {
  const pg = await destinationDb.client.query<{ row: string }>(`SELECT id || ' ' || coalesce(legacy, 'NULL') AS row FROM ferry.orders ORDER BY id`);
  const instance = await DuckDBInstance.create(join(dir, 'duck.duckdb'), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const duck = await connection.runAndReadAll(`SELECT CAST(id AS VARCHAR) || ' ' || coalesce(legacy, 'NULL') FROM ferry.orders ORDER BY id`);
    return { pg: pg.rows.map((r) => r.row), duck: duck.getRows().map((r) => String(r[0])) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function changeSource(sql: string): Promise<void> {
  await runOnDuckDB(sourcePath, sql);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-retired-'));
  sourcePath = join(dir, 'vendor.duckdb');
  await changeSource(`CREATE SCHEMA analytics;
    CREATE TABLE analytics.orders (tenant_id VARCHAR, id INTEGER, note VARCHAR, legacy VARCHAR, updated_at TIMESTAMPTZ);
    INSERT INTO analytics.orders VALUES
      ('acme', 1, 'one', 'L1', '2024-01-01 00:00:00+00'), ('acme', 2, 'two', 'L2', '2024-01-01 00:00:00+00'),
      ('globex', 3, 'other tenant', 'L3', '2024-01-01 00:00:00+00')`);
  destinationDb = await createTempDatabase('ferry_retired');
  state = await openStateStore(join(dir, 'state.duckdb'));
  await state.migrate();
});

afterAll(async () => {
  await state?.close();
  await destinationDb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('retired columns through later rebuilds', () => {
  it('keeps a retired column when the model drops it, and its values through a full refresh', async () => {
    await sync(withLegacy);
    const retired = await sync(withoutLegacy);
    for (const outcome of Object.values(retired))
      expect(outcome.schemaChanges).toContain('column legacy left the model: kept (nullable), no longer updated');
    const refreshed = await sync(withoutLegacy, true);
    for (const outcome of Object.values(refreshed)) expect(outcome.schemaChanges).toContain('kept retired column legacy with its values');
    expect(await legacyValues()).toEqual({ pg: ['1 L1', '2 L2'], duck: ['1 L1', '2 L2'] });
  });

  it('a rebuild by a runner with a fresh state store still keeps the columns the model no longer has', async () => {
    const fresh = await openStateStore(join(dir, 'fresh-state.duckdb'));
    await fresh.migrate();
    try {
      // Without state for the table, the first sync merges into it; the full refresh then rebuilds it.
      await sync(withoutLegacy, false, fresh);
      const rebuilt = await sync(withoutLegacy, true, fresh);
      for (const outcome of Object.values(rebuilt)) expect(outcome.action).toBe('rebuild');
    } finally {
      await fresh.close();
    }
    expect(await legacyValues()).toEqual({ pg: ['1 L1', '2 L2'], duck: ['1 L1', '2 L2'] });
  });

  it('a column that comes back into the model is updated again, and survives a full refresh', async () => {
    await changeSource(`UPDATE analytics.orders SET legacy = 'L1 again', updated_at = '2024-02-01 00:00:00+00' WHERE id = 1`);
    const back = await sync(withLegacy);
    for (const outcome of Object.values(back)) expect(outcome.action).toBe('evolve');
    expect(await legacyValues()).toEqual({ pg: ['1 L1 again', '2 L2'], duck: ['1 L1 again', '2 L2'] });
    expect((await state.getModelState('pg', 'orders'))?.retiredColumns).toEqual([]);

    const refreshed = await sync(withLegacy, true);
    for (const outcome of Object.values(refreshed)) expect(outcome.action).toBe('rebuild');
    expect(await legacyValues()).toEqual({ pg: ['1 L1 again', '2 L2'], duck: ['1 L1 again', '2 L2'] });
  });
});
