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
  // `verify: 'never'`: a sync scenario measures syncing only (by default a model's first sync, and
  // one a day after, also verifies it); the verify scenario runs `ferry verify` on this same file.
  const sync = { concurrency: 2, retries: 0, verify: 'never' };
  const config = {
    project: EXAMPLE_PROJECT,
    source: { type: 'postgres', url: sourceUrl },
    state: { path: join(dir, 'state.duckdb') },
    sync,
    destinations,
  };
  await writeFile(ferryConfig(dir), stringify(config));
  return measured('node', [CLI, 'sync', '-c', ferryConfig(dir)], { fromStderr: keyComparisons });
}

const CLI = join(REPO_ROOT, 'apps/cli/bin/ferry.js');

/** The ferry.yaml runFerry writes in its state folder `dir`. */
export function ferryConfig(dir: string): string {
  return join(dir, 'ferry.yaml');
}

/** The `keys.compared` lines of Ferry's JSON log: the longest comparison, and the keys listed by all. */
function keyComparisons(stderr: string): Partial<Measurement> {
  const comparisons = stderr
    .split('\n')
    .filter((line) => line.includes('"keys.compared"'))
    .map((line) => JSON.parse(line) as { durationMs: number; keysListed: number; stepsMs: Record<string, number> });
  const longest = comparisons.reduce<(typeof comparisons)[number] | undefined>(
    (a, c) => (a === undefined || c.durationMs > a.durationMs ? c : a),
    undefined,
  );
  if (longest === undefined) return {};
  return {
    keyComparisonSeconds: longest.durationMs / 1000,
    keysListed: comparisons.reduce((sum, c) => sum + c.keysListed, 0),
    keyComparisonSteps: Object.fromEntries(Object.entries(longest.stepsMs).map(([step, ms]) => [step, ms / 1000])),
  };
}

/** One `verify.finished` line of Ferry's JSON log: what verifying one model of one destination found. */
export interface VerifyFinished {
  readonly destination: string;
  readonly model: string;
  readonly result: 'equal' | 'different' | 'repaired' | 'failed';
  readonly sourceRows: number;
  readonly destinationRows: number;
  readonly missing: number;
  readonly extra: number;
  readonly different: number;
  readonly durationMs: number;
  readonly repaired?: { readonly inserted: number; readonly deleted: number };
  readonly error?: string | null;
}

/**
 * `ferry verify -c <config> [args]` as a user runs it (stderr not a TTY, so JSON log lines), with
 * the verifications its log reports. A verify that finds a difference exits 1, which `measured`
 * turns into an error: the benchmark stops.
 */
export async function runFerryVerify(
  config: string,
  args: readonly string[] = [],
): Promise<{ measurement: Measurement; verifications: VerifyFinished[] }> {
  let verifications: VerifyFinished[] = [];
  const measurement = await measured('node', [CLI, 'verify', '-c', config, ...args], {
    fromStderr: (stderr) => {
      verifications = stderr
        .split('\n')
        .filter((line) => line.includes('"verify.finished"'))
        .map((line) => JSON.parse(line) as VerifyFinished);
      return {};
    },
  });
  return { measurement, verifications };
}

/** One tenant's two reads for runRawReads: the source slice's query, the destination's table. */
export interface RawRead {
  readonly tenant: string;
  /** A query on the source (no trailing semicolon). */
  readonly source: string;
  /** The destination table, schema-qualified and quoted as needed. */
  readonly destination: string;
}

/**
 * What a full verify cannot beat: one raw read of the table on each side, the bytes discarded.
 * Per tenant, `COPY (<source query>) TO STDOUT` on the source and `COPY <table> TO STDOUT` on the
 * destination run concurrently; tenants one after another, as `ferry verify` takes destinations
 * one at a time. Read by psql (as runCeiling does): its `\copy … to '/dev/null'` runs exactly
 * `COPY … TO STDOUT` and writes the rows to /dev/null, then prints `COPY <rows>`, which says each
 * read was whole. (pg-copy-streams is a dependency of Ferry's libraries, not of the benchmark.)
 * @returns the measurement, and the rows read per tenant on each side
 */
export async function runRawReads(
  sourceUrl: string,
  targetUrl: string,
  reads: readonly RawRead[],
): Promise<{ measurement: Measurement; rows: Record<string, { source: number; destination: number }> }> {
  const script = `set -euo pipefail
read_side() { # side tenant url what
  local tag
  tag="$(psql "$3" -X -v ON_ERROR_STOP=1 -c "\\copy $4 to '/dev/null'")" || exit 1
  echo "read $1 $2 $tag" >&2
}
while (( $# > 0 )); do
  read_side source "$1" "$SOURCE" "($2)" & s=$!
  read_side destination "$1" "$TARGET" "$3" & d=$!
  wait "$s"
  wait "$d"
  shift 3
done`;
  const rows: Record<string, { source: number; destination: number }> = {};
  const measurement = await measured('bash', ['-c', script, 'raw-reads', ...reads.flatMap((r) => [r.tenant, r.source, r.destination])], {
    env: { SOURCE: sourceUrl, TARGET: targetUrl },
    fromStderr: (stderr) => {
      for (const [, side, tenant, n] of stderr.matchAll(/^read (source|destination) (\S+) COPY (\d+)$/gm)) {
        const counts = (rows[tenant as string] ??= { source: -1, destination: -1 });
        counts[side as 'source' | 'destination'] = Number(n);
      }
      return {};
    },
  });
  return { measurement, rows };
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
