import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { GeneratedFile } from '../emit/generated-file.ts';

/**
 * Replaces `dir` with exactly `files`. The new tree is written beside it and swapped in with
 * renames, so a failure while writing leaves the old output untouched. If a previous run died
 * between the two renames, the old tree is restored before anything else.
 */
export async function writeGeneratedTree(dir: string, files: readonly GeneratedFile[]): Promise<void> {
  const fresh = `${dir}.next`;
  const old = `${dir}.previous`;
  await recoverInterruptedSwap(dir, old);
  await rm(fresh, { recursive: true, force: true });
  for (const file of files) {
    const path = join(fresh, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
  }
  const hadOld = await exists(dir);
  if (hadOld) await rename(dir, old);
  await rename(fresh, dir);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

async function recoverInterruptedSwap(dir: string, old: string): Promise<void> {
  if (!(await exists(dir)) && (await exists(old))) await rename(old, dir);
  await rm(old, { recursive: true, force: true });
}

/** How the files on disk differ from what the generator would write. */
export interface Drift {
  readonly added: readonly string[];
  readonly changed: readonly { path: string; summary: string }[];
  readonly removed: readonly string[];
}

export async function compareGeneratedTree(dir: string, files: readonly GeneratedFile[]): Promise<Drift> {
  const onDisk = new Map<string, string>();
  for (const path of await listFiles(dir)) onDisk.set(path, await readFile(join(dir, path), 'utf8'));
  const added: string[] = [];
  const changed: { path: string; summary: string }[] = [];
  for (const file of files) {
    const current = onDisk.get(file.path);
    if (current === undefined) added.push(file.path);
    else if (current !== file.content) changed.push({ path: file.path, summary: lineSummary(current, file.content) });
    onDisk.delete(file.path);
  }
  return { added, changed, removed: [...onDisk.keys()].sort() };
}

export function hasDrift(drift: Drift): boolean {
  return drift.added.length + drift.changed.length + drift.removed.length > 0;
}

/** "+3 -1 lines, first at line 12": enough to see what kind of change a file needs. */
function lineSummary(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first += 1;
  const count = (lines: string[]) => lines.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
  const ca = count(a);
  const cb = count(b);
  let plus = 0;
  let minus = 0;
  for (const [line, n] of cb) plus += Math.max(0, n - (ca.get(line) ?? 0));
  for (const [line, n] of ca) minus += Math.max(0, n - (cb.get(line) ?? 0));
  return `+${plus} -${minus} lines, first difference at line ${first + 1}`;
}

async function listFiles(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await readdir(path);
    return true;
  } catch {
    return false;
  }
}
