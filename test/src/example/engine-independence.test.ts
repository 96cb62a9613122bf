import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/paths.ts';

/**
 * Ferry's engine is a product a vendor installs; the example's generated catalog is only this
 * workspace's. If an engine package imported it (or named one of the example's models), replacing
 * dbt_project/ with another project would break the engine's typecheck, as it did before the
 * catalog was loaded at run time.
 */
const ENGINE = [
  'libs/schema',
  'libs/dialects',
  'libs/sources',
  'libs/destinations',
  'libs/state',
  'libs/connections',
  'libs/sync',
  'generator',
  'apps/cli',
];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(REPO_ROOT, dir, 'src'), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('the engine packages', () => {
  it.each(ENGINE)('%s never imports the example workspace (its generated catalog, demo or sample data)', async (dir) => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(dir)) {
      const text = await readFile(file, 'utf8');
      if (/from '@ferry\/(generated|demo|sample-data)'|import\('@ferry\/(generated|sample-data)'\)/.test(text))
        offenders.push(file.slice(REPO_ROOT.length + 1));
    }
    expect(offenders).toEqual([]);
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    expect(declared.filter((name) => ['@ferry/generated', '@ferry/demo', '@ferry/sample-data', '@ferry/test'].includes(name))).toEqual([]);
  });
});
