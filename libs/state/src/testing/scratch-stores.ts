import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase } from '@ferry/test';

export type StateEngine = 'postgres' | 'duckdb';

/** Where a test's state store lives, and how to throw it away. */
export interface ScratchLocation {
  /** What `openStateStore` is given. */
  readonly location: string;
  dispose(): Promise<void>;
}

/**
 * A fresh, empty place for a state store, per engine. Tests iterate over this record, so a new
 * engine does not compile until every test covers it. Postgres fails (never skips) when the
 * server is down: a skipped test would hide a broken setup, in CI and everywhere else.
 */
export const SCRATCH_LOCATIONS: Record<StateEngine, () => Promise<ScratchLocation>> = {
  postgres: async () => {
    const database = await createTempDatabase('ferry_state');
    return { location: database.url, dispose: () => database.drop() };
  },
  duckdb: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-state-'));
    // A folder that does not exist yet: opening the store must create it.
    return { location: join(dir, '.ferry', 'state.duckdb'), dispose: () => rm(dir, { recursive: true, force: true }) };
  },
};

export const STATE_ENGINES = Object.keys(SCRATCH_LOCATIONS) as StateEngine[];
