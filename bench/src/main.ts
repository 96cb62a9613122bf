import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exportModels } from '@ferry/generated';
import { REPO_ROOT } from '@ferry/test';
import pg from 'pg';
import { applyChanges, changedRows } from './changes.ts';
import { ferryConfig, runCeiling, runFerry, runFerryVerify, runRawReads, type Target, type VerifyFinished } from './contestants.ts';
import { runDlt } from './dlt.ts';
import { measured, type Measurement } from './measure.ts';
import { writeResults, type Result } from './report.ts';
import { prepareSource, recreateDatabase, workingCopy, type BenchSource } from './source.ts';
import { duckdbKeyDigest, postgresColumnNames, postgresDigest, postgresDigests, postgresKeyDigest, type SliceDigest } from './verify.ts';

/**
 * `npm run bench [-- --rows N --tenants N --runs N --seed N --scenarios initial,changes,destinations,start,verify
 *   --without dlt,ceiling --warm-up 0|1]`:
 * each scenario runs every contestant on the same data, side by side: one warm-up round, then
 * `runs` measured rounds, each run checked against the source (a fast wrong answer is a failure).
 * Figures go to bench/results/ and the README.
 */
const SCENARIOS = ['initial', 'changes', 'destinations', 'start', 'verify'] as const;
/** The loaders that can sit out a run (at 20M rows one dlt load takes about 17 minutes); Ferry always runs. */
const OPTIONAL_CONTESTANTS = ['dlt', 'ceiling'] as const;
const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    tenants: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    without: { type: 'string', default: '' },
    'warm-up': { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    [
      'npm run bench -- [--rows N] [--tenants N] [--runs N] [--seed N] [--scenarios LIST] [--without LIST] [--warm-up 0|1]',
      '  --rows       messages in the source, all tenants (default 1000000)',
      '  --tenants    tenants they are spread over (default 20)',
      '  --runs       measured rounds per scenario (default 3)',
      '  --seed       sample data seed (default 1)',
      `  --scenarios  comma-separated, of: ${SCENARIOS.join(', ')} (default: all)`,
      `  --without    contestants that sit this run out, comma-separated, of: ${OPTIONAL_CONTESTANTS.join(', ')} (default: none)`,
      '  --warm-up    rounds before the measured ones, 1 or 0 (default 1; 0 for one long run at scale)',
      'Figures go to bench/results/ (latest.md, and a JSON file per run); a run of every scenario and contestant, after a warm-up, also rewrites the README table.',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const tenants = Number(flags.tenants);
const rows = Number(flags.rows);
const runs = Number(flags.runs);
const seed = Number(flags.seed);
if (![tenants, rows, runs, seed].every((n) => Number.isInteger(n) && n > 0))
  throw new Error('--rows, --tenants, --runs and --seed take positive integers');
const selected = new Set(flags.scenarios.split(',').map((s) => s.trim()));
for (const name of selected) {
  if (!(SCENARIOS as readonly string[]).includes(name))
    throw new Error(`--scenarios: unknown scenario "${name}"; choose from ${SCENARIOS.join(', ')}`);
}
const without = new Set(
  flags.without
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);
for (const name of without) {
  if (!(OPTIONAL_CONTESTANTS as readonly string[]).includes(name))
    throw new Error(`--without: "${name}" cannot sit out; choose from ${OPTIONAL_CONTESTANTS.join(', ')}`);
}
if (flags['warm-up'] !== '0' && flags['warm-up'] !== '1') throw new Error('--warm-up takes 0 or 1');
const warmUps = Number(flags['warm-up']);

/** The 100-destination scenario: 100 tenants with this many messages each. */
const MANY_DESTINATIONS = { tenants: 100, messagesPerTenant: 1000 };

const WORK = join(REPO_ROOT, 'bench', 'work');
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const results: Result[] = [];

const source = await prepareSource({ tenants, messagesPerTenant: Math.ceil(rows / tenants), seed }, log);
const firstTenant = source.tenants[0] as string;
/** How a scenario over every tenant of a source of `n` tenants is named. */
const everyTenant = (n: number) => (n === 1 ? 'the only tenant' : `all ${n} tenants`);
const COLUMNS = await postgresColumnNames(source.url, 'analytics.messages');
/** Columns Ferry renames in the destination (the model's `destination_name`), source name → destination name. */
const FERRY_NAMES = Object.fromEntries(
  exportModels.messages.columns.filter((c) => c.destinationName !== c.name).map((c) => [c.name, c.destinationName]),
);

/** The contestants that sync tenants into destinations, called alike: source, tenants, target, state folder. */
const LOADERS = (
  [
    { contestant: 'ferry', label: 'Ferry', load: runFerry },
    { contestant: 'dlt', label: 'dlt', load: runDlt },
  ] as const
).filter(({ contestant }) => !without.has(contestant));

/** One run of a contestant: what it cost and how its result compared with the source. */
type Run = (attempt: number) => Promise<{ measurement: Measurement; verdict: string }>;

/**
 * Runs a scenario `runs` + `warmUps` rounds (the first a warm-up, unless there is none). A round
 * first calls `prepare` (which may change the source and returns the rows the round moves), then
 * each contestant in turn, so all of them see the same data and the same machine noise.
 */
async function scenario(
  info: { readonly scenario: string; readonly megabytes?: number },
  contestants: readonly { readonly contestant: Result['contestant']; readonly destinations: number; readonly run: Run }[],
  prepare: (attempt: number) => Promise<number>,
): Promise<void> {
  const measured = contestants.map(() => ({ runs: [] as Measurement[], verdict: '' }));
  let moved = 0;
  for (let attempt = 1 - warmUps; attempt <= runs; attempt += 1) {
    moved = await prepare(attempt);
    for (const [i, { contestant, run }] of contestants.entries()) {
      const { measurement, verdict } = await run(attempt);
      log(`${info.scenario} / ${contestant}${attempt === 0 ? ' (warm-up)' : ''}: ${measurement.wallSeconds.toFixed(2)} s, ${verdict}`);
      if (attempt > 0) {
        measured[i]?.runs.push(measurement);
        // The last run's: runs that differ say so in the log, and a changing count of kept deletes would only grow.
        if (measured[i]) measured[i].verdict = verdict;
      }
    }
  }
  for (const [i, { contestant, destinations }] of contestants.entries()) {
    const { runs: measurements = [], verdict = '' } = measured[i] ?? {};
    results.push({ ...info, contestant, destinations, rows: moved, verdict, runs: measurements });
  }
}

/** Digests must be equal: a contestant that loses or changes a row stops the benchmark. */
function mustEqual(what: string, digest: SliceDigest, expected: SliceDigest): string {
  if (digest.rows !== expected.rows || digest.hash !== expected.hash) {
    throw new Error(
      `${what}: the destination does not equal the source (${digest.rows} rows, hash ${digest.hash}; expected ${expected.rows}, ${expected.hash})`,
    );
  }
  return 'equal to the source';
}

/** Per-tenant digests as one: the counts summed, the hashes in tenant order. */
function combine(digests: readonly SliceDigest[]): SliceDigest {
  return { rows: digests.reduce((sum, d) => sum + d.rows, 0), hash: digests.map((d) => d.hash).join('') };
}

/**
 * Each tenant's table `t_<tenant>.messages` in a Postgres destination against the tenant's source
 * slice, every value compared. `keptDeletes` are rows deleted in the source that the contestant
 * is known to keep (dlt's incremental loads): the rest must still be equal, and the verdict says
 * how many it kept.
 */
async function matchesSource(
  what: string,
  from: BenchSource,
  target: Target & { kind: 'postgres' },
  slice: readonly string[],
  names: Record<string, string>,
  keptDeletes: readonly string[] = [],
): Promise<string> {
  const expected = await sourceDigests(from, slice);
  const options = { columns: COLUMNS, rename: names, excludeKeys: keptDeletes };
  const actual = await Promise.all(slice.map((t) => postgresDigest(target.url, `t_${t}.messages`, undefined, options)));
  const verdict = mustEqual(what, combine(actual), combine(slice.map((t) => expected[t] as SliceDigest)));
  if (keptDeletes.length === 0) return verdict;
  const all = await Promise.all(slice.map((t) => postgresKeyDigest(target.url, `t_${t}.messages`, t)));
  const kept = combine(all).rows - combine(actual).rows;
  return kept === 0 ? verdict : `keeps ${kept.toLocaleString('en')} rows deleted in the source (after the last run); the rest equal`;
}

/**
 * The source's digests per tenant, computed once until the source changes (the cache is then
 * cleared): every contestant of a round is checked against the same data, and a full scan of the
 * source takes seconds at 5M rows.
 */
const sourceDigestCache = new Map<string, Promise<Record<string, SliceDigest>>>();
function sourceDigests(from: BenchSource, slice: readonly string[]): Promise<Record<string, SliceDigest>> {
  const key = `${from.url} ${slice.join(',')}`;
  const cached = sourceDigestCache.get(key) ?? postgresDigests(from.url, 'analytics.messages', slice, { columns: COLUMNS });
  sourceDigestCache.set(key, cached);
  return cached;
}

/** DuckDB destinations (a file per tenant): row counts and keys equal to the source's. */
async function keysMatchSource(what: string, from: BenchSource, target: Target & { kind: 'duckdb' }, slice: readonly string[]): Promise<string> {
  const expected = await Promise.all(slice.map((t) => postgresKeyDigest(from.url, 'analytics.messages', t)));
  const actual = await Promise.all(slice.map((t) => duckdbKeyDigest(join(target.dir, `${t}.duckdb`), `t_${t}.messages`)));
  return mustEqual(what, combine(actual), combine(expected)).replace('equal', 'keys equal');
}

async function freshPostgres(name: string): Promise<Target & { kind: 'postgres' }> {
  return { kind: 'postgres', url: await recreateDatabase(name) };
}

/** A folder of DuckDB files, one per tenant: each customer has a warehouse of its own. */
async function freshDuckDB(name: string): Promise<Target & { kind: 'duckdb' }> {
  const dir = join(WORK, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return { kind: 'duckdb', dir };
}

/** Where a contestant keeps its state between runs, emptied: Ferry's state store, dlt's pipelines. */
async function freshDir(name: string): Promise<string> {
  const dir = join(WORK, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Size of a slice as Postgres stores its rows (no indexes): what MB/s is measured against. */
async function sliceMegabytes(tenant: string | undefined): Promise<number> {
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  try {
    const where = tenant === undefined ? '' : 'WHERE tenant_id = $1';
    const {
      rows: [row],
    } = await client.query<{ bytes: string }>(
      `SELECT sum(pg_column_size(m.*)) AS bytes FROM analytics.messages m ${where}`,
      tenant === undefined ? [] : [tenant],
    );
    return Number(row?.bytes) / 1e6;
  } finally {
    await client.end();
  }
}

// 1. Initial loads: one tenant and every tenant, into Postgres and into DuckDB, each run into a
// fresh destination with fresh state.
if (selected.has('initial')) {
  for (const slice of tenants > 1 ? [[firstTenant], source.tenants] : [source.tenants]) {
    const one = slice.length < tenants;
    const name = one ? 'one tenant' : everyTenant(tenants);
    const sliceRows = one ? (await postgresKeyDigest(source.url, 'analytics.messages', firstTenant)).rows : source.rows;
    const info = { megabytes: await sliceMegabytes(one ? firstTenant : undefined) };
    const postgres = 'ferry_bench_destination';
    await scenario(
      { ...info, scenario: `initial load, ${name}, Postgres -> Postgres` },
      [
        ...LOADERS.map(({ contestant, label, load }) => ({
          contestant,
          destinations: slice.length,
          run: async () => {
            const target = await freshPostgres(postgres);
            const measurement = await load(source.url, slice, target, await freshDir(contestant));
            return { measurement, verdict: await matchesSource(label, source, target, slice, contestant === 'ferry' ? FERRY_NAMES : {}) };
          },
        })),
        ...(without.has('ceiling')
          ? []
          : [
              {
                contestant: 'ceiling' as const,
                destinations: 1,
                run: async () => {
                  const target = await freshPostgres(postgres);
                  const measurement = await runCeiling(source.url, one ? firstTenant : undefined, target.url);
                  const expected = await postgresDigest(source.url, 'analytics.messages', one ? firstTenant : undefined, { columns: COLUMNS });
                  return {
                    measurement,
                    verdict: mustEqual('ceiling', await postgresDigest(target.url, 'ceiling.messages', undefined, { columns: COLUMNS }), expected),
                  };
                },
              },
            ]),
      ],
      async () => sliceRows,
    );

    await scenario(
      { ...info, scenario: `initial load, ${name}, Postgres -> DuckDB` },
      LOADERS.map(({ contestant, label, load }) => ({
        contestant,
        destinations: slice.length,
        run: async () => {
          const target = await freshDuckDB('duckdb');
          const measurement = await load(source.url, slice, target, await freshDir(contestant));
          return { measurement, verdict: await keysMatchSource(label, source, target, slice) };
        },
      })),
      async () => sliceRows,
    );
  }
}

/**
 * A working copy of `from` loaded once by Ferry and by dlt (not measured), then, per round, changed
 * (1% of rows updated, 0.1% new, 0.2% deleted) and synced by each: what a scheduled sync does all
 * day. With `thenNoChanges`, each contestant then syncs again with nothing changed.
 */
async function syncsOfChanges(from: BenchSource, name: string, scenarioName: string, thenNoChanges: boolean): Promise<void> {
  const work = await workingCopy(from, `ferry_bench_src_${name}`);
  log(`${scenarioName}: initial loads of ${work.tenants.length} destinations (not measured)`);
  const loaders: ((typeof LOADERS)[number] & { target: Target & { kind: 'postgres' }; dir: string })[] = [];
  for (const loader of LOADERS) {
    const target = await freshPostgres(`ferry_bench_${name}_${loader.contestant}`);
    const dir = await freshDir(`${loader.contestant}-${name}`);
    const load = await loader.load(work.url, work.tenants, target, dir);
    log(`${scenarioName}: initial load by ${loader.label}: ${load.wallSeconds.toFixed(2)} s, peak RSS ${Math.round(load.peakRssMb)} MB`);
    loaders.push({ ...loader, target, dir });
  }
  // dlt's incremental loads never remove a row: the ids deleted so far, which its tables keep.
  const deleted: string[] = [];
  const contestants = (slice: readonly string[]) =>
    loaders.map(({ contestant, label, load, target, dir }) => ({
      contestant,
      destinations: slice.length,
      run: async () => {
        const measurement = await load(work.url, slice, target, dir);
        const verdict =
          contestant === 'ferry'
            ? await matchesSource(label, work, target, slice, FERRY_NAMES)
            : await matchesSource(label, work, target, slice, {}, deleted);
        return { measurement, verdict };
      },
    }));
  await scenario({ scenario: scenarioName }, contestants(work.tenants), async (attempt) => {
    const applied = await applyChanges(work.url, attempt + 1);
    sourceDigestCache.clear();
    deleted.push(...applied.deletedKeys);
    return changedRows(applied);
  });
  if (!thenNoChanges) return;
  await scenario({ scenario: `sync with no changes, ${everyTenant(work.tenants.length)}` }, contestants(work.tenants), async () => 0);
  if (work.tenants.length > 1)
    await scenario({ scenario: 'sync with no changes, one tenant' }, contestants([work.tenants[0] as string]), async () => 0);
}

/**
 * Ferry's syncs of changes into DuckDB files, as syncsOfChanges does into Postgres (a working copy
 * of its own, loaded once, not measured), then with nothing changed; keys checked against the
 * source after each run. dlt is left out: its DuckDB tables keep the deleted rows, which a check
 * of keys cannot tell from rows it lost.
 */
async function ferryChangesIntoDuckDB(from: BenchSource, scenarioName: string): Promise<void> {
  const work = await workingCopy(from, 'ferry_bench_src_changes_duckdb');
  const target = await freshDuckDB('changes-duckdb');
  const dir = await freshDir('ferry-changes-duckdb');
  const initial = await runFerry(work.url, work.tenants, target, dir);
  log(`${scenarioName}: initial load by Ferry: ${initial.wallSeconds.toFixed(2)} s, peak RSS ${Math.round(initial.peakRssMb)} MB`);
  const ferry = [
    {
      contestant: 'ferry' as const,
      destinations: work.tenants.length,
      run: async () => ({
        measurement: await runFerry(work.url, work.tenants, target, dir),
        verdict: await keysMatchSource('Ferry', work, target, work.tenants),
      }),
    },
  ];
  await scenario({ scenario: scenarioName }, ferry, async (attempt) => changedRows(await applyChanges(work.url, attempt + 1)));
  await scenario({ scenario: `sync with no changes, ${everyTenant(work.tenants.length)}, Postgres -> DuckDB` }, ferry, async () => 0);
}

// 2. Syncs of changes, then syncs with nothing to do: into Postgres, Ferry and dlt; into DuckDB, Ferry.
if (selected.has('changes')) {
  await syncsOfChanges(source, 'changes', `sync of changes (1% updated, 0.1% new, 0.2% deleted), ${everyTenant(tenants)}`, true);
  await ferryChangesIntoDuckDB(source, `sync of changes (1% updated, 0.1% new, 0.2% deleted), ${everyTenant(tenants)}, Postgres -> DuckDB`);
}

// 3. 100 destinations, each with a few changes: the cost of a destination beyond its rows.
if (selected.has('destinations')) {
  const many = await prepareSource({ ...MANY_DESTINATIONS, seed }, log);
  await syncsOfChanges(
    many,
    'many',
    `${many.tenants.length} destinations (${MANY_DESTINATIONS.messagesPerTenant.toLocaleString('en')} rows each), each with a few changes`,
    false,
  );
}

// 4. CLI start: `ferry --version` (the CLI's compiled output) against a bare `node -e 0`, side by side.
if (selected.has('start')) {
  const cli = join(REPO_ROOT, 'apps', 'cli', 'bin', 'ferry.js');
  await scenario(
    { scenario: 'CLI start: ferry --version' },
    [
      { contestant: 'ferry', destinations: 0, run: async () => ({ measurement: await measured('node', [cli, '--version']), verdict: 'exit 0' }) },
      { contestant: 'node', destinations: 0, run: async () => ({ measurement: await measured('node', ['-e', '0']), verdict: 'exit 0' }) },
    ],
    async () => 0,
  );
}

/**
 * Ferry's verifications must be one per tenant in `expected`, of model messages in the tenant's
 * destination, finding `result` with the tenant's rows (`expected`) read from the source and
 * `missing` fewer from the destination: a verify that reports the wrong thing (or the right thing
 * about the wrong rows) stops the benchmark, as mustEqual does for a sync.
 */
function mustVerify(
  what: string,
  verifications: readonly VerifyFinished[],
  expected: Readonly<Record<string, number>>,
  result: VerifyFinished['result'],
  missing = 0,
): void {
  const destinations = Object.keys(expected).map((t) => `bench-${t}`);
  const reported = verifications.map((v) => v.destination);
  if (reported.length !== destinations.length || destinations.some((d) => !reported.includes(d))) {
    throw new Error(`${what}: verified ${reported.join(', ') || 'nothing'}; expected one verification each of ${destinations.join(', ')}`);
  }
  for (const [tenant, rows] of Object.entries(expected)) {
    const v = verifications.find((found) => found.destination === `bench-${tenant}`) as VerifyFinished;
    if (v.model !== 'messages' || v.result !== result || v.sourceRows !== rows || v.destinationRows !== rows - missing) {
      throw new Error(
        `${what}: ${v.destination} ${v.model}: ${v.result} with ${v.sourceRows} source and ${v.destinationRows} destination rows; expected ${result} with ${rows} and ${rows - missing} (${JSON.stringify(v)})`,
      );
    }
  }
}

// 5. Verification: `ferry verify` of every destination (Ferry's first sync of each tenant, not
// measured, then `ferry verify -c` on its ferry.yaml) against one raw read of each table on each
// side; then the repair of rows missing from one destination.
if (selected.has('verify')) {
  const target = await freshPostgres('ferry_bench_verify');
  const dir = await freshDir('ferry-verify');
  log(`verify: initial sync of ${tenants} destinations (not measured)`);
  const load = await runFerry(source.url, source.tenants, target, dir);
  log(`verify: initial sync: ${load.wallSeconds.toFixed(2)} s; ${await matchesSource('Ferry', source, target, source.tenants, FERRY_NAMES)}`);
  const config = ferryConfig(dir);
  const digests = await sourceDigests(source, source.tenants);
  const tenantRows = Object.fromEntries(source.tenants.map((t) => [t, (digests[t] as SliceDigest).rows]));
  const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const exported = exportModels.messages.columns.map((c) => quoted(c.name)).join(', ');
  const reads = source.tenants.map((t) => ({
    tenant: t,
    source: `SELECT ${exported} FROM analytics.messages WHERE tenant_id = '${t.replaceAll("'", "''")}'`,
    destination: `${quoted(`t_${t}`)}.messages`,
  }));
  await scenario(
    { scenario: `full verify, ${everyTenant(tenants)}`, megabytes: await sliceMegabytes(undefined) },
    [
      {
        contestant: 'ferry',
        destinations: tenants,
        run: async () => {
          const { measurement, verifications } = await runFerryVerify(config);
          mustVerify('ferry verify', verifications, tenantRows, 'equal');
          return { measurement, verdict: `reports every model equal (${verifications.length} verifications, row counts right)` };
        },
      },
      {
        contestant: 'read',
        destinations: tenants,
        run: async () => {
          const { measurement, rows: read } = await runRawReads(source.url, target.url, reads);
          for (const [t, n] of Object.entries(tenantRows)) {
            if (read[t]?.source !== n || read[t]?.destination !== n)
              throw new Error(`raw read of ${t}: ${JSON.stringify(read[t])} rows; expected ${n} on each side`);
          }
          return { measurement, verdict: 'every row read on each side' };
        },
      },
    ],
    async () => source.rows,
  );

  // Late rows: 1% of one tenant's rows deleted from its destination before each round (what an
  // incremental sync misses when rows arrive backdated), found and re-synced by `ferry verify
  // --repair -d`; then `ferry verify -d` (not measured) must find the destination equal, and so
  // must the benchmark's own digest.
  const tenant = firstTenant;
  const destination = `bench-${tenant}`;
  const relation = `${quoted(`t_${tenant}`)}.messages`;
  const late = Math.max(1, Math.floor((tenantRows[tenant] as number) / 100));
  let deleted = 0;
  await scenario(
    {
      scenario: `late-row repair: ferry verify --repair -d of one destination (${(tenantRows[tenant] as number).toLocaleString('en')} rows), 1% missing`,
    },
    [
      {
        contestant: 'ferry',
        destinations: 1,
        run: async () => {
          const { measurement, verifications } = await runFerryVerify(config, ['--repair', '-d', destination]);
          mustVerify('ferry verify --repair', verifications, { [tenant]: tenantRows[tenant] as number }, 'repaired', deleted);
          const [v] = verifications as [VerifyFinished];
          if (v.missing !== deleted || v.extra !== 0 || v.different !== 0 || v.repaired?.inserted !== deleted || v.repaired.deleted !== 0) {
            throw new Error(`ferry verify --repair: ${JSON.stringify(v)}; expected ${deleted} missing rows re-inserted, none extra or different`);
          }
          const after = await runFerryVerify(config, ['-d', destination]);
          mustVerify('ferry verify after --repair', after.verifications, { [tenant]: tenantRows[tenant] as number }, 'equal');
          const verdict = await matchesSource('Ferry', source, target, [tenant], FERRY_NAMES);
          return { measurement, verdict: `repaired ${deleted.toLocaleString('en')} missing rows; then verify -d equal, ${verdict}` };
        },
      },
    ],
    async (attempt) => {
      deleted = await deleteSome(target.url, relation, late, `round ${attempt}`);
      if (deleted !== late) throw new Error(`late rows: deleted ${deleted} rows of ${relation}; expected ${late}`);
      return deleted;
    },
  );
}

/** Deletes `count` rows of `relation`, a different choice for each `salt` (spread over all keys). */
async function deleteSome(url: string, relation: string, count: number, salt: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `DELETE FROM ${relation} WHERE id IN (SELECT id FROM ${relation} ORDER BY md5(id::text || $1) LIMIT $2)`,
      [salt, count],
    );
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}

// Only a run of every scenario and every contestant, after a warm-up, is a complete table for the README.
const readme = SCENARIOS.every((name) => selected.has(name)) && without.size === 0 && warmUps === 1 ? join(REPO_ROOT, 'README.md') : undefined;
process.stdout.write(await writeResults(join(REPO_ROOT, 'bench', 'results'), { rows: source.rows, tenants }, { runs, warmUps }, results, readme));
