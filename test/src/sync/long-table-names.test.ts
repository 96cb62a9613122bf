import { besideTableName, createDestination } from '@ferry/destinations';
import { dialects } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import type { StateStore } from '@ferry/state';
import { syncAll } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { runOnDuckDB, type TempDatabase } from '../index.ts';
import { columnOf, exportModelOf, openSyncScratch, type SyncScratch } from '../harness/sync-scratch.ts';

/**
 * A destination table whose name is as long as Postgres allows (63 bytes): the tables Ferry keeps
 * beside it (the shadow a rebuild fills, the previous table kept whole) must fit too, or Postgres
 * cuts their names to the table's own name and the rebuild fails or hits the live table.
 */
const TENANT = 'acme';
/** 63 bytes, multi-byte characters at the end, so a clip must not split one. */
const LONG = `${'order_lines_by_region_and_fulfilment_centre_'.padEnd(55, 'x')}_größe`;

function model(keyColumns: readonly string[]): ExportModelSpec {
  const base = {
    name: 'order_lines',
    destinationName: LONG,
    source: { schema: 'analytics', identifier: 'order_lines' },
    columns: [
      columnOf('tenant_id', 'text', false),
      columnOf('id', 'integer', false),
      columnOf('line', 'integer', false),
      columnOf('note', 'text'),
      columnOf('updated_at', 'timestamptz', false),
    ],
    primaryKey: [...keyColumns],
    tenantColumn: 'tenant_id',
    cursor: 'updated_at',
  } satisfies Omit<ExportModelSpec, 'fingerprint'>;
  return exportModelOf(base);
}

let scratch: SyncScratch;
let sourcePath: string;
let destinationDb: TempDatabase;
let state: StateStore;

async function sync(spec: ExportModelSpec, fullRefresh: boolean) {
  const target = {
    id: 'pg',
    tenant: TENANT,
    models: ['order_lines'],
    softDeletes: 'keep' as const,
    open: () => createDestination({ id: 'pg', type: 'postgres', url: destinationDb.url, schema: 'ferry' }),
  };
  const [result] = await syncAll([target], () => new DuckDBSource({ path: sourcePath }), state, {
    catalog: catalogOf(spec),
    fullRefresh,
    lookbackSeconds: 0,
    retry: { retries: 0, baseDelayMs: 10 },
    concurrency: 1,
  });
  expect(result?.error ?? null, result?.models.map((m) => m.error).join('; ')).toBeNull();
  return result!.models[0]!;
}

async function tables(): Promise<string[]> {
  const { rows } = await destinationDb.client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'ferry' AND table_name <> '_ferry_tables' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

beforeAll(async () => {
  scratch = await openSyncScratch(
    'long-names',
    `CREATE SCHEMA analytics;
     CREATE TABLE analytics.order_lines (tenant_id VARCHAR, id INTEGER, line INTEGER, note VARCHAR, updated_at TIMESTAMPTZ);
     INSERT INTO analytics.order_lines VALUES ('acme', 1, 1, 'one', '2024-01-01 00:00:00+00'), ('acme', 2, 1, 'two', '2024-01-01 00:00:00+00')`,
  );
  ({ sourcePath, destinationDb, state } = scratch);
});

afterAll(async () => {
  await scratch?.dispose();
});

describe('helper tables beside a table with the longest name the warehouse allows', () => {
  it('are named to fit, never split a character, and differ for two tables sharing a prefix', () => {
    const postgres = dialects.postgres;
    expect(Buffer.byteLength(LONG)).toBe(63);
    const shadow = besideTableName(postgres, LONG, 'shadow');
    expect(Buffer.byteLength(shadow)).toBeLessThanOrEqual(63);
    expect(shadow).toMatch(/_[0-9a-f]{8}__ferry_shadow$/);
    expect(shadow).not.toContain('\uFFFD');
    expect(besideTableName(postgres, `${LONG.slice(0, 50)}_other`, 'shadow')).not.toBe(shadow);
    expect(besideTableName(postgres, 'messages', 'shadow')).toBe('messages__ferry_shadow');
  });

  it('a full refresh rebuilds it through a shadow of a name that fits', async () => {
    expect((await sync(model(['tenant_id', 'id']), false)).action).toBe('create');
    expect((await sync(model(['tenant_id', 'id']), true)).action).toBe('rebuild');
    expect(await tables()).toEqual([LONG]);
    const { rows } = await destinationDb.client.query(`SELECT id, note FROM ferry."${LONG}" ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'two' },
    ]);
  });

  it('a new key keeps the previous table whole beside it, under a name that fits', async () => {
    await runOnDuckDB(sourcePath, `ALTER TABLE analytics.order_lines ADD COLUMN retired_note VARCHAR`);
    // The key changes: rows cannot be matched, so the old table is kept whole and a new one built.
    await destinationDb.client.query(`ALTER TABLE ferry."${LONG}" ADD COLUMN legacy TEXT`);
    await sync(model(['tenant_id', 'id', 'line']), false);
    const kept = besideTableName(dialects.postgres, LONG, 'retired');
    expect(await tables()).toEqual([LONG, kept].sort());
  });
});
