import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareGeneratedTree, hasDrift, writeGeneratedTree } from './write.ts';

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'ferry-out-'));
}

describe('writeGeneratedTree', () => {
  it('replaces the folder with exactly the given files and leaves no temporary folders', async () => {
    const root = await tempDir();
    const out = join(root, 'src');
    await mkdir(join(out, 'models'), { recursive: true });
    await writeFile(join(out, 'models', 'stale.ts'), 'old');
    await writeGeneratedTree(out, [
      { path: 'index.ts', content: 'export {};\n' },
      { path: 'sql/postgres/a.ts', content: 'a' },
    ]);
    expect((await readdir(out, { recursive: true })).sort()).toEqual(['index.ts', 'sql', 'sql/postgres', 'sql/postgres/a.ts']);
    expect(await readdir(root)).toEqual(['src']);
  });

  it('restores the previous output when an earlier run died between its two renames', async () => {
    const root = await tempDir();
    const out = join(root, 'src');
    await mkdir(`${out}.previous`, { recursive: true });
    await writeFile(join(`${out}.previous`, 'index.ts'), 'kept');
    await writeGeneratedTree(out, [{ path: 'index.ts', content: 'new' }]);
    expect(await readFile(join(out, 'index.ts'), 'utf8')).toBe('new');
    expect(await readdir(root)).toEqual(['src']);
  });
});

describe('compareGeneratedTree', () => {
  it('lists added, changed (with a line summary) and removed files', async () => {
    const out = join(await tempDir(), 'src');
    await writeGeneratedTree(out, [
      { path: 'same.ts', content: 'x\n' },
      { path: 'changed.ts', content: 'a\nb\nc\n' },
      { path: 'gone.ts', content: 'g\n' },
    ]);
    const drift = await compareGeneratedTree(out, [
      { path: 'same.ts', content: 'x\n' },
      { path: 'changed.ts', content: 'a\nB\nc\nd\n' },
      { path: 'new.ts', content: 'n\n' },
    ]);
    expect(drift).toEqual({
      added: ['new.ts'],
      changed: [{ path: 'changed.ts', summary: '+2 -1 lines, first difference at line 2' }],
      removed: ['gone.ts'],
    });
    expect(hasDrift(drift)).toBe(true);
    expect(
      hasDrift(
        await compareGeneratedTree(out, [
          { path: 'same.ts', content: 'x\n' },
          { path: 'changed.ts', content: 'a\nb\nc\n' },
          { path: 'gone.ts', content: 'g\n' },
        ]),
      ),
    ).toBe(false);
  });
});
