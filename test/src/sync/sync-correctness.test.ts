import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDestination } from '@ferry/destinations';
import { catalog, exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { loadIntoPostgres } from '@ferry/sample-data';
import { PostgresSource } from '@ferry/sources';
import { openStateStore, type StateStore } from '@ferry/state';
import { syncAll, type DestinationTarget, type KeyComparison, type SyncEvents, type SyncOptions } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  createTempDatabase,
  postgresEnv,
  readDestinationTable,
  readSlice,
  runDbt,
  type DestinationLocation,
  type TempDatabase,
} from '../index.ts';

/**
 * The sync contract end to end: a real dbt-built Postgres source, synced by the engine into a
 * Postgres and a DuckDB destination; after every run each destination table must equal the
 * tenant's slice of the source (same keys, same values), and hold no other tenant's rows.
 */
const TENANT = 'tenant_001';
const MODELS = Object.keys(exportModels) as ExportModelName[];

let source: TempDatabase;
let destinationDb: TempDatabase;
let dir: string;
let state: StateStore;
let locations: Record<'postgres' | 'duckdb', DestinationLocation>;
let targets: DestinationTarget[];

const options = (fullRefresh = false): SyncOptions & { concurrency: number } => ({
  catalog,
  fullRefresh,
  lookbackSeconds: 0,
  retry: { retries: 0, baseDelayMs: 10 },
  concurrency: 2,
});

async function sync(fullRefresh = false, events: SyncEvents = {}) {
  const results = await syncAll(targets, () => new PostgresSource({ url: source.url }), state, options(fullRefresh), events);
  for (const result of results) expect(result.error, result.destinationId).toBeNull();
  return results;
}

async function expectDestinationsEqualSource(): Promise<void> {
  const reader = new PostgresSource({ url: source.url });
  await reader.connect();
  try {
    for (const model of MODELS) {
      const expected = await readSlice(reader, exportModels[model], TENANT);
      expect(expected.length, model).toBeGreaterThan(0);
      for (const [type, location] of Object.entries(locations) as [keyof typeof locations, DestinationLocation][]) {
        const sql = modelSql[type][model];
        const actual = await readDestinationTable(location, 'ferry', exportModels[model], sql, TENANT);
        expect(actual, `${type}: ${model}`).toEqual(expected);
        expect(await rowCount(type, sql.table), `${type}: ${model} holds only ${TENANT}'s rows`).toBe(expected.length);
      }
    }
  } finally {
    await reader.close();
  }
}

