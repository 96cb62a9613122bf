import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDestination } from '@ferry/destinations';
import type { Catalog } from '@ferry/dialects';
import type { ColumnSpec, ExportModelSpec } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import type { StateStore } from '@ferry/state';
import { syncAll } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { queryDuckDB, runOnDuckDB, type TempDatabase } from '../index.ts';
import { columnOf, exportModelOf, openSyncScratch, type SyncScratch } from '../harness/sync-scratch.ts';

/**
 * Where DDL is transactional (Postgres, DuckDB), a model change and the load that fills it commit
 * together: a transfer that fails at its load leaves the table's schema as it was, and the next
 * run adds the column and backfills it.
 */
const TENANT = 'acme';

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
  return catalogOf(exportModelOf(base));
}

const keyed = [
  columnOf('tenant_id', 'text', false),
  columnOf('id', 'integer', false),
  columnOf('note', 'text'),
  columnOf('updated_at', 'timestamptz', false),
];
const v1 = version(keyed);
// The new column is an integer in the contract, but the source holds text it cannot be: the load fails.
const v2 = version([...keyed, columnOf('quantity', 'integer')]);

let scratch: SyncScratch;
let dir: string;
let sourcePath: string;
let destinationDb: TempDatabase;
let state: StateStore;

async function sync(catalog: Catalog) {
  const targets = [
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
  return syncAll(targets, () => new DuckDBSource({ path: sourcePath }), state, {
    catalog,
    fullRefresh: false,
    lookbackSeconds: 0,
    retry: { retries: 0, baseDelayMs: 10 },
    concurrency: 2,
  });
}

/** The table's columns in each destination. */
async function columns(): Promise<Record<'pg' | 'duck', string[]>> {
  const pg = await destinationDb.client.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'ferry' AND table_name = 'orders' ORDER BY ordinal_position`,
  );
  const instance = await DuckDBInstance.create(join(dir, 'duck.duckdb'), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const duck = await connection.runAndReadAll(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'ferry' AND table_name = 'orders' ORDER BY ordinal_position`,
    );
    return { pg: pg.rows.map((r) => r.name), duck: duck.getRows().map((r) => String(r[0])) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  scratch = await openSyncScratch(
    'failed-evolution',
    `CREATE SCHEMA analytics;
     CREATE TABLE analytics.orders (tenant_id VARCHAR, id INTEGER, note VARCHAR, quantity VARCHAR, updated_at TIMESTAMPTZ);
     INSERT INTO analytics.orders VALUES ('acme', 1, 'one', 'a dozen', '2024-01-01 00:00:00+00'), ('acme', 2, 'two', '3', '2024-01-01 00:00:00+00')`,
  );
  ({ dir, sourcePath, destinationDb, state } = scratch);
  for (const result of await sync(v1)) expect(result.error).toBeNull();
});

afterAll(async () => {
  await scratch?.dispose();
});

describe('a model change whose load fails', () => {
  it('leaves the destination schema as it was', async () => {
    const results = await sync(v2);
    for (const result of results) {
      expect(result.status, result.destinationId).toBe('failed');
    }
    const before = ['tenant_id', 'id', 'note', 'updated_at'];
    expect(await columns()).toEqual({ pg: before, duck: before });
  });

  it('the next run, with the data fixed, adds the column and backfills it', async () => {
    await runOnDuckDB(sourcePath, `UPDATE analytics.orders SET quantity = '12' WHERE id = 1`);
    for (const result of await sync(v2)) expect(result.error, result.destinationId).toBeNull();
    const after = ['tenant_id', 'id', 'note', 'updated_at', 'quantity'];
    expect(await columns()).toEqual({ pg: after, duck: after });
    const { rows } = await destinationDb.client.query(`SELECT id, quantity FROM ferry.orders ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, quantity: 12 },
      { id: 2, quantity: 3 },
    ]);
  });
});

describe('a DuckDB table an earlier Ferry created with a PRIMARY KEY', () => {
  const v3 = version(
    keyed.map((column) => (column.name === 'id' ? columnOf('id', 'bigint', false) : column)).concat(columnOf('quantity', 'integer')),
  );
  const keyConstraints = () =>
    queryDuckDB(
      join(dir, 'duck.duckdb'),
      `SELECT COUNT(*) FROM duckdb_constraints() WHERE table_name = 'orders' AND constraint_type = 'PRIMARY KEY'`,
    );

  it('is rebuilt without the key when a key column widens, where a table of its own widens in place', async () => {
    await runOnDuckDB(join(dir, 'duck.duckdb'), `ALTER TABLE ferry.orders ADD PRIMARY KEY (id)`);
    expect(await keyConstraints()).toEqual([['1']]);
    const results = await sync(v3);
    for (const result of results) expect(result.error, result.destinationId).toBeNull();
    const duck = results.find((r) => r.destinationId === 'duck')!.models[0]!;
    expect(duck.action).toBe('rebuild');
    expect(duck.schemaChanges).toContain('the table declares a primary key, so duckdb cannot change the type of key column id in place');
    expect(results.find((r) => r.destinationId === 'pg')!.models[0]!.action).toBe('evolve');
    expect(await keyConstraints()).toEqual([['0']]);
  });
});
