import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ProjectError } from '../project/project-error.ts';

export function registerManifest(program: Command): void {
  const manifest = program.command('manifest').description('The committed dbt manifest the generator reads');
  manifest
    .command('update')
    .description(
      "Run dbt (build time only) to refresh the project's manifest (dbt deps when the project has packages, then dbt parse with the project's dbt_target)",
    )
    .option('-c, --config <path>', 'ferry.yaml with the `project:` section (default: the nearest one at or above this folder)')
    .option('--dbt <path>', 'dbt executable (default: .venv/bin/dbt in the workspace, then dbt on PATH)')
    .option(
      '--profiles-dir <path>',
      'where profiles.yml is (default: project.profiles_dir, else as dbt looks: DBT_PROFILES_DIR, the project folder, ~/.dbt)',
    )
    .action(async (flags: { config?: string; dbt?: string; profilesDir?: string }) => {
      // Only the generator's dbt runner: its index brings the TypeScript compiler (seconds to load).
      const { updateManifest } = await import('@ferry/generator/dbt');
      const { findProject, readProjectSection } = await import('../project/project.ts');
      const project = flags.config ? await readProjectSection(resolve(flags.config)) : await findProject();
      if (project === undefined) throw new ProjectError(`${flags.config} has no \`project:\` section: add one (see docs/ferry-yaml.md#project)`);
      const profilesDir = flags.profilesDir ? resolve(flags.profilesDir) : project.profilesDir;
      const changed = await updateManifest({
        root: project.root,
        projectDir: project.dbtProject,
        manifestPath: project.manifest,
        ...(project.duckdbBuildScript ? { duckdbBuildScript: project.duckdbBuildScript } : {}),
        ...(project.dbtTarget ? { target: project.dbtTarget } : {}),
        ...(profilesDir ? { profilesDir } : {}),
        ...(flags.dbt ? { dbt: flags.dbt } : {}),
      });
      const shown = (path: string) => relative(process.cwd(), path) || path;
      const outputs = [project.manifest, ...(project.duckdbBuildScript ? [project.duckdbBuildScript] : [])];
      if (changed.length === 0) console.log(`${outputs.map(shown).join(' and ')} ${outputs.length > 1 ? 'are' : 'is'} up to date.`);
      else console.log(`Updated ${changed.map(shown).join(', ')}. Next: npx ferry generate`);
    });
}