async function rowCount(type: 'postgres' | 'duckdb', table: string): Promise<number> {
  if (type === 'postgres') return Number((await destinationDb.client.query(`SELECT count(*) AS n FROM ferry."${table}"`)).rows[0].n);
  const instance = await DuckDBInstance.create(locations.duckdb.type === 'duckdb' ? locations.duckdb.path : '', { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return Number((await connection.runAndReadAll(`SELECT count(*) FROM ferry."${table}"`)).getRows()[0]![0]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-sync-'));
  [source, destinationDb] = await Promise.all([createTempDatabase('ferry_src'), createTempDatabase('ferry_dst')]);
  await loadIntoPostgres(source.client, { seed: 7, tenants: 3, messagesPerTenant: 150 });
  await runDbt(['build', '--target-path', join(dir, 'target'), '--log-path', join(dir, 'logs'), '--exclude', 'resource_type:test'], {
    projectDir: join(REPO_ROOT, 'dbt_project'),
    env: { ...postgresEnv(source.url), FERRY_DBT_SCHEMA: 'analytics' },
  });
  // Adversarial neighbours: tenant values that differ from TENANT only by case or whitespace.
  for (const impostor of ['TENANT_001', 'tenant_001 ', ' tenant_001', 'tenant_0011']) {
    await source.client.query(`CREATE TEMP TABLE impostor AS SELECT * FROM analytics.messages WHERE tenant_id = $1 LIMIT 3`, [TENANT]);
    await source.client.query(`UPDATE impostor SET id = gen_random_uuid(), tenant_id = $1`, [impostor]);
    await source.client.query(`INSERT INTO analytics.messages SELECT * FROM impostor; DROP TABLE impostor`);
  }
  locations = { postgres: { type: 'postgres', url: destinationDb.url }, duckdb: { type: 'duckdb', path: join(dir, 'customer.duckdb') } };
  targets = [
    {
      id: 'pg-customer',
      tenant: TENANT,
      models: MODELS,
      softDeletes: 'keep',
      open: () => createDestination({ id: 'pg-customer', type: 'postgres', url: destinationDb.url, schema: 'ferry' }),
    },
    {
      id: 'duck-customer',
      tenant: TENANT,
      models: MODELS,
      softDeletes: 'keep',
      open: () => createDestination({ id: 'duck-customer', type: 'duckdb', path: join(dir, 'customer.duckdb'), schema: 'ferry' }),
    },
  ];
  state = await openStateStore(join(dir, 'state.duckdb'));
  await state.migrate();
});

afterAll(async () => {
  await state?.close();
  await Promise.all([source?.drop(), destinationDb?.drop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sync: Postgres source -> Postgres and DuckDB destinations', () => {
  it('backfills every model so each destination equals the tenant slice', async () => {
    const results = await sync();
    for (const result of results) {
      expect(result.models.map((m) => m.action)).toEqual(MODELS.map(() => 'create'));
      expect(result.models.every((m) => m.rowsInserted > 0)).toBe(true);
    }
    await expectDestinationsEqualSource();
  });

  it('a second run with no changes changes nothing', async () => {
    for (const result of await sync()) {
      for (const model of result.models) {
        expect([model.rowsInserted, model.rowsUpdated, model.rowsDeleted], `${result.destinationId} ${model.model}`).toEqual([0, 0, 0]);
      }
    }
    await expectDestinationsEqualSource();
  });

  it('carries updates, inserts, soft deletes and hard deletes incrementally', async () => {
    const now = `clock_timestamp() + interval '1 hour'`;
    const q = (text: string) => source.client.query(text, [TENANT]);
    await q(`UPDATE analytics.messages SET status = 'read', updated_at = ${now}
             WHERE id IN (SELECT id FROM analytics.messages WHERE tenant_id = $1 ORDER BY id LIMIT 5)`);
    // Deletes first: a random new id could otherwise fall among the rows picked for deletion.
    await q(`DELETE FROM analytics.messages WHERE id IN (SELECT id FROM analytics.messages WHERE tenant_id = $1 ORDER BY id DESC LIMIT 2 OFFSET 10)`);
    await q(`CREATE TEMP TABLE fresh AS SELECT * FROM analytics.messages WHERE tenant_id = $1 ORDER BY id DESC LIMIT 3`);
    await source.client.query(`UPDATE fresh SET id = gen_random_uuid(), updated_at = ${now}; INSERT INTO analytics.messages SELECT * FROM fresh`);
    await q(`UPDATE analytics.recipients SET deleted_at = ${now}, updated_at = ${now}
             WHERE id IN (SELECT id FROM analytics.recipients WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 2)`);
    await q(`DELETE FROM analytics.workflows WHERE id IN (SELECT id FROM analytics.workflows WHERE tenant_id = $1 ORDER BY id LIMIT 2)`);
    await q(
      `DELETE FROM analytics.daily_channel_engagement WHERE ctid IN (SELECT ctid FROM analytics.daily_channel_engagement WHERE tenant_id = $1 LIMIT 1)`,
    );

    const comparisons = new Map<string, KeyComparison>();
    for (const result of await sync(false, {
      keysCompared: (destination, model, comparison) => comparisons.set(`${destination} ${model}`, comparison),
    })) {
      const byModel = Object.fromEntries(result.models.map((m) => [m.model, m]));
      expect(byModel.messages).toMatchObject({ action: 'incremental', rowsInserted: 3, rowsUpdated: 5, rowsDeleted: 2 });
      const messages = comparisons.get(`${result.destinationId} messages`);
      expect(messages).toMatchObject({ deleted: 2, sourceRows: (messages?.destinationRows ?? 0) - 2 });
      if (messages?.hash === 'postgres') {
        // The 2 deleted keys were found by listing the keys of at most 2 buckets, not of the table.
        expect(messages.differingBuckets).toBeGreaterThanOrEqual(1);
        expect(messages.differingBuckets).toBeLessThanOrEqual(2);
        expect(messages.keysListed).toBeLessThan(messages.destinationRows / 2);
      } else {
        // Into DuckDB by md5-sum, which Postgres computes more slowly than it exports keys: the
        // whole set is the one differing bucket, every key listed.
        expect(messages).toMatchObject({ hash: 'md5-sum', prefixLength: 0, differingBuckets: 1, keysListed: messages?.sourceRows });
      }
      expect(byModel.recipients).toMatchObject({ rowsUpdated: 2, rowsDeleted: 0 });
      expect(byModel.workflows).toMatchObject({ rowsDeleted: 2 });
      expect(byModel.daily_channel_engagement).toMatchObject({ action: 'full-merge', rowsDeleted: 1 });
    }
    await expectDestinationsEqualSource();
  });

  it('full refresh rebuilds every table in a shadow copy and swaps it in', async () => {
    for (const result of await sync(true)) {
      expect(result.models.map((m) => m.action)).toEqual(MODELS.map(() => 'rebuild'));
    }
    await expectDestinationsEqualSource();
    const tables = await destinationDb.client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'ferry' AND table_name <> '_ferry_tables' ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(MODELS.map((m) => modelSql.postgres[m].table).sort());
  });

  it('records every transfer with what moved', async () => {
    const transfers = await state.recentTransfers({ destinationId: 'pg-customer', limit: 10 });
    expect(transfers.map((t) => t.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const incremental = transfers[1]!.models.find((m) => m.model === 'messages')!;
    expect(incremental).toMatchObject({ rowsInserted: 3, rowsUpdated: 5, rowsDeleted: 2 });
    expect(incremental.bytes).toBeGreaterThan(0);
  });
});
