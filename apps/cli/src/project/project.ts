import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ProjectError } from './project-error.ts';

/**
 * The `project:` section of ferry.yaml: where the vendor's dbt project is, how dbt parses it, and
 * where the manifest and the generated catalog live. Paths are relative to that ferry.yaml.
 */
export const projectSchema = z.strictObject({
  /** The dbt project folder (holds dbt_project.yml). */
  dbt_project: z.string().min(1).default('dbt_project'),
  /** The profile target `dbt parse` uses; the profile's own default when absent. */
  dbt_target: z.string().min(1).optional(),
  /** Where profiles.yml is; absent: as dbt looks (DBT_PROFILES_DIR, the project folder, ~/.dbt). */
  profiles_dir: z.string().min(1).optional(),
  /** The committed manifest (run-specific fields removed) that `ferry generate` reads. */
  manifest: z.string().min(1).default('libs/generated/manifest.json'),
  /** The generated library: `ferry generate` replaces its src/; plan, sync and verify load it. */
  generated: z.string().min(1).default('libs/generated'),
  /** Ferry's example workspace only: also compile every model for DuckDB into this script (`ferry demo` runs it). */
  duckdb_build_script: z.string().min(1).optional(),
});

export { ProjectError };

export type ProjectSection = z.input<typeof projectSchema>;

/** A Ferry workspace's project, with absolute paths. */
export interface Project {
  /** The ferry.yaml the section came from. */
  readonly configFile: string;
  /** Its folder: the workspace root. */
  readonly root: string;
  readonly dbtProject: string;
  readonly dbtTarget: string | undefined;
  readonly profilesDir: string | undefined;
  readonly manifest: string;
  /** The generated library's folder; the generator writes its `src/`. */
  readonly generated: string;
  readonly duckdbBuildScript: string | undefined;
}

/** The project a validated section describes, its paths resolved against its ferry.yaml. */
export function projectOf(section: z.output<typeof projectSchema>, configFile: string): Project {
  const root = dirname(resolve(configFile));
  const at = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
  return {
    configFile: resolve(configFile),
    root,
    dbtProject: at(section.dbt_project),
    dbtTarget: section.dbt_target,
    profilesDir: section.profiles_dir === undefined ? undefined : at(section.profiles_dir),
    manifest: at(section.manifest),
    generated: at(section.generated),
    duckdbBuildScript: section.duckdb_build_script === undefined ? undefined : at(section.duckdb_build_script),
  };
}

/**
 * The workspace Ferry runs in: the nearest ferry.yaml at or above `from` that has a `project:`
 * section, as git finds its repository. A ferry.yaml kept elsewhere (say, with a deployment's
 * destinations) without a project section uses the workspace it is run from.
 */
export async function findProject(from = process.cwd()): Promise<Project> {
  let dir = resolve(from);
  for (;;) {
    const file = join(dir, 'ferry.yaml');
    if (existsSync(file)) {
      const section = await readProjectSection(file);
      if (section !== undefined) return section;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new ProjectError(
        `no Ferry workspace here: no ferry.yaml with a \`project:\` section in ${resolve(from)} or any folder above it. ` +
          'Run `npx ferry init` to make one, or run ferry from your workspace.',
      );
    }
    dir = parent;
  }
}

/** The project of one ferry.yaml, or undefined when it has no `project:` section. */
export async function readProjectSection(file: string): Promise<Project | undefined> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ProjectError(`${file}: cannot read it as YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const section = raw !== null && typeof raw === 'object' ? (raw as { project?: unknown }).project : undefined;
  if (section === undefined) return undefined;
  const parsed = projectSchema.safeParse(section ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `project.${issue.path.map(String).join('.')}: ${issue.message}`);
    throw new ProjectError(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return projectOf(parsed.data, file);
}
