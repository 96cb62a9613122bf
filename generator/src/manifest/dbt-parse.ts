import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { GeneratorError } from '../problems.ts';
import { formatManifest } from './normalize.ts';

export interface DbtParseOptions {
  /** The dbt project folder (holds dbt_project.yml). */
  readonly projectDir: string;
  /** The dbt executable; defaults to the workspace venv's (.venv/bin/dbt), then `dbt` on PATH. */
  readonly dbt?: string;
  /** The workspace root, where the project venv (.venv) lives. */
  readonly root: string;
  /** The profile target to parse with; the profile's default when absent. */
  readonly target?: string;
  /**
   * Where profiles.yml is. Absent, dbt looks as it always does: DBT_PROFILES_DIR, then the folder
   * it runs in (the project folder), then ~/.dbt.
   */
  readonly profilesDir?: string;
}

/**
 * Runs one real dbt command in the project folder, its target files in a temporary folder, and
 * returns that folder's manifest.json. The environment is the caller's (profiles read their
 * secrets from it), less Ferry's own FERRY_* variables, so the result depends on the project.
 */
async function runDbt(
  options: DbtParseOptions,
  args: readonly string[],
  env: (target: string) => Record<string, string> = () => ({}),
): Promise<unknown> {
  const target = await mkdtemp(join(tmpdir(), 'ferry-dbt-'));
  try {
    await dbtStep(options, [...args, '--target-path', target], env(target));
    return JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8'));
  } finally {
    await rm(target, { recursive: true, force: true });
  }
}

/** Runs `dbt <args>` in the project folder; a failure names the step, the command and dbt's last words. */
async function dbtStep(options: DbtParseOptions, args: readonly string[], env: Record<string, string> = {}): Promise<void> {
  const dbt = options.dbt ?? (existsSync(join(options.root, '.venv/bin/dbt')) ? join(options.root, '.venv/bin/dbt') : 'dbt');
  const logs = await mkdtemp(join(tmpdir(), 'ferry-dbt-logs-'));
  const flags = [
    ...(options.target && args[0] !== 'deps' ? ['--target', options.target] : []),
    ...(options.profilesDir ? ['--profiles-dir', options.profilesDir] : []),
  ];
  const command = [dbt, ...args, ...flags];
  try {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FERRY_')));
    const result = await execa(command[0] as string, [...command.slice(1), '--log-path', logs, '--no-partial-parse'], {
      cwd: options.projectDir,
      env: { ...inherited, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', ...env },
      extendEnv: false,
      reject: false,
      all: true,
    });
    if (!result.failed) return;
    const notFound = (result as { code?: string }).code === 'ENOENT';
    throw new GeneratorError(`dbt ${args[0]} failed${notFound ? '' : ` (exit ${result.exitCode})`} in ${options.projectDir}.`, [
      {
        at: `\`${command.join(' ')}\``,
        message: notFound ? `dbt was not found (${dbt})` : (result.all ?? '').trim().split('\n').slice(-15).join('\n'),
        fix: notFound
          ? 'install dbt with your adapter (e.g. `python -m venv .venv && .venv/bin/pip install dbt-core dbt-postgres`) or pass --dbt <path>'
          : `fix what dbt ${args[0]} reports above (profile, target or project), then run this again`,
      },
    ]);
  } finally {
    await rm(logs, { recursive: true, force: true });
  }
}

/** Installs the project's dbt packages (`dbt deps`) when it declares any. */
async function installDbtPackages(options: DbtParseOptions): Promise<void> {
  if (['packages.yml', 'dependencies.yml'].some((file) => existsSync(join(options.projectDir, file)))) {
    await dbtStep(options, ['deps']);
  }
}

/** Runs a real `dbt parse` and returns the manifest text Ferry commits (run-specific fields removed). */
export async function parseDbtProject(options: DbtParseOptions): Promise<string> {
  await installDbtPackages(options);
  return formatManifest(await runDbt(options, ['parse']));
}

/** The DuckDB catalog the compiled source script builds into: `ferry demo` names its source file after it. */
export const DUCKDB_SOURCE_CATALOG = 'ferry_source';

/**
 * Runs `dbt compile --target duckdb` and returns a SQL script that builds every model the way
 * dbt would on DuckDB (views and tables in dependency order). `ferry demo` runs it to build its
 * sample source with no Python at run time.
 */
export async function compileDuckDbSource(options: DbtParseOptions): Promise<string> {
  const manifest = (await runDbt({ ...options, target: 'duckdb' }, ['compile'], (target) => ({
    FERRY_DUCKDB_PATH: join(target, `${DUCKDB_SOURCE_CATALOG}.duckdb`),
  }))) as { nodes: Record<string, CompiledNode> };
  const models = Object.values(manifest.nodes).filter((node) => node.resource_type === 'model');
  const statements: string[] = [];
  const schemas = new Set<string>();
  for (const node of dependencyOrder(models)) {
    const schema = `"${node.database}"."${node.schema}"`;
    if (!schemas.has(schema)) statements.push(`CREATE SCHEMA IF NOT EXISTS ${schema};`);
    schemas.add(schema);
    const kind = node.config.materialized === 'view' ? 'VIEW' : 'TABLE';
    statements.push(`-- ${node.unique_id}\nCREATE OR REPLACE ${kind} ${node.relation_name} AS\n${node.compiled_code.trim()};`);
  }
  return [
    '-- Generated by `ferry manifest update` from `dbt compile --target duckdb`. Do not edit.',
    `-- Builds every dbt model on DuckDB, in dependency order, in the catalog "${DUCKDB_SOURCE_CATALOG}".`,
    '',
    statements.join('\n\n'),
    '',
  ].join('\n');
}

interface CompiledNode {
  readonly resource_type: string;
  readonly unique_id: string;
  readonly database: string;
  readonly schema: string;
  readonly relation_name: string;
  readonly compiled_code: string;
  readonly config: { readonly materialized: string };
  readonly depends_on: { readonly nodes: readonly string[] };
}

/** Models sorted so each comes after the models it selects from; ties by id, for a stable file. */
function dependencyOrder(models: readonly CompiledNode[]): CompiledNode[] {
  const byId = new Map(models.map((m) => [m.unique_id, m]));
  const done = new Set<string>();
  const ordered: CompiledNode[] = [];
  const visit = (node: CompiledNode) => {
    if (done.has(node.unique_id)) return;
    done.add(node.unique_id);
    for (const id of [...node.depends_on.nodes].sort()) {
      const parent = byId.get(id);
      if (parent) visit(parent);
    }
    ordered.push(node);
  };
  for (const node of [...models].sort((a, b) => a.unique_id.localeCompare(b.unique_id))) visit(node);
  return ordered;
}

/**
 * Refreshes the committed dbt artefacts: the manifest (dbt parse) and, for Ferry's example
 * workspace only, the DuckDB build script (dbt compile). Returns the paths whose content changed.
 */
export async function updateManifest(options: DbtParseOptions & { manifestPath: string; duckdbBuildScript?: string }): Promise<string[]> {
  const outputs: [string, string][] = [[options.manifestPath, await parseDbtProject(options)]];
  if (options.duckdbBuildScript) outputs.push([options.duckdbBuildScript, await compileDuckDbSource(options)]);
  const changed: string[] = [];
  for (const [path, text] of outputs) {
    const before = existsSync(path) ? await readFile(path, 'utf8') : undefined;
    if (before === text) continue;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
    changed.push(path);
  }
  return changed;
}
