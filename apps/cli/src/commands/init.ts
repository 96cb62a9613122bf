import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { ProjectError } from '../project/project-error.ts';
import { workspaceFiles } from '../init/workspace-files.ts';

interface InitFlags {
  dbtProject?: string;
  dbtTarget?: string;
}

export function registerInit(program: Command): void {
  program
    .command('init [dir]')
    .description('Make a Ferry workspace in DIR (default: here) for your dbt project; never overwrites a file')
    .option('--dbt-project <path>', 'your dbt project folder (default: DIR if it holds dbt_project.yml, else a starter project in DIR/dbt_project)')
    .option('--dbt-target <name>', "the profile target dbt parses with (default: the profile's own)")
    .action(async (dir: string | undefined, flags: InitFlags) => {
      const root = resolve(dir ?? '.');
      const dbtProject = locateDbtProject(root, flags.dbtProject);
      const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
      const files = workspaceFiles({ name: packageName(basename(root)), ferryVersion: version, dbtProject, dbtTarget: flags.dbtTarget });
      const written: string[] = [];
      const skipped: string[] = [];
      for (const file of files) {
        const path = join(root, file.path);
        if (existsSync(path)) {
          skipped.push(`  ${file.path}: exists, left as it is; ${file.role}`);
          continue;
        }
        await mkdir(dirname(path), { recursive: true });
        // 'wx': fails rather than replace a file that appeared since the check.
        await writeFile(path, file.content, { flag: 'wx' });
        written.push(`  ${file.path}`);
      }
      const here = relative(process.cwd(), root) || '.';
      if (written.length > 0) console.log(`Wrote in ${here}:\n${written.join('\n')}`);
      if (skipped.length > 0) console.log(`Skipped (never overwritten):\n${skipped.join('\n')}`);
      console.log(`
Next, in ${here}:
  npm install                    # Ferry ${version} and the workspace tools
  npx ferry manifest update      # dbt parse (dbt deps first if the project has packages)
  npx ferry generate             # libs/generated: your export models, typed, and their SQL
Then add a source and destinations to ferry.yaml, and run \`npx ferry plan\` and \`npx ferry sync\`.`);
    });
}

/** The dbt project's folder relative to the workspace, or undefined to write the starter project. */
function locateDbtProject(root: string, given: string | undefined): string | undefined {
  if (given !== undefined) {
    const path = isAbsolute(given) ? given : resolve(given);
    if (!existsSync(join(path, 'dbt_project.yml'))) {
      throw new ProjectError(`--dbt-project ${given}: no dbt_project.yml in ${path}: pass the folder that holds your dbt project's dbt_project.yml`);
    }
    return relative(root, path) || '.';
  }
  if (existsSync(join(root, 'dbt_project.yml'))) return '.';
  if (existsSync(join(root, 'dbt_project', 'dbt_project.yml'))) return 'dbt_project';
  return undefined;
}

/** A folder name as an npm package name: lower case, letters, digits, - and _. */
function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return name || 'ferry-workspace';
}
