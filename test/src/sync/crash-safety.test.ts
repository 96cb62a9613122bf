import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { loadIntoPostgres } from '@ferry/sample-data';
import { PostgresSource } from '@ferry/sources';
import { openStateStore, type ModelTransfer, type Transfer } from '@ferry/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  EXAMPLE_PROJECT,
  REPO_ROOT,
  createTempDatabase,
  killFerryAt,
  postgresEnv,
  readDestinationTable,
  readSlice,
  runDbt,
  runFerry,
  type DestinationLocation,
  type SliceRow,
  type SyncCheckpoint,
  type TempDatabase,
} from '../index.ts';

/**
 * Crash safety of the real CLI: `ferry sync` is SIGKILLed at each point where a destination holds
 * work the state store does not know about yet (a loaded shadow table, a swapped-in table, staged
 * changes, merged changes). The next plain `ferry sync` must leave every destination equal to the
 * tenant's slice, duplicate nothing, and the one after it must find nothing left to do.
 */
const TENANT = 'tenant_001';
// A checkpoint pauses each destination at the first model reaching it: messages comes first
// because the source changes below give it inserts, updates and hard deletes all at once.
const MODELS = ['messages', ...Object.keys(exportModels).filter((m) => m !== 'messages')] as ExportModelName[];
const TYPES = ['postgres', 'duckdb'] as const;
type DestinationType = (typeof TYPES)[number];
const DESTINATION_ID: Record<DestinationType, string> = { postgres: 'pg-customer', duckdb: 'duck-customer' };

/** One ferry.yaml with its own state store and destination tables, so scenarios start apart. */
interface Workspace {
  readonly config: string;
  readonly statePath: string;
  readonly schema: string;
  readonly locations: Record<DestinationType, DestinationLocation>;
}

let dir: string;
let source: TempDatabase;
let destinationDb: TempDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-crash-'));
  [source, destinationDb] = await Promise.all([createTempDatabase('ferry_src'), createTempDatabase('ferry_dst')]);
  await loadIntoPostgres(source.client, { seed: 11, tenants: 2, messagesPerTenant: 100 });
  await runDbt(['build', '--target-path', join(dir, 'target'), '--log-path', join(dir, 'logs'), '--exclude', 'resource_type:test'], {
    projectDir: join(REPO_ROOT, 'dbt_project'),
    env: { ...postgresEnv(source.url), FERRY_DBT_SCHEMA: 'analytics' },
  });
});

afterAll(async () => {
  await Promise.all([source?.drop(), destinationDb?.drop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function workspace(name: string): Promise<Workspace> {
  const schema = `crash_${name.replace(/-/g, '_')}`;
  const config = join(dir, `${name}.yaml`);
  const common = { tenant: TENANT, models: MODELS, schema };
  await writeFile(
    config,
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'postgres', url: source.url },
      state: { path: `${name}-state.duckdb` },
      sync: { retries: 0, lookback: 0 },
      destinations: [
        { id: DESTINATION_ID.postgres, type: 'postgres', url: destinationDb.url, ...common },
        { id: DESTINATION_ID.duckdb, type: 'duckdb', path: `${name}.duckdb`, ...common },
      ],
    }),
  );
  return {
    config,
    statePath: join(dir, `${name}-state.duckdb`),
    schema,
    locations: { postgres: { type: 'postgres', url: destinationDb.url }, duckdb: { type: 'duckdb', path: join(dir, `${name}.duckdb`) } },
  };
}

const killSyncAt = (ws: Workspace, checkpoint: SyncCheckpoint) => killFerryAt(checkpoint, ['sync', '-c', ws.config]);

/** A plain `ferry sync`, which must succeed for both destinations. */
async function sync(ws: Workspace): Promise<void> {
  const run = await runFerry(['sync', '-c', ws.config]);
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stdout).toContain('2 of 2 destination(s) synced.');
}

/** Each destination's latest transfers, newest first, as `ferry status --json` reports them. */
async function latestTransfers(ws: Workspace, limit: number): Promise<Record<DestinationType, Transfer[]>> {
  const run = await runFerry(['status', '-c', ws.config, '-n', String(limit), '--json']);
  expect(run.exitCode, run.stderr).toBe(0);
  const transfers = JSON.parse(run.stdout) as Transfer[];
  return {
    postgres: transfers.filter((t) => t.destinationId === DESTINATION_ID.postgres),
    duckdb: transfers.filter((t) => t.destinationId === DESTINATION_ID.duckdb),
  };
}

/** Runs the converging sync; returns what it did to messages per destination. */
async function converge(ws: Workspace): Promise<Record<DestinationType, ModelTransfer>> {
  await sync(ws);
  // This run's two transfers, then whatever the killed run had started.
  const transfers = await latestTransfers(ws, 4);
  const done = {} as Record<DestinationType, ModelTransfer>;
  let abandoned = 0;
  for (const type of TYPES) {
    const [latest, previous] = transfers[type];
    expect(latest, type).toMatchObject({ status: 'succeeded', error: null });
    // The killed run's transfer cannot stay 'running' forever: the next run closes it.
    if (previous?.status === 'abandoned') abandoned += 1;
    expect(previous?.status, type).not.toBe('running');
    done[type] = latest!.models.find((m) => m.model === 'messages')!;
  }
  expect(abandoned, 'transfers the killed run left behind, marked abandoned').toBeGreaterThan(0);
  return done;
}

