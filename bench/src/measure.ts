import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** What one run of a contestant cost. */
export interface Measurement {
  readonly wallSeconds: number;
  /** User + system CPU of the command and its children. */
  readonly cpuSeconds: number;
  /** The largest resident set of any one process of the command, in MB. */
  readonly peakRssMb: number;
  /** Ferry only: the longest hard-delete key comparison of one destination, from its log. */
  readonly keyComparisonSeconds?: number;
  /** Ferry only: keys listed by all key comparisons, from its log (the rest compared as bucket digests). */
  readonly keysListed?: number;
  /** Ferry only: the steps of that longest comparison, in seconds (see KeyComparisonSteps). */
  readonly keyComparisonSteps?: Readonly<Record<string, number>>;
}

/**
 * Runs `command` under GNU time, which reports what Node cannot see for a child: its CPU time and
 * peak RSS. Wall time is measured here, around the whole command.
 * @throws Error with the command's stderr when it exits non-zero: a failed run is never a figure
 */
export async function measured(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; fromStderr?: (stderr: string) => Partial<Measurement> } = {},
): Promise<Measurement> {
  const { fromStderr, ...execaOptions } = options;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-time-'));
  const report = join(dir, 'time.txt');
  try {
    const started = performance.now();
    const finished = await execa('/usr/bin/time', ['-f', '%U %S %M', '-o', report, command, ...args], { ...execaOptions, reject: false, input: '' });
    const wallSeconds = (performance.now() - started) / 1000;
    if (finished.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${finished.exitCode}:\n${finished.stderr.slice(-4000)}`);
    const [user, system, rssKb] = (await readFile(report, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
    return { wallSeconds, cpuSeconds: (user ?? 0) + (system ?? 0), peakRssMb: (rssKb ?? 0) / 1024, ...fromStderr?.(finished.stderr) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
