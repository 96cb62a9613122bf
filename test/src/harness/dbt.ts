import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.ts';

/** dbt from the project venv that scripts/setup-venv.sh creates (npm test runs it first). */
export const DBT_BIN = join(REPO_ROOT, '.venv', 'bin', 'dbt');

export interface DbtRun {
  readonly stdout: string;
  readonly exitCode: number;
}

/**
 * Runs a real dbt command in `projectDir` with the repo's profiles.yml, failing with dbt's own
 * output when it exits non-zero.
 */
export async function runDbt(args: readonly string[], options: { projectDir: string; env?: Record<string, string> }): Promise<DbtRun> {
  if (!existsSync(DBT_BIN)) {
    throw new Error(`dbt is not installed at ${DBT_BIN}: run \`bash scripts/setup-venv.sh\` (npm test does it).`);
  }
  const result = await execa(DBT_BIN, [...args, '--project-dir', options.projectDir, '--profiles-dir', options.projectDir], {
    cwd: options.projectDir,
    env: { DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', DBT_NO_PRINT: 'false', ...options.env },
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) {
    throw new Error(`dbt ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.all}`);
  }
  return { stdout: result.all ?? '', exitCode: result.exitCode ?? 0 };
}