async function expectNextRunChangesNothing(ws: Workspace): Promise<void> {
  await sync(ws);
  const transfers = await latestTransfers(ws, 2);
  for (const type of TYPES) {
    const [latest] = transfers[type];
    expect(latest?.models.map((m) => m.model).sort(), type).toEqual([...MODELS].sort());
    for (const m of latest!.models) expect([m.rowsInserted, m.rowsUpdated, m.rowsDeleted], `${type} ${m.model}`).toEqual([0, 0, 0]);
  }
}

async function sourceSlice(model: ExportModelName): Promise<SliceRow[]> {
  const reader = new PostgresSource({ url: source.url });
  await reader.connect();
  try {
    return await readSlice(reader, exportModels[model], TENANT);
  } finally {
    await reader.close();
  }
}

const destinationSlice = (ws: Workspace, type: DestinationType, model: ExportModelName) =>
  readDestinationTable(ws.locations[type], ws.schema, exportModels[model], modelSql[type][model], TENANT);

/** Runs one query against a destination as a reader would; DuckDB files are opened read-only. */
async function queryDestination(ws: Workspace, type: DestinationType, sql: string): Promise<unknown[][]> {
  if (type === 'postgres') return (await destinationDb.client.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
  const instance = await DuckDBInstance.create((ws.locations.duckdb as { path: string }).path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function tablesIn(ws: Workspace, type: DestinationType): Promise<string[]> {
  const rows = await queryDestination(
    ws,
    type,
    `SELECT table_name FROM information_schema.tables WHERE table_schema = '${ws.schema}' AND table_name NOT IN ('_ferry_tables', '_FERRY_TABLES') ORDER BY 1`,
  );
  return rows.map(([name]) => String(name));
}

async function rowCount(ws: Workspace, type: DestinationType, model: ExportModelName): Promise<number> {
  const [[count]] = (await queryDestination(ws, type, `SELECT count(*) FROM "${ws.schema}"."${modelSql[type][model].table}"`)) as [[unknown]];
  return Number(count);
}

/**
 * The messages watermark in the state store. Reading the store between a kill and the next run,
 * as `ferry plan` would, must not keep that run from recovering.
 */
async function messagesWatermark(ws: Workspace, type: DestinationType): Promise<string | null | undefined> {
  const state = await openStateStore(ws.statePath);
  try {
    return (await state.getModelState(DESTINATION_ID[type], 'messages'))?.watermark;
  } finally {
    await state.close();
  }
}

/**
 * Every destination table equals the tenant's slice, holds no row twice and nothing else, and no
 * shadow table a killed run loaded is left lying around.
 */
async function expectConverged(ws: Workspace): Promise<void> {
  for (const model of MODELS) {
    const expected = await sourceSlice(model);
    expect(expected.length, model).toBeGreaterThan(0);
    for (const type of TYPES) {
      expect(await destinationSlice(ws, type, model), `${type}: ${model}`).toEqual(expected);
      expect(await rowCount(ws, type, model), `${type}: ${model} row count`).toBe(expected.length);
    }
  }
  for (const type of TYPES) expect(await tablesIn(ws, type), type).toEqual(MODELS.map((m) => modelSql[type][m].table).sort());
}

const ID = exportModels.messages.columns.findIndex((c) => c.name === 'id');

/**
 * Gives tenant_001's messages 5 updates (with a later updated_at than any earlier round), 3
 * inserts and 2 hard deletes. Returns the updated ids.
 */
async function changeSource(round: number): Promise<string[]> {
  const later = `clock_timestamp() + interval '${round} hour'`;
  const q = (text: string) => source.client.query(text, [TENANT]);
  const updated = await q(`UPDATE analytics.messages SET status = 'read', updated_at = ${later}
    WHERE id IN (SELECT id FROM analytics.messages WHERE tenant_id = $1 ORDER BY id LIMIT 5 OFFSET ${(round - 1) * 5}) RETURNING id`);
  // Deletes first: a random new id could otherwise fall among the rows picked for deletion.
  await q(`DELETE FROM analytics.messages WHERE id IN (SELECT id FROM analytics.messages WHERE tenant_id = $1 ORDER BY id DESC LIMIT 2 OFFSET 10)`);
  await q(`CREATE TEMP TABLE fresh AS SELECT * FROM analytics.messages WHERE tenant_id = $1 ORDER BY id DESC LIMIT 3`);
  await source.client.query(
    `UPDATE fresh SET id = gen_random_uuid(), updated_at = ${later}; INSERT INTO analytics.messages SELECT * FROM fresh; DROP TABLE fresh`,
  );
  return updated.rows.map((row: { id: string }) => row.id);
}

const counts = (m: ModelTransfer) => [m.rowsInserted, m.rowsUpdated, m.rowsDeleted];

describe('crash safety: ferry sync killed mid-run, then run again', () => {
  it('killed between the first shadow load and its swap: no table appears, and the next run creates them all', async () => {
    const ws = await workspace('first-load');
    await killSyncAt(ws, 'after-load');

    const leftovers: string[] = [];
    for (const type of TYPES) {
      const tables = await tablesIn(ws, type);
      expect(tables, type).not.toContain(modelSql[type].messages.table);
      leftovers.push(...tables);
      expect(await messagesWatermark(ws, type), type).toBeUndefined();
    }
    // The kill landed after a load: a destination holds a loaded but never swapped-in shadow table.
    expect(leftovers).toContain(`${modelSql.postgres.messages.table}__ferry_shadow`);

    const done = await converge(ws);
    for (const type of TYPES) expect(done[type].action, type).toBe('create');
    await expectConverged(ws);
    await expectNextRunChangesNothing(ws);
  });

  // Shared by the scenarios below: each continues from the destinations the previous one left.
  let ws: Workspace;

  it('killed after the first swap, before the watermark is written: the next run merges it again without duplicates', async () => {
    ws = await workspace('first-swap');
    await killSyncAt(ws, 'after-swap');

    const expected = await sourceSlice('messages');
    const swapped = new Set<DestinationType>();
    for (const type of TYPES) {
      expect(await messagesWatermark(ws, type), type).toBeUndefined();
      if ((await tablesIn(ws, type)).includes(modelSql[type].messages.table)) {
        swapped.add(type);
        expect(await destinationSlice(ws, type, 'messages'), type).toEqual(expected);
      }
    }
    expect(swapped.size, 'destinations whose messages table was swapped in before the kill').toBeGreaterThan(0);

    const done = await converge(ws);
    for (const type of TYPES) {
      if (swapped.has(type)) {
        // Ferry has no state for a table it finds: it merges the whole slice, which is already there.
        expect(done[type].action, type).toBe('full-merge');
        expect(counts(done[type]), type).toEqual([0, 0, 0]);
      } else {
        expect(done[type].action, type).toBe('create');
      }
    }
    await expectConverged(ws);
    await expectNextRunChangesNothing(ws);
  });

  it('killed between staging changes and merging them: the next run applies them all', async () => {
    const before = { postgres: await destinationSlice(ws, 'postgres', 'messages'), duckdb: await destinationSlice(ws, 'duckdb', 'messages') };
    const watermarks = { postgres: await messagesWatermark(ws, 'postgres'), duckdb: await messagesWatermark(ws, 'duckdb') };
    expect(watermarks.postgres).toEqual(expect.any(String));
    await changeSource(1);

    await killSyncAt(ws, 'after-stage');
    for (const type of TYPES) {
      expect(await destinationSlice(ws, type, 'messages'), `${type}: nothing merged before the kill`).toEqual(before[type]);
      expect(await messagesWatermark(ws, type), type).toBe(watermarks[type]);
    }

    const done = await converge(ws);
    for (const type of TYPES) expect(done[type]).toMatchObject({ action: 'incremental', rowsInserted: 3, rowsUpdated: 5, rowsDeleted: 2 });
    await expectConverged(ws);
    await expectNextRunChangesNothing(ws);
  });

  it('killed between the merge and the watermark write: the next run re-merges without duplicating or losing updates', async () => {
    const watermarks = { postgres: await messagesWatermark(ws, 'postgres'), duckdb: await messagesWatermark(ws, 'duckdb') };
    const updatedIds = await changeSource(2);
    expect(updatedIds).toHaveLength(5);

    await killSyncAt(ws, 'after-merge');
    const expected = await sourceSlice('messages');
    const merged = new Set<DestinationType>();
    for (const type of TYPES) {
      expect(await messagesWatermark(ws, type), `${type}: watermark not yet advanced`).toBe(watermarks[type]);
      if (JSON.stringify(await destinationSlice(ws, type, 'messages')) === JSON.stringify(expected)) merged.add(type);
    }
    expect(merged.size, 'destinations whose merge committed before the kill').toBeGreaterThan(0);

    const done = await converge(ws);
    for (const type of TYPES) {
      // Re-reading from the old watermark finds the merged rows already there: nothing changes twice.
      expect(counts(done[type]), type).toEqual(merged.has(type) ? [0, 0, 0] : [3, 5, 2]);
      expect(await rowCount(ws, type, 'messages'), `${type}: no duplicated rows`).toBe(expected.length);
      const updatedRows = (await destinationSlice(ws, type, 'messages')).filter((row) => updatedIds.includes(row[ID] as string));
      expect(updatedRows, `${type}: updates present`).toEqual(expected.filter((row) => updatedIds.includes(row[ID] as string)));
      expect(updatedRows).toHaveLength(5);
    }
    await expectConverged(ws);
    await expectNextRunChangesNothing(ws);
  });
});
