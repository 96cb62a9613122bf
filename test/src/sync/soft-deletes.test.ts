import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDestination } from '@ferry/destinations';
import { catalog, exportModels, modelSql } from '@ferry/generated';
import { DuckDBSource } from '@ferry/sources';
import { openStateStore, type StateStore } from '@ferry/state';
import { syncAll, type DestinationTarget } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleDuckDBSource, readDestinationTable, readSlice, runOnDuckDB, type SliceRow } from '../index.ts';

/**
 * `soft_deletes: delete` removes rows the source flags deleted, so the destination holds fewer
 * rows than the source slice. Hard deletes (an erasure request, say) must still be found: the key
 * comparison has to compare the live rows on both sides, or a hard delete hides behind the count
 * of purged soft-deleted rows.
 */
const TENANT = 'tenant_002';
const MODEL = 'recipients';
const spec = exportModels[MODEL];

let dir: string;
let sourcePath: string;
let state: StateStore;
let targets: DestinationTarget[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-soft-deletes-'));
  sourcePath = await buildSampleDuckDBSource(dir, { seed: 11, tenants: 2, messagesPerTenant: 300 });
  state = await openStateStore(join(dir, 'state.duckdb'));
  await state.migrate();
  targets = [
    {
      id: 'purging',
      tenant: TENANT,
      models: [MODEL],
      softDeletes: 'delete',
      open: () => createDestination({ id: 'purging', type: 'duckdb', path: join(dir, 'purging.duckdb'), schema: 'ferry' }),
    },
  ];
});

afterAll(async () => {
  await state?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function changeSource(sql: string): Promise<void> {
  await runOnDuckDB(sourcePath, sql);
}

async function sync() {
  const [result] = await syncAll(targets, () => new DuckDBSource({ path: sourcePath }), state, {
    catalog,
    fullRefresh: false,
    lookbackSeconds: 0,
    retry: { retries: 0, baseDelayMs: 10 },
    concurrency: 1,
  });
  expect(result?.error).toBeNull();
  return result!.models[0]!;
}

/** The tenant's live rows (soft-delete column NULL) in the source, and the destination's rows. */
async function liveSliceAndDestination(): Promise<{ live: SliceRow[]; destination: SliceRow[] }> {
  const source = new DuckDBSource({ path: sourcePath });
  await source.connect();
  try {
    const deletedAt = spec.columns.findIndex((c) => c.name === spec.softDelete);
    const live = (await readSlice(source, spec, TENANT)).filter((row) => row[deletedAt] === null);
    const destination = await readDestinationTable(
      { type: 'duckdb', path: join(dir, 'purging.duckdb') },
      'ferry',
      spec,
      modelSql.duckdb[MODEL],
      TENANT,
    );
    return { live, destination };
  } finally {
    await source.close();
  }
}

describe('soft_deletes: delete', () => {
  it('keeps only live rows, and still finds hard deletes once soft-deleted rows were purged', async () => {
    expect(spec.softDelete).toBeDefined();
    await sync();
    let { live, destination } = await liveSliceAndDestination();
    expect(live.length).toBeGreaterThan(3);
    expect(destination).toEqual(live);

    // Two rows flagged deleted: purged from the destination.
    await changeSource(
      `UPDATE analytics.${MODEL} SET deleted_at = now(), updated_at = now() + INTERVAL 1 HOUR
       WHERE id IN (SELECT id FROM analytics.${MODEL} WHERE tenant_id = '${TENANT}' AND deleted_at IS NULL ORDER BY id LIMIT 2)`,
    );
    expect(await sync()).toMatchObject({ rowsDeleted: 2 });
    ({ live, destination } = await liveSliceAndDestination());
    expect(destination).toEqual(live);

    // One live row erased outright: fewer hard deletes than purged rows, which a comparison of
    // the destination with the whole slice (soft-deleted rows included) would not notice.
    await changeSource(
      `DELETE FROM analytics.${MODEL} WHERE id = (SELECT min(id) FROM analytics.${MODEL} WHERE tenant_id = '${TENANT}' AND deleted_at IS NULL)`,
    );
    expect(await sync()).toMatchObject({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 1 });
    ({ live, destination } = await liveSliceAndDestination());
    expect(destination).toEqual(live);
  });
});
