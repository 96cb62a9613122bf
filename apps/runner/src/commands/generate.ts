import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { findWorkspaceRoot } from '../workspace.ts';

interface GenerateFlags {
  manifest?: string;
  out?: string;
  check?: boolean;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate libs/generated (row interfaces, column specs, SQL per dialect) from the dbt manifest')
    .option('--manifest <path>', 'dbt manifest.json (default: dbt_project/manifest.json)')
    .option('--out <dir>', 'output folder, replaced as a whole (default: libs/generated/src)')
    .option('--check', 'do not write; exit 1 if the committed output differs from a fresh generation')
    .action(async (flags: GenerateFlags) => {
      // Loaded here, not at startup: the generator brings the TypeScript compiler (seconds to load).
      const { defaultPaths, generate, hasDrift } = await import('@ferry/generator');
      const root = findWorkspaceRoot();
      const defaults = defaultPaths(root);
      const manifestPath = flags.manifest ? resolve(flags.manifest) : defaults.manifestPath;
      const outDir = flags.out ? resolve(flags.out) : defaults.outDir;
      const shown = (path: string) => relative(process.cwd(), path) || '.';

      const result = await generate({ manifestPath, outDir, check: flags.check ?? false });
      for (const note of result.notes) console.error(`note: model "${note.model}": ${note.message}`);

      if (result.drift) {
        if (!hasDrift(result.drift)) {
          console.log(`${shown(outDir)} is up to date with ${shown(manifestPath)} (${result.models.length} export models).`);
          return;
        }
        const { added, changed, removed } = result.drift;
        console.error(`${shown(outDir)} is not up to date with ${shown(manifestPath)}:`);
        for (const path of added) console.error(`  added    ${path}`);
        for (const { path, summary } of changed) console.error(`  changed  ${path} (${summary})`);
        for (const path of removed) console.error(`  removed  ${path}`);
        console.error('Run `npx ferry generate` and commit the result.');
        process.exitCode = 1;
        return;
      }
      const columns = result.models.reduce((n, m) => n + m.columns.length, 0);
      console.log(
        `Generated ${result.models.length} export models (${columns} columns) into ${shown(outDir)}: ${result.files.length} files.`,
      );
    });
}
