import { cpus, totalmem } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { median, type Measurement } from './measure.ts';

/** One scenario for one contestant: its measured runs (the warm-up left out). */
export interface Result {
  readonly scenario: string;
  readonly contestant: 'ferry' | 'ceiling' | 'dlt';
  /** Rows the scenario moves: the slice for a load, the changed rows for a sync of changes. */
  readonly rows: number;
  /** Size of the rows moved as Postgres stores them, when that is the scenario's measure. */
  readonly megabytes?: number;
  /** Destinations the contestant writes to, for the per-destination figure. */
  readonly destinations: number;
  /** How the runs compared with the source: equal, or what was wrong. */
  readonly verdict: string;
  readonly runs: readonly Measurement[];
}

const CONTESTANT_LABEL = { ferry: 'Ferry', ceiling: 'ceiling (binary COPY)', dlt: 'dlt' } as const;

export interface Figures extends Result {
  readonly medianWallSeconds: number;
  readonly rowsPerSecond: number;
  readonly megabytesPerSecond: number | null;
  readonly medianCpuSeconds: number;
  readonly maxPeakRssMb: number;
  /** The ceiling's time over this contestant's, in the same scenario. */
  readonly shareOfCeiling: number | null;
  /** dlt's time over Ferry's, in the same scenario (on Ferry's row). */
  readonly dltOverFerry: number | null;
}

export function figures(results: readonly Result[]): Figures[] {
  const wall = (r: Result) => median(r.runs.map((m) => m.wallSeconds));
  const other = (r: Result, contestant: Result['contestant']) => results.find((o) => o.scenario === r.scenario && o.contestant === contestant);
  return results.map((r) => {
    const seconds = wall(r);
    const ceiling = other(r, 'ceiling');
    const dlt = r.contestant === 'ferry' ? other(r, 'dlt') : undefined;
    return {
      ...r,
      medianWallSeconds: seconds,
      rowsPerSecond: r.rows / seconds,
      megabytesPerSecond: r.megabytes === undefined ? null : r.megabytes / seconds,
      medianCpuSeconds: median(r.runs.map((m) => m.cpuSeconds)),
      maxPeakRssMb: Math.max(...r.runs.map((m) => m.peakRssMb)),
      shareOfCeiling: ceiling ? wall(ceiling) / seconds : null,
      dltOverFerry: dlt ? wall(dlt) / seconds : null,
    };
  });
}

/** bench/results/<stamp>-<rows>.json and latest.md, with the machine described. */
export async function writeResults(dir: string, source: { rows: number; tenants: number }, runs: number, results: readonly Result[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9), node: process.version };
  const all = figures(results);
  const fixed = (n: number | null, digits: number) => (n === null ? '' : n.toFixed(digits));
  const lines = [
    `# Ferry benchmark: ${source.rows.toLocaleString('en')} messages, ${source.tenants} tenants`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, Postgres on loopback. ` +
      `Medians of ${runs} runs after one warm-up, all contestants side by side in one run; every run checked against the source. ` +
      'For a sync of changes, rows are the changed rows (updated + inserted + deleted).',
    '',
    '| scenario | contestant | rows | wall s | rows/s | MB/s | CPU s | peak RSS MB | ms per destination | ceiling / contestant | dlt / Ferry | checked |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...all.map(
      (f) =>
        `| ${f.scenario} | ${CONTESTANT_LABEL[f.contestant]} | ${f.rows.toLocaleString('en')} | ${f.medianWallSeconds.toFixed(2)} | ` +
        `${Math.round(f.rowsPerSecond).toLocaleString('en')} | ${fixed(f.megabytesPerSecond, 1)} | ${f.medianCpuSeconds.toFixed(1)} | ` +
        `${Math.round(f.maxPeakRssMb)} | ${f.destinations > 1 ? Math.round((f.medianWallSeconds * 1000) / f.destinations) : ''} | ` +
        `${fixed(f.shareOfCeiling, 2)} | ${fixed(f.dltOverFerry, 1)} | ${f.verdict} |`,
    ),
    '',
  ];
  const stamp = new Date().toISOString().slice(0, 16).replace(':', '');
  await writeFile(join(dir, `${stamp}-${source.rows}.json`), `${JSON.stringify({ machine, source, runs, results: all }, null, 2)}\n`);
  await writeFile(join(dir, 'latest.md'), lines.join('\n'));
  return lines.join('\n');
}
