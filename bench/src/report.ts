import { cpus, totalmem } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { median, type Measurement } from './measure.ts';

/** One scenario for one contestant: its measured runs (the warm-up left out). */
export interface Result {
  readonly scenario: string;
  readonly contestant: 'ferry' | 'ceiling' | 'dlt' | 'node' | 'read';
  /**
   * Rows the scenario moves: the slice for a load, the changed rows for a sync of changes, every
   * tenant's rows for a full verify (read on each side), the rows re-synced for a repair.
   */
  readonly rows: number;
  /** Size of the rows moved as Postgres stores them, when that is the scenario's measure. */
  readonly megabytes?: number;
  /** Destinations the contestant writes to, for the per-destination figure. */
  readonly destinations: number;
  /** How the runs compared with the source: equal, or what was wrong. */
  readonly verdict: string;
  readonly runs: readonly Measurement[];
}

const CONTESTANT_LABEL = {
  ferry: 'Ferry',
  ceiling: 'ceiling (binary COPY)',
  dlt: 'dlt',
  node: 'bare node (node -e 0)',
  read: 'one raw read per side (COPY)',
} as const;

export interface Figures extends Result {
  readonly medianWallSeconds: number;
  readonly rowsPerSecond: number;
  readonly megabytesPerSecond: number | null;
  readonly medianCpuSeconds: number;
  readonly maxPeakRssMb: number;
  /** Ferry's longest hard-delete key comparison of one destination, and the keys it listed (medians). */
  readonly keyComparison: {
    readonly seconds: number;
    readonly keysListed: number;
    /** Median seconds of each step that ran (see KeyComparisonSteps). */
    readonly steps: Readonly<Record<string, number>>;
  } | null;
  /** The ceiling's time over this contestant's, in the same scenario. */
  readonly shareOfCeiling: number | null;
  /** dlt's time over Ferry's, in the same scenario (on Ferry's row). */
  readonly dltOverFerry: number | null;
  /** A full verify: Ferry's time over one raw read of the table on each side (on Ferry's row). */
  readonly overRawRead: number | null;
}

/** What a full verify may cost, as a multiple of reading the table once on each side. */
const VERIFY_TARGET = 1.5;

export function figures(results: readonly Result[]): Figures[] {
  const wall = (r: Result) => median(r.runs.map((m) => m.wallSeconds));
  const other = (r: Result, contestant: Result['contestant']) => results.find((o) => o.scenario === r.scenario && o.contestant === contestant);
  return results.map((r) => {
    const seconds = wall(r);
    // A CLI start's ceiling is a bare Node start: what no Node program can beat; a full verify's
    // is one raw read of each side, what no verification that reads every row can beat.
    const read = r.contestant === 'ferry' ? other(r, 'read') : undefined;
    const ceiling = other(r, 'ceiling') ?? (r.contestant === 'ferry' ? (other(r, 'node') ?? read) : undefined);
    const dlt = r.contestant === 'ferry' ? other(r, 'dlt') : undefined;
    return {
      ...r,
      medianWallSeconds: seconds,
      rowsPerSecond: r.rows / seconds,
      megabytesPerSecond: r.megabytes === undefined ? null : r.megabytes / seconds,
      medianCpuSeconds: median(r.runs.map((m) => m.cpuSeconds)),
      maxPeakRssMb: Math.max(...r.runs.map((m) => m.peakRssMb)),
      keyComparison: r.runs.every((m) => m.keyComparisonSeconds !== undefined)
        ? {
            seconds: median(r.runs.map((m) => m.keyComparisonSeconds ?? 0)),
            keysListed: median(r.runs.map((m) => m.keysListed ?? 0)),
            steps: medianSteps(r.runs),
          }
        : null,
      shareOfCeiling: ceiling ? wall(ceiling) / seconds : null,
      dltOverFerry: dlt ? wall(dlt) / seconds : null,
      overRawRead: read ? seconds / wall(read) : null,
    };
  });
}

/** The median seconds of each key comparison step, over the runs (a step a run skipped counts 0 there). */
function medianSteps(runs: Result['runs']): Record<string, number> {
  const names = [...new Set(runs.flatMap((m) => Object.keys(m.keyComparisonSteps ?? {})))];
  return Object.fromEntries(names.map((name) => [name, median(runs.map((m) => m.keyComparisonSteps?.[name] ?? 0))]));
}

