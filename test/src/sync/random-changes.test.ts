import { join } from 'node:path';
import { createDestination } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import type { StateStore } from '@ferry/state';
import { syncAll, type SoftDeleteMode } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { readDestinationTable, readSlice, type DestinationLocation } from '../harness/slices.ts';
import { runOnDuckDB, type TempDatabase } from '../index.ts';
import { columnOf, exportModelOf, openSyncScratch, type SyncScratch } from '../harness/sync-scratch.ts';

/**
 * Random source changes between plain incremental syncs, seeded so a failure replays: inserts
 * (current, backdated far behind the watermark, or with a NULL cursor), updates, hard deletes,
 * soft deletes and rows moving to the other tenant. After every sync each destination equals its
 * tenant's slice exactly (live rows only where soft-deleted rows are deleted).
 *
 * What plain syncs do not promise, and this test therefore does not do: change a row's values
 * without moving its cursor (see docs/sync.md, "Choosing a cursor").
 * CI runs FERRY_RANDOM_ROUNDS rounds (default 8) with FERRY_RANDOM_SEED (default 20261206).
 */
const ROUNDS = Number(process.env.FERRY_RANDOM_ROUNDS ?? 8);
const SEED = Number(process.env.FERRY_RANDOM_SEED ?? 20261206);
const TENANTS = ['acme', 'globex'] as const;


const base = {
  name: 'orders',
  destinationName: 'orders',
  source: { schema: 'analytics', identifier: 'orders' },
  columns: [columnOf('tenant_id', 'text', false), columnOf('id', 'integer', false), columnOf('note', 'text'), columnOf('deleted_at', 'timestamptz'), columnOf('updated_at', 'timestamptz')],
  primaryKey: ['id'],
  tenantColumn: 'tenant_id',
  cursor: 'updated_at',
  nullCursor: 'always_read' as const,
  softDelete: 'deleted_at',
} satisfies Omit<ExportModelSpec, 'fingerprint'>;
const spec = exportModelOf(base);
const catalog = catalogOf(spec);

/** mulberry32: a small, seeded PRNG, so a failing sequence replays exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row {
  tenant: string;
  id: number;
  note: string;
  deleted: boolean;
}

let scratch: SyncScratch;
let dir: string;
let sourcePath: string;
let destinationDb: TempDatabase;
let state: StateStore;
const rows = new Map<number, Row>();
const next = random(SEED);
let nextId = 1;
/** The current time in the source, in whole minutes from 2024-01-01: every change moves it on. */
let clock = 0;

const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
const at = (minutes: number) => `'${new Date(Date.UTC(2024, 0, 1) + minutes * 60_000).toISOString()}'`;

const targets = () =>
  TENANTS.flatMap((tenant) =>
    (['keep', 'delete'] as const).map((mode) => {
      const id = `${tenant}-${mode}`;
      return {
        id,
        tenant,
        models: ['orders'],
        softDeletes: mode as SoftDeleteMode,
        location: mode === 'keep' ? ({ type: 'postgres', url: destinationDb.url } as const) : ({ type: 'duckdb', path: join(dir, `${id}.duckdb`) } as const),
        schema: `t_${tenant}_${mode}`,
      };
    }),
  );

