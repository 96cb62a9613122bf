import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import type { ExportModelName } from '@ferry/generated';
import { findWorkspaceRoot } from '../workspace.ts';
import type { DestinationResult } from '@ferry/sync';
import { runSync } from './sync.ts';
import { table } from '../output/format.ts';

interface DemoFlags {
  dir: string;
  tenants: number;
  messages: number;
  seed: number;
}

/** The demo keeps its state in its folder, whatever FERRY_STATE_URL says: it must never touch a real state store. */
const DEMO_ENV = { ...process.env, FERRY_STATE_URL: undefined };


/** A whole number of at least `min`, for an option; commander reports the error and exits 1. */
function wholeNumber(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}.`);
    return Number(value);
  };
}

/** The two sandbox destinations: one keeps soft-deleted rows flagged, one deletes them. */
const DESTINATIONS = [
  { id: 'acme-duckdb', tenant: 0, softDeletes: 'keep' },
  { id: 'globex-duckdb', tenant: 1, softDeletes: 'delete' },
] as const;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the whole loop on one machine, no servers: sample source, two tenants, sync, change, sync, verify')
    .option('--dir <path>', 'working folder: new, empty, or one an earlier demo used (its files are replaced)', '.ferry/demo')
    .option('--tenants <count>', 'tenants in the sample source (two are synced)', wholeNumber(2), 3)
    .option('--messages <count>', 'messages per tenant', wholeNumber(1), 2000)
    .option('--seed <number>', 'sample data seed', wholeNumber(0), 42)
    .action(async (flags: DemoFlags) => {
      const dir = resolve(flags.dir);
      await claimDemoDir(dir);
      const ok = await runDemo({ dir, tenants: flags.tenants, messagesPerTenant: flags.messages, seed: flags.seed });
      if (!ok) process.exitCode = 1;
    });
}

/** What the demo writes in its folder, and DuckDB's write-ahead logs of its databases. */
const DEMO_FILES = new Set(['ferry.yaml', 'state.duckdb', 'ferry_source.duckdb', ...DESTINATIONS.map((d) => `${d.id}.duckdb`)]);

/**
 * Readies the working folder: deletes what an earlier demo left there, and nothing else. A
 * folder holding anything the demo does not write is refused, and the folder itself is never
 * removed (it may be the shell's current folder).
 */
async function claimDemoDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot use ${dir} as the demo's folder (${error.code ?? error.message}): pass a new or empty folder with --dir`);
  });
  const entries = await readdir(dir);
  const foreign = entries.filter((entry) => !DEMO_FILES.has(entry.replace(/\.wal$/, '')));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, and ${foreign.length - 3} more` : '');
    throw new Error(`${dir} holds files ferry demo did not write (${shown}): pass a new or empty folder with --dir`);
  }
  await Promise.all(entries.map((entry) => rm(join(dir, entry), { force: true })));
}

async function runDemo(options: { dir: string; tenants: number; messagesPerTenant: number; seed: number }): Promise<boolean> {
  // The demo runs Ferry's own dbt project, the one libs/generated was made from, wherever it is run.
  const root = findWorkspaceRoot(dirname(fileURLToPath(import.meta.url)));
  const { dir } = options;
  const say = (text: string) => console.log(text);

  // Loaded here, not at startup: building the source needs the generator, which brings the TypeScript compiler, and
  // the sample data and the check need DuckDB.
  const [{ buildDemoSource, changeDemoSource, demoSourcePath }, { compareWithSource }, { exportModels }, { tenantId }] = await Promise.all([
    import('../demo/source.ts'),
    import('../demo/verify.ts'),
    import('@ferry/generated'),
    import('@ferry/sample-data'),
  ]);
  const sourcePath = demoSourcePath(dir);
  say(`1. Building the sample source (${options.tenants} tenants x ${options.messagesPerTenant} messages) in ${relative(process.cwd(), sourcePath)}`);
  await buildDemoSource(root, sourcePath, { seed: options.seed, tenants: options.tenants, messagesPerTenant: options.messagesPerTenant });

  const configPath = join(dir, 'ferry.yaml');
  await writeFile(configPath, demoConfig(relative(dir, sourcePath), Object.keys(exportModels), tenantId));
  say(`2. First sync (backfill) of ${DESTINATIONS.length} sandbox destinations, configured in ${relative(process.cwd(), configPath)}`);
  const first = await runSync(configPath, {}, DEMO_ENV);
  say(syncSummary(first));

  const changes = { updates: 40, inserts: 25, softDeletes: 5, hardDeletes: 3 };
  say(`3. Changing the source: ${changes.updates} updates, ${changes.inserts} inserts, ${changes.softDeletes} soft deletes, ${changes.hardDeletes} hard deletes per kind, then rebuilding the dbt models`);
  await changeDemoSource(root, sourcePath, changes, new Date());

  say('4. Second sync (incremental)');
  const second = await runSync(configPath, {}, DEMO_ENV);
  say(syncSummary(second));

  say('5. Verifying every destination table equals its tenant\'s slice of the source');
  const rows: string[][] = [['DESTINATION', 'TENANT', 'MODEL', 'SOURCE ROWS', 'DESTINATION ROWS', 'RESULT']];
  let equal = true;
  for (const destination of DESTINATIONS) {
    const checks = await compareWithSource({
      sourcePath,
      destinationPath: join(dir, `${destination.id}.duckdb`),
      schema: 'ferry',
      tenant: tenantId(destination.tenant),
      models: Object.keys(exportModels) as ExportModelName[],
      softDeletes: destination.softDeletes,
    });
    for (const check of checks) {
      const same = check.differingRows === 0 && check.sourceRows === check.destinationRows;
      equal &&= same;
      rows.push([
        destination.id,
        tenantId(destination.tenant),
        check.model,
        String(check.sourceRows),
        String(check.destinationRows),
        same ? 'equal' : `DIFFERS (${check.differingRows} rows)`,
      ]);
    }
  }
  say(table(rows));
  const synced = [...first, ...second].every((r) => r.status === 'succeeded');
  say(
    synced && equal
      ? `\nDone: both syncs succeeded and every destination equals its tenant's slice. Inspect with \`npx ferry status -c ${relative(process.cwd(), configPath)}\`.`
      : '\nThe demo found a problem: see the failures above.',
  );
  return synced && equal;
}

