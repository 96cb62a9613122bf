import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXAMPLE_PROJECT, REPO_ROOT } from '@ferry/test';
import pg from 'pg';
import { stringify } from 'yaml';
import { measured, type Measurement } from './measure.ts';

/** Where one run writes: a Postgres database of its own, or a folder with a DuckDB file per tenant. */
export type Target = { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'duckdb'; readonly dir: string };

/**
 * Ferry as a user runs it: `ferry sync` on a ferry.yaml with one destination per tenant, its
 * state in `dir`. The schema of tenant t is `t_<t>`.
 */
export async function runFerry(sourceUrl: string, tenants: readonly string[], target: Target, dir: string): Promise<Measurement> {
  await mkdir(dir, { recursive: true });
  const destinations = tenants.map((tenant) => ({
    id: `bench-${tenant}`,
    tenant,
    models: ['messages'],
    schema: `t_${tenant}`,
    ...(target.kind === 'postgres' ? { type: 'postgres', url: target.url } : { type: 'duckdb', path: join(target.dir, `${tenant}.duckdb`) }),
  }));
  const config = { project: EXAMPLE_PROJECT, source: { type: 'postgres', url: sourceUrl }, state: { path: join(dir, 'state.duckdb') }, sync: { concurrency: 2, retries: 0 }, destinations };
  await writeFile(join(dir, 'ferry.yaml'), stringify(config));
  return measured('node', [join(REPO_ROOT, 'apps/cli/bin/ferry.js'), 'sync', '-c', join(dir, 'ferry.yaml')], { fromStderr: keyComparisons });
}

/** The `keys.compared` lines of Ferry's JSON log: the longest comparison, and the keys listed by all. */
function keyComparisons(stderr: string): Partial<Measurement> {
  const comparisons = stderr
    .split('\n')
    .filter((line) => line.includes('"keys.compared"'))
    .map((line) => JSON.parse(line) as { durationMs: number; keysListed: number });
  if (comparisons.length === 0) return {};
  return {
    keyComparisonSeconds: Math.max(...comparisons.map((c) => c.durationMs)) / 1000,
    keysListed: comparisons.reduce((sum, c) => sum + c.keysListed, 0),
  };
}

/**
 * The ceiling: the same rows copied by Postgres itself, binary COPY out of the source piped into
 * binary COPY into a table of the same column types and primary key. No transformation, no
 * staging, no merge: what no connector can beat.
 */
export async function runCeiling(sourceUrl: string, tenant: string | undefined, targetUrl: string): Promise<Measurement> {
  const source = new pg.Client({ connectionString: sourceUrl });
  await source.connect();
  let columns: string;
  try {
    const { rows } = await source.query<{ ddl: string }>(
      `SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum) AS ddl
       FROM pg_attribute WHERE attrelid = 'analytics.messages'::regclass AND attnum > 0 AND NOT attisdropped`,
    );
    columns = rows[0]?.ddl ?? '';
  } finally {
    await source.end();
  }
  const target = new pg.Client({ connectionString: targetUrl });
  await target.connect();
  try {
    await target.query(`CREATE SCHEMA IF NOT EXISTS ceiling; CREATE TABLE ceiling.messages (${columns}, PRIMARY KEY (id))`);
  } finally {
    await target.end();
  }
  const where = tenant === undefined ? '' : ` WHERE tenant_id = '${tenant.replaceAll("'", "''")}'`;
  const out = `COPY (SELECT * FROM analytics.messages${where}) TO STDOUT (FORMAT binary)`;
  const into = 'COPY ceiling.messages FROM STDIN (FORMAT binary)';
  return measured('bash', ['-o', 'pipefail', '-c', `psql "$SOURCE" -Xqc "${out}" | psql "$TARGET" -Xqc "${into}"`], {
    env: { SOURCE: sourceUrl, TARGET: targetUrl },
  });
}
