import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildSampleDuckDBSource } from '../harness/cli.ts';
import { runOnDuckDB } from '../harness/duckdb.ts';
import { EXAMPLE_PROJECT } from '../harness/paths.ts';
import { runFerry } from '../harness/workdir.ts';

/**
 * A source relation that lacks a column the generated catalog expects (the dbt model changed and
 * was not built, or the catalog is stale): plan, source test and sync each name the model, the
 * column and both fixes, as a source problem, before anything is written.
 */
const MESSAGE = 'export model "workflows" reads a column that "analytics"."workflows" does not have';
const FIXES = ['run `dbt build --select workflows`', 'run `npx ferry manifest update && npx ferry generate`'];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-source-drift-'));
  const source = await buildSampleDuckDBSource(dir, { seed: 3, tenants: 1, messagesPerTenant: 20 });
  await runOnDuckDB(source, 'ALTER TABLE analytics.workflows DROP COLUMN description');
  await writeFile(
    join(dir, 'ferry.yaml'),
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: 'ferry_source.duckdb' },
      destinations: [{ id: 'sandbox', tenant: 'tenant_001', models: ['workflows'], type: 'duckdb', path: 'sandbox.duckdb' }],
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a source that lacks an exported column', () => {
  // First: `plan` opens the destination, which creates a DuckDB file (that is a known gap).
  it('sync fails the model with the source problem, not a load error, and writes nothing', async () => {
    const sync = await runFerry(['sync'], { cwd: dir });
    expect(sync.exitCode).toBe(1);
    // The reason is in the JSON log as a string: its quotes escaped.
    expect(sync.stderr).toContain(JSON.stringify(MESSAGE).slice(1, -1));
    expect(sync.stderr).not.toMatch(/staging|disk/i);
    expect(existsSync(join(dir, 'sandbox.duckdb'))).toBe(false);
  });

  it('plan says so and exits 1', async () => {
    const plan = await runFerry(['plan'], { cwd: dir });
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain(MESSAGE);
    for (const fix of FIXES) expect(plan.stderr).toContain(fix);
  });

  it('source test fails the read of that model', async () => {
    const check = await runFerry(['source', 'test'], { cwd: dir });
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain(MESSAGE);
  });
});