/** Where the README shows the latest table: between these two lines. */
const README_START = '<!-- bench:latest (written by npm run bench) -->';
const README_END = '<!-- /bench:latest -->';

/**
 * bench/results/<stamp>-<rows>.json and latest.md, with the machine described; with `readme`, the
 * same table in the README between its bench:latest markers.
 */
export async function writeResults(
  dir: string,
  source: { rows: number; tenants: number },
  rounds: { readonly runs: number; readonly warmUps: number },
  results: readonly Result[],
  readme?: string,
): Promise<string> {
  const { runs, warmUps } = rounds;
  await mkdir(dir, { recursive: true });
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9), node: process.version };
  const all = figures(results);
  const fixed = (n: number | null, digits: number) => (n === null ? '' : n.toFixed(digits));
  const lines = [
    `# Ferry benchmark: ${source.rows.toLocaleString('en')} messages, ${source.tenants} tenants`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, Postgres on loopback. ` +
      `${runs === 1 ? 'One run' : `Medians of ${runs} runs`}${warmUps > 0 ? ' after one warm-up' : ', no warm-up'}, all contestants side by side in one run; every run checked against the source. ` +
      'For a sync of changes, rows are the changed rows (updated + inserted + deleted).',
    '',
    '| scenario | contestant | rows | wall s | rows/s | MB/s | CPU s | peak RSS MB | ms per destination | hard-delete check s (keys listed) | ceiling / contestant | dlt / Ferry | checked |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...all.map(
      (f) =>
        `| ${f.scenario} | ${CONTESTANT_LABEL[f.contestant]} | ${f.rows.toLocaleString('en')} | ${f.medianWallSeconds.toFixed(2)} | ` +
        `${f.rows > 0 ? Math.round(f.rowsPerSecond).toLocaleString('en') : ''} | ${fixed(f.megabytesPerSecond, 1)} | ${f.medianCpuSeconds.toFixed(1)} | ` +
        `${Math.round(f.maxPeakRssMb)} | ${f.destinations > 1 ? Math.round((f.medianWallSeconds * 1000) / f.destinations) : ''} | ` +
        `${f.keyComparison ? `${f.keyComparison.seconds.toFixed(2)} (${f.keyComparison.keysListed.toLocaleString('en')})` : ''} | ` +
        `${fixed(f.shareOfCeiling, 2)} | ${fixed(f.dltOverFerry, 1)} | ${f.verdict} |`,
    ),
    '',
    // Where the longest key comparison's time went, for the scenarios that listed keys.
    ...all.flatMap((f) => {
      if (f.keyComparison === null || f.keyComparison.keysListed === 0) return [];
      const steps = Object.entries(f.keyComparison.steps).map(([step, seconds]) => `${step} ${seconds.toFixed(2)} s`);
      return [`${f.scenario}: the longest key comparison, ${f.keyComparison.seconds.toFixed(2)} s: ${steps.join(', ')}.`, ''];
    }),
    // A full verify against its target, in words: the table's ceiling column shows it inverted.
    ...all.flatMap((f) => {
      const read = all.find((o) => o.scenario === f.scenario && o.contestant === 'read');
      if (f.overRawRead === null || read === undefined) return [];
      return [
        `${f.scenario}: Ferry's verify takes ${f.overRawRead.toFixed(2)}× one raw read of the table on each side ` +
          `(${f.medianWallSeconds.toFixed(2)} s against ${read.medianWallSeconds.toFixed(2)} s; target: at most ${VERIFY_TARGET}×).`,
        '',
      ];
    }),
  ];
  const stamp = new Date().toISOString().slice(0, 16).replace(':', '');
  await writeFile(join(dir, `${stamp}-${source.rows}.json`), `${JSON.stringify({ machine, source, runs, warmUps, results: all }, null, 2)}\n`);
  await writeFile(join(dir, 'latest.md'), lines.join('\n'));
  // In the README the title is a bold line: the README has its own headings.
  if (readme !== undefined) await showInReadme(readme, [`**${(lines[0] ?? '').replace(/^# /, '')}**`, ...lines.slice(1)].join('\n'));
  return lines.join('\n');
}

async function showInReadme(readme: string, table: string): Promise<void> {
  const text = await readFile(readme, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${readme} has no ${README_START} … ${README_END} section for the latest table`);
  await writeFile(readme, `${text.slice(0, start + README_START.length)}\n${table}\n${text.slice(end)}`);
}
