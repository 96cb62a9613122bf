import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ProjectError } from '../project/project-error.ts';

interface GenerateFlags {
  config?: string;
  manifest?: string;
  out?: string;
  check?: boolean;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description("Generate the workspace's catalog (row interfaces, column specs, SQL per dialect) from the dbt manifest")
    .option('-c, --config <path>', 'ferry.yaml with the `project:` section (default: the nearest one at or above this folder)')
    .option('--manifest <path>', "dbt manifest.json (default: the project's `manifest`)")
    .option('--out <dir>', "output folder, replaced as a whole (default: the project's `generated`/src)")
    .option('--check', 'do not write; exit 1 if the committed output differs from a fresh generation')
    .action(async (flags: GenerateFlags) => {
      // Loaded here, not at startup: the generator brings the TypeScript compiler (seconds to load).
      const { generate, hasDrift } = await import('@ferry/generator');
      const { manifestPath, outDir } = await generatorPaths(flags);
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
      console.log(`Generated ${result.models.length} export models (${columns} columns) into ${shown(outDir)}: ${result.files.length} files.`);
    });
}

/** The manifest to read and the folder to write: the flags, else the workspace's project section. */
async function generatorPaths(flags: GenerateFlags): Promise<{ manifestPath: string; outDir: string }> {
  if (flags.manifest && flags.out) return { manifestPath: resolve(flags.manifest), outDir: resolve(flags.out) };
  const { findProject, readProjectSection } = await import('../project/project.ts');
  const project = flags.config ? await readProjectSection(resolve(flags.config)) : await findProject();
  if (project === undefined) {
    throw new ProjectError(`${flags.config} has no \`project:\` section: add one (see docs/ferry-yaml.md#project), or pass --manifest and --out`);
  }
  return {
    manifestPath: flags.manifest ? resolve(flags.manifest) : project.manifest,
    outDir: flags.out ? resolve(flags.out) : join(project.generated, 'src'),
  };
}
