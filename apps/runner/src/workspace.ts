import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The Ferry workspace root: the nearest folder at or above `from` holding nx.json and a dbt
 * project, so `npx ferry` works from any subfolder.
 */
export function findWorkspaceRoot(from = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'nx.json')) && existsSync(join(dir, 'dbt_project'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}
