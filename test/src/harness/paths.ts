import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

/**
 * The `project:` section of Ferry's example workspace (the repository root's ferry.yaml), with
 * absolute paths: test configs written in temporary folders, outside any workspace, name it to
 * load the example's generated catalog.
 */
export const EXAMPLE_PROJECT = {
  dbt_project: resolve(REPO_ROOT, 'dbt_project'),
  manifest: resolve(REPO_ROOT, 'dbt_project', 'manifest.json'),
  generated: resolve(REPO_ROOT, 'libs', 'generated'),
};
