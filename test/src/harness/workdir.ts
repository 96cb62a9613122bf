import { cp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.ts';

/**
 * A scratch folder inside the workspace (test/.tmp/<id>), so generated TypeScript placed there
 * resolves @ferry/* packages from the workspace's node_modules like libs/generated does.
 */
export async function workspaceScratchDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = join(REPO_ROOT, 'test', '.tmp', randomBytes(5).toString('hex'));
  await mkdir(dir, { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Copies dbt_project (without dbt's target/ and logs/) so a test can edit models freely. */
export async function copyDbtProject(to: string): Promise<string> {
  const from = join(REPO_ROOT, 'dbt_project');
  await cp(from, to, {
    recursive: true,
    filter: (source) => !/[/\\](target|logs|dbt_packages)([/\\]|$)/.test(source.slice(from.length)),
  });
  return to;
}

/**
 * Runs the real `ferry` CLI as a user would, never throwing on a non-zero exit. stdin is `input`,
 * or empty: never left open, which a command reading it would wait on.
 */
export function runFerry(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}) {
  return execa('node', [join(REPO_ROOT, 'apps/cli/bin/ferry.js'), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env,
    input: options.input ?? '',
    reject: false,
  });
}

/** Every file under `dir` with its content, to prove a failed command changed nothing. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[path.slice(dir.length + 1)] = await readFile(path, 'utf8');
  }
  return files;
}
