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
 * Random source changes between syncs, seeded so a failure replays: inserts (current, backdated
 * far behind the watermark, or with a NULL cursor), updates, silent updates (values change, the
 * cursor does not: a derived column), hard deletes, soft deletes and rows moving to the other
 * tenant. The same sequence runs twice:
 * - with sync.verify on every sync: after every sync each destination equals its tenant's slice
 *   exactly (live rows only where soft-deleted rows are deleted);
 * - with plain incremental syncs: each destination holds exactly the slice's keys, and differs
 *   only in rows updated silently, what docs/sync.md says plain syncs do not promise.
 * CI runs FERRY_RANDOM_ROUNDS rounds (default 8) with FERRY_RANDOM_SEED (default 20261206).
 */
const ROUNDS = Number(process.env.FERRY_RANDOM_ROUNDS ?? 8);
const SEED = Number(process.env.FERRY_RANDOM_SEED ?? 20261206);
const TENANTS = ['acme', 'globex'] as const;

const base = {
  name: 'orders',
  destinationName: 'orders',
  source: { schema: 'analytics', identifier: 'orders' },
  columns: [
    columnOf('tenant_id', 'text', false),
    columnOf('id', 'integer', false),
    columnOf('note', 'text'),
    columnOf('deleted_at', 'timestamptz'),
    columnOf('updated_at', 'timestamptz'),
  ],
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

const at = (minutes: number) => `'${new Date(Date.UTC(2024, 0, 1) + minutes * 60_000).toISOString()}'`;

/** The random sequence of one run: the same for both runs, each from its own generator. */
function sourceChanges() {
  const rows = new Map<number, Row>();
  /** Rows whose values changed without their cursor moving since they were last read with it. */
  const silent = new Set<number>();
  const next = random(SEED);
  let nextId = 1;
  /** The current time in the source, in whole minutes from 2024-01-01: every change moves it on. */
  let clock = 0;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;

  /** One random change to the source, as SQL. */
  function change(): string {
    clock += 1 + Math.floor(next() * 5);
    const live = [...rows.values()];
    const kind =
      live.length < 3
        ? 'insert'
        : pick([
            'insert',
            'insert',
            'backdated',
            'null cursor',
            'update',
            'update',
            'silent update',
            'silent update',
            'hard delete',
            'soft delete',
            'move',
          ]);
    // Every change but a silent update moves the row's cursor (a NULL cursor is re-read anyway), so the next sync reads it whole.
    const moved = (row: Row) => silent.delete(row.id);
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
        moved(row);
        // A row whose cursor is NULL keeps it NULL: always_read re-reads it anyway.
        return `UPDATE analytics.orders SET note = '${row.note}', updated_at = CASE WHEN updated_at IS NULL THEN NULL ELSE ${at(clock)} END WHERE id = ${row.id}`;
      }
      case 'silent update': {
        const row = pick(live);
        row.note = `s${clock}`;
        silent.add(row.id);
        return `UPDATE analytics.orders SET note = '${row.note}' WHERE id = ${row.id}`;
      }
      case 'hard delete': {
        const row = pick(live);
        rows.delete(row.id);
        moved(row);
        return `DELETE FROM analytics.orders WHERE id = ${row.id}`;
      }
      case 'soft delete': {
        const row = pick(live);
        row.deleted = true;
        moved(row);
        return `UPDATE analytics.orders SET deleted_at = ${at(clock)}, updated_at = CASE WHEN updated_at IS NULL THEN NULL ELSE ${at(clock)} END WHERE id = ${row.id}`;
      }
      default: {
        const row = pick(live);
        row.tenant = row.tenant === 'acme' ? 'globex' : 'acme';
        moved(row);
        return `UPDATE analytics.orders SET tenant_id = '${row.tenant}', updated_at = CASE WHEN updated_at IS NULL THEN NULL ELSE ${at(clock)} END WHERE id = ${row.id}`;
      }
    }
  }
  return { change, next, silent };
}

