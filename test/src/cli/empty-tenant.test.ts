import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildSampleDuckDBSource, parseLogLines } from '../harness/cli.ts';
import { EXAMPLE_PROJECT } from '../harness/paths.ts';
import { runFerry } from '../harness/workdir.ts';

/**
 * A destination whose tenant value matches no row (`Tenant_001` for `tenant_001`) would sync
 * "successfully" with nothing, forever: plan and the first sync say so, naming the closest
 * tenant values the source has.
 */
const WARNING =
  'tenant "Tenant_001" has no rows in any model this destination receives (workflows, recipients): check the destination\'s tenant value; ' +
  'the closest tenant values the source has: "tenant_001", "tenant_002"';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-empty-tenant-'));
  await buildSampleDuckDBSource(dir, { seed: 5, tenants: 2, messagesPerTenant: 10 });
  await writeFile(
    join(dir, 'ferry.yaml'),
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: 'ferry_source.duckdb' },
      destinations: [{ id: 'sandbox', tenant: 'Tenant_001', models: ['workflows', 'recipients'], type: 'duckdb', path: 'sandbox.duckdb' }],
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a tenant value that matches no row', () => {
  it('plan warns, naming the closest tenant values', async () => {
    const plan = await runFerry(['plan'], { cwd: dir });
    expect(plan.exitCode).toBe(0);
    expect(plan.stderr).toContain(`warning: destination "sandbox": ${WARNING}`);
  });

  it('the first sync succeeds and warns in its log', async () => {
    const sync = await runFerry(['sync'], { cwd: dir });
    expect(sync.exitCode).toBe(0);
    const warnings = parseLogLines(sync.stderr).filter((line) => line.event === 'warning');
    expect(warnings.map((line) => line.message)).toEqual([WARNING]);
  });

  it('status shows the warning with the transfer', async () => {
    const status = await runFerry(['status'], { cwd: dir });
    expect(status.exitCode).toBe(0);
    expect(status.stdout.replace(/\s+/g, ' ')).toContain(`warning: ${WARNING}`.replace(/\s+/g, ' '));
  });

  it('destinations test warns, whatever the state says', async () => {
    const test = await runFerry(['destinations', 'test', 'sandbox'], { cwd: dir });
    expect(test.exitCode, test.stdout).toBe(0);
    expect(test.stdout).toContain(`! tenant has rows`);
    expect(test.stdout).toContain(WARNING);
    expect(test.stdout).toMatch(/1 warning/);
  });
});