/** One line per destination: what the sync changed, in rows. */
function syncSummary(results: readonly DestinationResult[]): string {
  return results
    .map((result) => {
      const total = (field: 'rowsInserted' | 'rowsUpdated' | 'rowsDeleted') => result.models.reduce((n, m) => n + m[field], 0);
      const outcome = result.status === 'succeeded' ? `${result.models.length} models` : `FAILED: ${result.error}`;
      return `   ${result.destinationId}: ${outcome}, +${total('rowsInserted')} inserted ~${total('rowsUpdated')} updated -${total('rowsDeleted')} deleted rows`;
    })
    .join('\n');
}

/** The demo's ferry.yaml: also a working example of the format. */
function demoConfig(sourceFile: string, exportModelNames: readonly string[], tenantId: (index: number) => string): string {
  const models = exportModelNames.map((m) => `      - ${m}`).join('\n');
  const destinations = DESTINATIONS.map(
    (d) => `  - id: ${d.id}
    type: duckdb
    path: ${d.id}.duckdb
    schema: ferry
    tenant: ${tenantId(d.tenant)}
    product: engagement
    soft_deletes: ${d.softDeletes}`,
  ).join('\n');
  return `# Written by \`ferry demo\`. Paths are relative to this file.
source:
  type: duckdb
  path: ${sourceFile}
state:
  path: state.duckdb
sync:
  concurrency: 2
  lookback: 5m
products:
  engagement:
${models}
destinations:
${destinations}
`;
}