describe.each([
  { verify: true, title: 'leave every destination equal to its slice after every sync that verifies' },
  { verify: false, title: "leave plain incremental syncs with the slice's keys, differing only in silently updated rows" },
])(`random changes between syncs (seed ${SEED}, ${ROUNDS} rounds)`, ({ verify, title }) => {
  let scratch: SyncScratch;
  let dir: string;
  let sourcePath: string;
  let destinationDb: TempDatabase;
  let state: StateStore;
  const { change, next, silent } = sourceChanges();
  /** Rows found differing after plain syncs, over all rounds: the run must have met the case it is about. */
  let differed = 0;

  const targets = () =>
    TENANTS.flatMap((tenant) =>
      (['keep', 'delete'] as const).map((mode) => {
        const id = `${tenant}-${mode}`;
        return {
          id,
          tenant,
          models: ['orders'],
          softDeletes: mode as SoftDeleteMode,
          location:
            mode === 'keep'
              ? ({ type: 'postgres', url: destinationDb.url } as const)
              : ({ type: 'duckdb', path: join(dir, `${id}.duckdb`) } as const),
          schema: `t_${tenant}_${mode}`,
        };
      }),
    );

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
      {
        catalog,
        fullRefresh: false,
        lookbackSeconds: 60,
        retry: { retries: 0, baseDelayMs: 10 },
        concurrency: 2,
        verify: verify ? { kind: 'every', syncs: 1 } : { kind: 'never' },
      },
    );
    for (const result of results) expect(result.error, `${result.destinationId}: ${result.models.map((m) => m.error).join('; ')}`).toBeNull();
  }

  async function expectSlices(round: number): Promise<void> {
    const source = new DuckDBSource({ path: sourcePath });
    await source.connect();
    try {
      const deletedAt = spec.columns.findIndex((c) => c.name === 'deleted_at');
      for (const target of targets()) {
        const slice = await readSlice(source, spec, target.tenant);
        const want = target.softDeletes === 'delete' ? slice.filter((row) => row[deletedAt] === null) : slice;
        const got = await readDestinationTable(
          target.location as DestinationLocation,
          target.schema,
          spec,
          catalog.modelSql[target.location.type].orders!,
          target.tenant,
        );
        const where = `round ${round}, seed ${SEED}: ${target.id}`;
        if (verify) {
          expect(got, where).toEqual(want);
          continue;
        }
        const id = (row: readonly (string | null)[]) => Number(row[1]);
        expect(
          got.map(id).sort((a, b) => a - b),
          where,
        ).toEqual(want.map(id).sort((a, b) => a - b));
        const held = new Map(got.map((row) => [id(row), JSON.stringify(row)]));
        const differing = want.filter((row) => held.get(id(row)) !== JSON.stringify(row)).map(id);
        for (const row of differing) expect(silent.has(row), `${where}: row ${row} differs but was not updated silently`).toBe(true);
        differed += differing.length;
      }
    } finally {
      await source.close();
    }
  }

  beforeAll(async () => {
    const seedRows = Array.from({ length: 6 }, () => change());
    scratch = await openSyncScratch(
      `random-${verify ? 'verified' : 'plain'}`,
      `CREATE SCHEMA analytics; CREATE TABLE analytics.orders (tenant_id VARCHAR, id INTEGER, note VARCHAR, deleted_at TIMESTAMPTZ, updated_at TIMESTAMPTZ);\n${seedRows.join(';\n')}`,
    );
    ({ dir, sourcePath, destinationDb, state } = scratch);
  });

  afterAll(async () => {
    await scratch?.dispose();
  });

  it(title, async () => {
    await syncEverything();
    await expectSlices(0);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const statements = Array.from({ length: 1 + Math.floor(next() * 6) }, () => change());
      await runOnDuckDB(sourcePath, statements.join(';\n'));
      await syncEverything();
      await expectSlices(round);
    }
    // The sequence must include what plain syncs miss, or the verified run proves nothing more.
    if (!verify) expect(differed, 'silently updated rows left stale by plain syncs').toBeGreaterThan(0);
  });
});
