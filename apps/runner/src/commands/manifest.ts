import { relative } from 'node:path';
import type { Command } from 'commander';
import { findWorkspaceRoot } from '../workspace.ts';

export function registerManifest(program: Command): void {
  const manifest = program.command('manifest').description('The committed dbt manifest the generator reads');
  manifest
    .command('update')
    .description(
      'Run dbt (build time only; the project venv) to refresh dbt_project/manifest.json (dbt parse) and dbt_project/compiled/duckdb.sql (dbt compile, for ferry demo)',
    )
    .option('--dbt <path>', 'dbt executable (default: .venv/bin/dbt, then dbt on PATH)')
    .action(async (flags: { dbt?: string }) => {
      // Loaded here, not at startup: the generator brings the TypeScript compiler (seconds to load).
      const { defaultPaths, updateManifest } = await import('@ferry/generator');
      const root = findWorkspaceRoot();
      const { dbtProject, manifestPath, duckdbSourcePath } = defaultPaths(root);
      const changed = await updateManifest({
        root,
        projectDir: dbtProject,
        manifestPath,
        duckdbSourcePath,
        ...(flags.dbt ? { dbt: flags.dbt } : {}),
      });
      const shown = (path: string) => relative(process.cwd(), path);
      if (changed.length === 0) console.log(`${shown(manifestPath)} and ${shown(duckdbSourcePath)} are up to date.`);
      else console.log(`Updated ${changed.map(shown).join(', ')}. Next: npx ferry generate`);
    });
}
