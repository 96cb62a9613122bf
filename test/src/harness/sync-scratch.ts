import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';
import { openStateStore, type StateStore } from '@ferry/state';
import { runOnDuckDB } from './duckdb.ts';
import { createTempDatabase, type TempDatabase } from './postgres.ts';

/** An exported column of a hand-made model, its destination name its own. */
export function columnOf(name: string, kind: 'text' | 'integer' | 'bigint' | 'timestamptz', nullable = true): ColumnSpec {
  return { name, destinationName: name, type: { kind } as LogicalType, nullable, dataType: kind };
}

/** A hand-made export model, fingerprinted as the generator would. */
export function exportModelOf(model: Omit<ExportModelSpec, 'fingerprint'>): ExportModelSpec {
  return { ...model, fingerprint: fingerprintOf(model) };
}

/** What an in-process sync test runs against: a DuckDB source, a Postgres database for destinations, a state store. */
export interface SyncScratch {
  readonly dir: string;
  readonly sourcePath: string;
  readonly destinationDb: TempDatabase;
  readonly state: StateStore;
  dispose(): Promise<void>;
}

/** A temporary folder with a DuckDB source built by `sourceSql`, a fresh Postgres database and a migrated state store. */
export async function openSyncScratch(name: string, sourceSql: string): Promise<SyncScratch> {
  const dir = await mkdtemp(join(tmpdir(), `ferry-${name}-`));
  const sourcePath = join(dir, 'vendor.duckdb');
  await runOnDuckDB(sourcePath, sourceSql);
  const destinationDb = await createTempDatabase(`ferry_${name.replaceAll('-', '_')}`);
  const state = await openStateStore(join(dir, 'state.duckdb'));
  await state.migrate();
  return {
    dir,
    sourcePath,
    destinationDb,
    state,
    async dispose() {
      await state.close();
      await destinationDb.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
