import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDatabase, pauseFerryAt, runFerry, type TempDatabase } from '../index.ts';

/**
 * Two ferry processes sharing a Postgres state store (as scheduled runners do) must never sync
 * one destination at the same time: they would race on its helper tables and watermarks. The
 * second is refused with a clear error; once the first is gone, the destination is free again.
 */
const DESTINATION = 'acme-duckdb';

let dir: string;
let state: TempDatabase;
let config: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-runners-'));
  state = await createTempDatabase('ferry_state');
  env = { FERRY_STATE_URL: state.url };
  // The demo leaves a DuckDB source and a ferry.yaml for two DuckDB destinations behind.
  const demo = await runFerry(['demo', '--dir', dir, '--messages', '100'], { env });
  expect(demo.exitCode, demo.stderr).toBe(0);
  config = join(dir, 'ferry.yaml');
});

afterAll(async () => {
  await state?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function leaseHolders(): Promise<string[]> {
  const client = new pg.Client({ connectionString: state.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ holder: string }>('SELECT holder FROM ferry_state.destination_leases WHERE destination_id = $1', [
      DESTINATION,
    ]);
    return rows.map((row) => row.holder);
  } finally {
    await client.end();
  }
}

describe('two ferry processes, one Postgres state store', () => {
  it('refuses a second sync of a destination while the first holds it, and frees it when the first dies', async () => {
    // Paused after its first shadow load, the first run holds the destination's lease.
    const first = await pauseFerryAt('after-load', ['sync', '-c', config, '-d', DESTINATION, '--full-refresh'], { env });
    try {
      expect(await leaseHolders()).toEqual([expect.stringContaining(`/${first.pid}/`)]);

      const second = await runFerry(['sync', '-c', config, '-d', DESTINATION], { env });
      expect(second.exitCode).toBe(1);
      expect(second.stdout).toContain('0 of 1 destination(s) synced.');
      expect(second.stderr).toMatch(new RegExp(`destination \\\\?"${DESTINATION}\\\\?" is being synced by another ferry process`));

      // The other destination is not leased: it syncs meanwhile.
      const other = await runFerry(['sync', '-c', config, '-d', 'globex-duckdb'], { env });
      expect(other.exitCode, other.stderr).toBe(0);
    } finally {
      await first.kill();
    }

    // The killed process cannot release its lease; the next run sees it is gone and takes over.
    const next = await runFerry(['sync', '-c', config, '-d', DESTINATION], { env });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout).toContain('1 of 1 destination(s) synced.');
    expect(await leaseHolders()).toEqual([]);
  });
});
