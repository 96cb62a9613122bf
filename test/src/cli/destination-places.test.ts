import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXAMPLE_PROJECT } from '../harness/paths.ts';
import { runFerry } from '../harness/workdir.ts';

/** ferry.yaml is refused, before anything is opened, when two destinations resolve to one place. */
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-places-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('two paths to one DuckDB file are refused by name, and nothing is created', async () => {
  const destination = { tenant: 'acme', models: ['workflows'], type: 'duckdb' };
  await writeFile(
    join(dir, 'ferry.yaml'),
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: 'source.duckdb' },
      destinations: [
        { id: 'col-a', path: 'shared.duckdb', ...destination },
        { id: 'col-b', path: './shared.duckdb', ...destination, tenant: 'ACME' },
      ],
    }),
  );
  for (const command of [['sync'], ['plan'], ['verify']]) {
    const run = await runFerry(command, { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      `destinations "col-a" and "col-b" write to the same place (duckdb ${join(dir, 'shared.duckdb')} schema ferry): ` +
        "they would share tables and delete each other's rows. Give each destination its own schema",
    );
  }
  expect(await readdir(dir)).toEqual(['ferry.yaml']);
});
