import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findProject, runSync, table, type Project } from '@ferry/cli';
import { exportModels, type ExportModelName } from '@ferry/generated';
import { tenantId } from '@ferry/sample-data';
import type { DestinationResult } from '@ferry/sync';
import { buildDemoSource, changeDemoSource, demoSourcePath } from './source.ts';
import { compareWithSource } from './verify.ts';

/** The demo's options, as `ferry demo` parses them. */
export interface DemoFlags {
  dir: string;
  tenants: number;
  messages: number;
  seed: number;
}

/** The demo keeps its state in its folder, whatever FERRY_STATE_URL says: it must never touch a real state store. */
const DEMO_ENV = { ...process.env, FERRY_STATE_URL: undefined };

/** The two sandbox destinations: one keeps soft-deleted rows flagged, one deletes them. */
const DESTINATIONS = [
  { id: 'acme-duckdb', tenant: 0, softDeletes: 'keep' },
  { id: 'globex-duckdb', tenant: 1, softDeletes: 'delete' },
] as const;

/**
 * `ferry demo`: claims the working folder, then runs the whole loop and verifies it. Resolves to
 * false when a sync failed or a destination differs from its slice.
 */
export async function runDemo(flags: DemoFlags): Promise<boolean> {
  const dir = resolve(flags.dir);
  await claimDemoDir(dir);
  return demo({ dir, tenants: flags.tenants, messagesPerTenant: flags.messages, seed: flags.seed });
}

/** Written first into a folder the demo uses: only a folder holding it is the demo's to clear. */
const DEMO_MARKER = '.ferry-demo';

/** What the demo writes in its folder, and DuckDB's write-ahead logs of its databases. */
const DEMO_FILES = new Set([DEMO_MARKER, 'ferry.yaml', 'state.duckdb', 'ferry_source.duckdb', ...DESTINATIONS.map((d) => `${d.id}.duckdb`)]);

/**
 * Readies the working folder: a new or empty one, or one an earlier demo marked as its own, whose
 * files it deletes (nothing else). Files named like the demo's in an unmarked folder (a
 * hand-written ferry.yaml, a state.duckdb) are the user's: refused. The folder itself is never
 * removed (it may be the shell's current folder).
 */
async function claimDemoDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot use ${dir} as the demo's folder (${error.code ?? error.message}): pass a new or empty folder with --dir`);
  });
  const entries = await readdir(dir);
  const foreign = entries.includes(DEMO_MARKER) ? entries.filter((entry) => !DEMO_FILES.has(entry.replace(/\.wal$/, ''))) : entries;
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, and ${foreign.length - 3} more` : '');
    throw new Error(`${dir} holds files ferry demo did not write (${shown}): pass a new or empty folder with --dir`);
  }
  await Promise.all(entries.map((entry) => rm(join(dir, entry), { force: true })));
  await writeFile(join(dir, DEMO_MARKER), 'This folder belongs to `ferry demo`, which deletes its files when it runs here again.\n');
}

async function demo(options: { dir: string; tenants: number; messagesPerTenant: number; seed: number }): Promise<boolean> {
  // The demo runs Ferry's example workspace (this repository), wherever it is run from.
  const project = await findProject(dirname(fileURLToPath(import.meta.url)));
  const buildScript = project.duckdbBuildScript;
  if (buildScript === undefined) throw new Error(`${project.configFile} has no project.duckdb_build_script: the demo builds its source with it`);
  const { dir } = options;
  const say = (text: string) => console.log(text);

  const sourcePath = demoSourcePath(dir);
  say(`1. Building the sample source (${options.tenants} tenants x ${options.messagesPerTenant} messages) in ${relative(process.cwd(), sourcePath)}`);
  await buildDemoSource(buildScript, sourcePath, { seed: options.seed, tenants: options.tenants, messagesPerTenant: options.messagesPerTenant }, say);

  const configPath = join(dir, 'ferry.yaml');
  await writeFile(configPath, demoConfig(dir, project, relative(dir, sourcePath), Object.keys(exportModels)));
  say(`2. First sync (backfill) of ${DESTINATIONS.length} sandbox destinations, configured in ${relative(process.cwd(), configPath)}`);
  const first = await runSync(configPath, {}, DEMO_ENV);
  say(syncSummary(first));

  const changes = { updates: 40, inserts: 25, softDeletes: 5, hardDeletes: 3 };
  say(
    `3. Changing the source: ${changes.updates} updates, ${changes.inserts} inserts, ${changes.softDeletes} soft deletes, ${changes.hardDeletes} hard deletes per kind, then rebuilding the dbt models`,
  );
  await changeDemoSource(buildScript, sourcePath, changes, new Date());

  say('4. Second sync (incremental)');
  const second = await runSync(configPath, {}, DEMO_ENV);
  say(syncSummary(second));

  say("5. Verifying every destination table equals its tenant's slice of the source");
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
function demoConfig(dir: string, project: Project, sourceFile: string, exportModelNames: readonly string[]): string {
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
project:
  dbt_project: ${relative(dir, project.dbtProject)}
  manifest: ${relative(dir, project.manifest)}
  generated: ${relative(dir, project.generated)}
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
