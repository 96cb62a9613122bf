import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildSampleDuckDBSource, parseLogLines } from '../harness/cli.ts';
import { queryDuckDB, runOnDuckDB } from '../harness/duckdb.ts';
import { EXAMPLE_PROJECT } from '../harness/paths.ts';
import { runFerry } from '../harness/workdir.ts';

/**
 * `ferry verify` compares every row of every column with the source and names what differs by
 * key; `--repair` re-syncs those rows; `ferry status` shows the latest result per model; and a
 * sync whose `sync.verify` is due repairs what an incremental sync cannot see (a value changed
 * in the destination behind Ferry's back, its cursor untouched).
 */
let dir: string;
const destinationFile = () => join(dir, 'sandbox.duckdb');

async function writeConfig(verify: string): Promise<void> {
  await writeFile(
    join(dir, 'ferry.yaml'),
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: 'ferry_source.duckdb' },
      sync: { verify },
      destinations: [{ id: 'sandbox', tenant: 'tenant_001', models: ['workflows', 'recipients'], type: 'duckdb', path: 'sandbox.duckdb' }],
    }),
  );
}

/**
 * Changes one value of the row with the oldest cursor (outside any lookback) and, unless told
 * otherwise, deletes another row: what an incremental read does not see.
 */
async function corruptDestination(lose = true): Promise<{ changed: string; lost: string }> {
  const [[changed]] = (await queryDuckDB(destinationFile(), 'SELECT id FROM ferry.workflows ORDER BY updated_at, id LIMIT 1')) as [[string]];
  const [[lost]] = (await queryDuckDB(destinationFile(), 'SELECT id FROM ferry.workflows ORDER BY updated_at DESC, id LIMIT 1')) as [[string]];
  await runOnDuckDB(destinationFile(), `UPDATE ferry.workflows SET name = name || ' (edited)' WHERE id = '${changed}'`);
  if (lose) await runOnDuckDB(destinationFile(), `DELETE FROM ferry.workflows WHERE id = '${lost}'`);
  return { changed, lost };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-verify-'));
  await buildSampleDuckDBSource(dir, { seed: 9, tenants: 2, messagesPerTenant: 10 });
  await writeConfig('never');
  const sync = await runFerry(['sync'], { cwd: dir });
  expect(sync.exitCode, sync.stderr).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ferry verify', () => {
  it('finds every model equal after a sync, and status says so', async () => {
    const before = await runFerry(['status'], { cwd: dir });
    expect(before.stdout).toContain('No verifications yet');
    const verify = await runFerry(['verify'], { cwd: dir });
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('2 of 2 model(s) equal to the source.');
    const status = await runFerry(['status'], { cwd: dir });
    expect(status.stdout).toMatch(/sandbox +recipients +equal/);
    expect(status.stdout).toMatch(/sandbox +workflows +equal/);
  });

  it('names rows that differ by key, exits 1, and --repair re-syncs exactly them', async () => {
    const { changed, lost } = await corruptDestination();
    const verify = await runFerry(['verify', '-m', 'workflows'], { cwd: dir });
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain('0 of 1 model(s) equal to the source, 1 differ or failed.');
    const [finished] = parseLogLines(verify.stderr).filter((line) => line.event === 'verify.finished');
    // A DuckDB source and a DuckDB destination: each digests its own rows, only figures and keys reach Ferry.
    expect(finished).toMatchObject({
      comparedIn: 'warehouses',
      result: 'different',
      missing: 1,
      extra: 0,
      different: 1,
      sampleKeys: { missing: [`["${lost}"]`], different: [`["${changed}"]`] },
    });
    // Keys only: the edited value is never printed.
    expect(verify.stderr).not.toContain('(edited)');
    const status = await runFerry(['status'], { cwd: dir });
    expect(status.stdout).toContain(`1 missing (keys ["${lost}"]); 1 different (keys ["${changed}"])`);

    const repair = await runFerry(['verify', '-m', 'workflows', '--repair'], { cwd: dir });
    expect(repair.exitCode, repair.stderr).toBe(0);
    expect(repair.stdout).toContain('0 of 1 model(s) equal to the source, 1 repaired.');
    const again = await runFerry(['verify'], { cwd: dir });
    expect(again.stdout).toContain('2 of 2 model(s) equal to the source.');
  });

  it('a sync with sync.verify due repairs what its incremental read could not see', async () => {
    await writeConfig('every 1 sync');
    // A value only: a lost row the sync's own key comparison would find and re-read.
    const { changed } = await corruptDestination(false);
    const sync = await runFerry(['sync'], { cwd: dir });
    expect(sync.exitCode, sync.stderr).toBe(0);
    const verified = parseLogLines(sync.stderr).filter((line) => line.event === 'verify.finished');
    expect(verified.map((line) => [line.model, line.result])).toEqual([
      ['workflows', 'repaired'],
      ['recipients', 'equal'],
    ]);
    const [[name]] = (await queryDuckDB(destinationFile(), `SELECT name FROM ferry.workflows WHERE id = '${changed}'`)) as [[string]];
    expect(name).not.toContain('(edited)');
    expect((await runFerry(['verify'], { cwd: dir })).stdout).toContain('2 of 2 model(s) equal to the source.');
  });

  it('refuses a sync.verify it cannot read, naming the choices', async () => {
    await writeConfig('weekly');
    const sync = await runFerry(['sync'], { cwd: dir });
    expect(sync.exitCode).toBe(1);
    expect(sync.stderr).toContain('use never, daily, or every N syncs');
  });
});
