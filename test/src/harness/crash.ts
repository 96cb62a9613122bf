import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.ts';

import type { SyncCheckpoint } from '@ferry/sync';

export type { SyncCheckpoint };

export interface PausedFerry {
  readonly pid: number;
  /** stderr up to the pause. */
  readonly stderr: string;
  /** SIGKILLs the process and resolves once it is gone, so its files are free for the next run. */
  kill(): Promise<void>;
}

/**
 * Runs the real `ferry` CLI through test/bin/ferry-paused.mjs, which injects a pause at
 * `checkpoint`, and resolves once it reports having reached that point, still running (holding its connections, files and leases). Rejects
 * when the CLI ends, or fails to pause, on its own.
 */
export async function pauseFerryAt(
  checkpoint: SyncCheckpoint,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; pauseTimeoutMs?: number } = {},
): Promise<PausedFerry> {
  const child = execa('node', [join(REPO_ROOT, 'test/bin/ferry-paused.mjs'), checkpoint, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...options.env },
    reject: false,
  });
  const kill = async () => {
    child.kill('SIGKILL');
    await child;
  };
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes(`ferry: paused at ${checkpoint}`)) resolve();
      });
      void child.then((result) => reject(new Error(`ferry ended before pausing at ${checkpoint} (exit ${result.exitCode}): ${stderr}`)));
      timer = setTimeout(
        () => reject(new Error(`ferry did not pause at ${checkpoint} within ${options.pauseTimeoutMs ?? 60_000} ms: ${stderr}`)),
        options.pauseTimeoutMs ?? 60_000,
      );
    });
    // Killing the process must be the whole crash: a helper process left running would keep writing.
    const children = await execa('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)], { reject: false });
    if (children.stdout.trim() !== '') throw new Error(`ferry (pid ${child.pid}) has child processes a kill would orphan:\n${children.stdout}`);
  } catch (error) {
    await kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { pid: child.pid as number, stderr, kill };
}

/**
 * Runs the real `ferry` CLI and SIGKILLs it as soon as it reaches `checkpoint`: the closest a
 * test gets to pulling the plug at an exact moment. Resolves once the process is gone.
 */
export async function killFerryAt(
  checkpoint: SyncCheckpoint,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; pauseTimeoutMs?: number } = {},
): Promise<{ stderr: string }> {
  const paused = await pauseFerryAt(checkpoint, args, options);
  await paused.kill();
  return { stderr: paused.stderr };
}