/** One random change to the source, as SQL. */
function change(): string {
  clock += 1 + Math.floor(next() * 5);
  const live = [...rows.values()];
  const kind = live.length < 3 ? 'insert' : pick(['insert', 'insert', 'backdated', 'null cursor', 'update', 'update', 'hard delete', 'soft delete', 'move']);
  switch (kind) {
    case 'insert':
    case 'backdated':
    case 'null cursor': {
      const row = { tenant: pick(TENANTS), id: nextId++, note: `n${clock}`, deleted: false };
      rows.set(row.id, row);
      const cursor = kind === 'insert' ? at(clock) : kind === 'backdated' ? at(-10_000 - clock) : 'NULL';
      return `INSERT INTO analytics.orders VALUES ('${row.tenant}', ${row.id}, '${row.note}', NULL, ${cursor})`;
    }
    case 'update': {
      const row = pick(live);
      row.note = `u${clock}`;
      // A row whose cursor is NULL keeps it NULL: always_read re-reads it anyway.
      return `UPDATE analytics.orders SET note = '${row.note}', updated_at = CASE WHEN updated_at IS NULL THEN NULL ELSE ${at(clock)} END WHERE id = ${row.id}`;
    }
    case 'hard delete': {
      const row = pick(live);
      rows.delete(row.id);
      return `DELETE FROM analytics.orders WHERE id = ${row.id}`;
    }
    case 'soft delete': {
      const row = pick(live);
      row.deleted = true;
      return `UPDATE analytics.orders SET deleted_at = ${at(clock)}, updated_at = CASE WHEN updated_at IS NULL THEN NULL ELSE ${at(clock)} END WHERE id = ${row.id}`;
    }
    default: {
      const row = pick(live);
      row.tenant = row.tenant === 'acme' ? 'globex' : 'acme';
      return `UPDATE analytics.orders SET tenant_id = '${row.tenant}', updated_at = CASE WHEN updated_at IS NULL THEN NULL ELSE ${at(clock)} END WHERE id = ${row.id}`;
    }
  }
}

async function syncEverything(): Promise<void> {
  const list = targets();
  const results = await syncAll(
    list.map((t) => ({
      id: t.id,
      tenant: t.tenant,
      models: t.models,
      softDeletes: t.softDeletes,
      open: () =>
        t.location.type === 'postgres'
          ? createDestination({ id: t.id, type: 'postgres', url: t.location.url, schema: t.schema })
          : createDestination({ id: t.id, type: 'duckdb', path: t.location.path, schema: t.schema }),
    })),
    () => new DuckDBSource({ path: sourcePath }),
    state,
    { catalog, fullRefresh: false, lookbackSeconds: 60, retry: { retries: 0, baseDelayMs: 10 }, concurrency: 2 },
  );
  for (const result of results) expect(result.error, `${result.destinationId}: ${result.models.map((m) => m.error).join('; ')}`).toBeNull();
}

async function expectEverySliceEqual(round: number): Promise<void> {
  const source = new DuckDBSource({ path: sourcePath });
  await source.connect();
  try {
    const deletedAt = spec.columns.findIndex((c) => c.name === 'deleted_at');
    for (const target of targets()) {
      const slice = await readSlice(source, spec, target.tenant);
      const want = target.softDeletes === 'delete' ? slice.filter((row) => row[deletedAt] === null) : slice;
      const got = await readDestinationTable(target.location as DestinationLocation, target.schema, spec, catalog.modelSql[target.location.type].orders!, target.tenant);
      expect(got, `round ${round}, seed ${SEED}: ${target.id}`).toEqual(want);
    }
  } finally {
    await source.close();
  }
}

beforeAll(async () => {
  const seedRows = Array.from({ length: 6 }, () => change());
  scratch = await openSyncScratch(
    'random',
    `CREATE SCHEMA analytics; CREATE TABLE analytics.orders (tenant_id VARCHAR, id INTEGER, note VARCHAR, deleted_at TIMESTAMPTZ, updated_at TIMESTAMPTZ);\n${seedRows.join(';\n')}`,
  );
  ({ dir, sourcePath, destinationDb, state } = scratch);
});

afterAll(async () => {
  await scratch?.dispose();
});

describe(`random changes between syncs (seed ${SEED}, ${ROUNDS} rounds)`, () => {
  it('leave every destination equal to its slice after every plain incremental sync', async () => {
    await syncEverything();
    await expectEverySliceEqual(0);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const statements = Array.from({ length: 1 + Math.floor(next() * 6) }, () => change());
      await runOnDuckDB(sourcePath, statements.join(';\n'));
      await syncEverything();
      await expectEverySliceEqual(round);
    }
  });
});
