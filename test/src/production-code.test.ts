import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness/paths.ts';

/**
 * What vendors install is production code only: it reads no test-only environment variable
 * (tests inject what they need, as the crash-safety tests inject checkpoint pauses) and
 * imports nothing from the test harness.
 */
function productionSources(): string[] {
  const roots = ['apps', 'libs'].flatMap((group) => readdirSync(join(REPO_ROOT, group)).map((name) => join(REPO_ROOT, group, name, 'src')));
  roots.push(join(REPO_ROOT, 'generator', 'src'));
  return roots.flatMap((root) =>
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') && !path.split('/').includes('testing'))
      .map((path) => join(root, path)),
  );
}

describe('production code', () => {
  const files = productionSources();

  it('is found (the scan reads every package)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((file) => file.endsWith('libs/sync/src/sync-model.ts'))).toBe(true);
  });

  it('reads no FERRY_TEST_ variable and imports nothing from @ferry/test', () => {
    const offending = files
      .filter((file) => /FERRY_TEST_|from '@ferry\/test'/.test(readFileSync(file, 'utf8')))
      .map((file) => file.slice(REPO_ROOT.length + 1));
    expect(offending).toEqual([]);
  });

  it('exports no test helper: fixtures and test doubles live in the test project', () => {
    const manifests = ['apps', 'libs']
      .flatMap((group) => readdirSync(join(REPO_ROOT, group)).map((name) => join(REPO_ROOT, group, name, 'package.json')))
      .concat(join(REPO_ROOT, 'generator', 'package.json'));
    const exported = manifests.flatMap((manifest) => {
      const { name, exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; exports?: Record<string, unknown> };
      return Object.keys(exports ?? {})
        .filter((entry) => /test/i.test(entry) || /testing|\.test\./.test(JSON.stringify(exports?.[entry])))
        .map((entry) => `${name} ${entry}`);
    });
    expect(manifests.length).toBeGreaterThan(10);
    expect(exported).toEqual([]);
  });
});
