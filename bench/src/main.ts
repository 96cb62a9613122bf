import { cpus, totalmem } from 'node:os';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@ferry/test';
import pg from 'pg';
import { runCeiling, runFerry, type Target } from './contestants.ts';
import { median, type Measurement } from './measure.ts';
import { prepareSource, recreateDatabase, type BenchSource } from './source.ts';
import { duckdbKeyDigest, postgresDigest, postgresKeyDigest, type SliceDigest } from './verify.ts';

/**
 * `npm run bench [-- --rows N --tenants N --runs N --seed N]`: each scenario, for each contestant,
 * on the same data in the same run: one warm-up, then `runs` measured runs, each checked against
 * the source (a fast wrong answer is a failure). Figures go to bench/results/.
 */
const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    tenants: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
  },
});
const tenants = Number(flags.tenants);
const rows = Number(flags.rows);
const runs = Number(flags.runs);
if (![tenants, rows, runs].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--rows, --tenants and --runs take positive integers');

const WORK = join(REPO_ROOT, 'bench', 'work');
const DESTINATION_DB = 'ferry_bench_destination';
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface Result {
  readonly scenario: string;
  readonly contestant: string;
  readonly rows: number;
  readonly megabytes: number;
  readonly runs: readonly Measurement[];
}

const source = await prepareSource({ tenants, messagesPerTenant: Math.ceil(rows / tenants), seed: Number(flags.seed) }, log);
const firstTenant = source.tenants[0] as string;
const results: Result[] = [];

/** Size of a slice as Postgres stores its rows (no indexes): what MB/s is measured against. */
async function sliceMegabytes(tenant: string | undefined): Promise<number> {
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  try {
    const where = tenant === undefined ? '' : 'WHERE tenant_id = $1';
    const { rows: [row] } = await client.query<{ bytes: string }>(`SELECT sum(pg_column_size(m.*)) AS bytes FROM analytics.messages m ${where}`, tenant === undefined ? [] : [tenant]);
    return Number(row?.bytes) / 1e6;
  } finally {
    await client.end();
  }
}

/** Runs one contestant `runs` + 1 times (the first is a warm-up), each on a fresh destination, each verified. */
async function scenario(name: string, contestant: string, tenant: string | undefined, run: (attempt: number) => Promise<{ measurement: Measurement; digest: SliceDigest; expected: SliceDigest }>): Promise<void> {
  const measurements: Measurement[] = [];
  for (let attempt = 0; attempt <= runs; attempt += 1) {
    const { measurement, digest, expected } = await run(attempt);
    if (digest.rows !== expected.rows || digest.hash !== expected.hash) {
      throw new Error(`${name} / ${contestant}: the destination does not equal the source (${digest.rows} rows, hash ${digest.hash}; expected ${expected.rows}, ${expected.hash})`);
    }
    log(`${name} / ${contestant}${attempt === 0 ? ' (warm-up)' : ''}: ${measurement.wallSeconds.toFixed(2)} s, ${Math.round(expected.rows / measurement.wallSeconds).toLocaleString('en')} rows/s, verified`);
    if (attempt > 0) measurements.push(measurement);
  }
  const expectedRows = tenant === undefined ? source.rows : (await postgresKeyDigest(source.url, 'analytics.messages', tenant)).rows;
  results.push({ scenario: name, contestant, rows: expectedRows, megabytes: await sliceMegabytes(tenant), runs: measurements });
}

async function freshPostgres(): Promise<Target & { kind: 'postgres' }> {
  return { kind: 'postgres', url: await recreateDatabase(DESTINATION_DB) };
}

async function freshDuckDB(attempt: number): Promise<Target & { kind: 'duckdb' }> {
  const dir = join(WORK, `duckdb-${attempt}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return { kind: 'duckdb', path: join(dir, 'destination.duckdb') };
}

async function ferryDir(attempt: number): Promise<string> {
  const dir = join(WORK, `ferry-${attempt}`);
  await rm(dir, { recursive: true, force: true });
  return dir;
}

const oneTenant = await postgresDigest(source.url, 'analytics.messages', firstTenant);
const allTenants = await postgresDigest(source.url, 'analytics.messages', undefined);

// 1. Initial load, Postgres -> Postgres: one tenant, then the whole table.
await scenario('initial load, one tenant, Postgres -> Postgres', 'ferry', firstTenant, async (attempt) => {
  const target = await freshPostgres();
  const measurement = await runFerry(source.url, [firstTenant], target, await ferryDir(attempt));
  return { measurement, digest: await postgresDigest(target.url, `t_${firstTenant}.messages`, firstTenant), expected: oneTenant };
});
await scenario('initial load, one tenant, Postgres -> Postgres', 'ceiling (binary COPY)', firstTenant, async () => {
  const target = await freshPostgres();
  const measurement = await runCeiling(source.url, firstTenant, target.url);
  return { measurement, digest: await postgresDigest(target.url, 'ceiling.messages', firstTenant), expected: oneTenant };
});
await scenario(`initial load, all ${tenants} tenants, Postgres -> Postgres`, 'ferry', undefined, async (attempt) => {
  const target = await freshPostgres();
  const measurement = await runFerry(source.url, source.tenants, target, await ferryDir(attempt));
  const digests = await Promise.all(source.tenants.map((t) => postgresDigest(target.url, `t_${t}.messages`, t)));
  const expected = await Promise.all(source.tenants.map((t) => postgresDigest(source.url, 'analytics.messages', t)));
  return { measurement, digest: combine(digests), expected: combine(expected) };
});
await scenario(`initial load, all ${tenants} tenants, Postgres -> Postgres`, 'ceiling (binary COPY)', undefined, async () => {
  const target = await freshPostgres();
  const measurement = await runCeiling(source.url, undefined, target.url);
  return { measurement, digest: await postgresDigest(target.url, 'ceiling.messages', undefined), expected: allTenants };
});

// 2. Initial load, Postgres -> DuckDB: one tenant.
const oneTenantKeys = await postgresKeyDigest(source.url, 'analytics.messages', firstTenant);
await scenario('initial load, one tenant, Postgres -> DuckDB', 'ferry', firstTenant, async (attempt) => {
  const target = await freshDuckDB(attempt);
  const measurement = await runFerry(source.url, [firstTenant], target, await ferryDir(attempt));
  return { measurement, digest: await duckdbKeyDigest(target.path, `t_${firstTenant}.messages`), expected: oneTenantKeys };
});

await writeResults(source, results);

/** Per-tenant digests as one: the counts summed, the hashes in tenant order. */
function combine(digests: readonly SliceDigest[]): SliceDigest {
  return { rows: digests.reduce((sum, d) => sum + d.rows, 0), hash: digests.map((d) => d.hash).join('') };
}

async function writeResults(benchSource: BenchSource, all: readonly Result[]): Promise<void> {
  const dir = join(REPO_ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9), node: process.version };
  const figures = all.map((r) => {
    const wall = median(r.runs.map((m) => m.wallSeconds));
    return {
      ...r,
      medianWallSeconds: wall,
      rowsPerSecond: r.rows / wall,
      megabytesPerSecond: r.megabytes / wall,
      medianCpuSeconds: median(r.runs.map((m) => m.cpuSeconds)),
      maxPeakRssMb: Math.max(...r.runs.map((m) => m.peakRssMb)),
    };
  });
  const ceilingOf = (scenarioName: string) => figures.find((f) => f.scenario === scenarioName && f.contestant.startsWith('ceiling'));
  const lines = [
    `# Ferry benchmark: ${benchSource.rows.toLocaleString('en')} messages, ${benchSource.tenants.length} tenants`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, Postgres on loopback. Medians of ${runs} runs after one warm-up; every run verified against the source.`,
    '',
    '| scenario | contestant | rows | wall s | rows/s | MB/s | CPU s | peak RSS MB | ceiling / contestant time |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...figures.map((f) => {
      const ceiling = ceilingOf(f.scenario);
      const ratio = ceiling ? (ceiling.medianWallSeconds / f.medianWallSeconds).toFixed(2) : '';
      return `| ${f.scenario} | ${f.contestant} | ${f.rows.toLocaleString('en')} | ${f.medianWallSeconds.toFixed(2)} | ${Math.round(f.rowsPerSecond).toLocaleString('en')} | ${f.megabytesPerSecond.toFixed(1)} | ${f.medianCpuSeconds.toFixed(1)} | ${Math.round(f.maxPeakRssMb)} | ${ratio} |`;
    }),
    '',
  ];
  const stamp = new Date().toISOString().slice(0, 16).replace(':', '');
  await writeFile(join(dir, `${stamp}-${benchSource.rows}.json`), `${JSON.stringify({ machine, source: { rows: benchSource.rows, tenants: benchSource.tenants.length }, results: figures }, null, 2)}\n`);
  await writeFile(join(dir, 'latest.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}
