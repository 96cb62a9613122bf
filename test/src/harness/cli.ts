import type { SampleDataOptions } from '@ferry/sample-data';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

/**
 * A DuckDB source warehouse holding every export model, built in `dir` the way `ferry demo`
 * builds its own (seeded raw data, then the committed `dbt compile` output run on it): a real
 * source for CLI tests that needs no server and no Python. Returns the database file's path,
 * whose name the compiled SQL fixes (it qualifies tables with the file's catalog name).
 */
export async function buildSampleDuckDBSource(dir: string, data: SampleDataOptions): Promise<string> {
  // Loaded on use: most importers of the harness never build one and need not load the demo's code.
  const { buildDemoSource, demoSourcePath } = await import('@ferry/demo/source');
  const path = demoSourcePath(dir);
  await buildDemoSource(join(REPO_ROOT, 'dbt_project', 'compiled', 'duckdb.sql'), path, data);
  return path;
}

/** One pino log line as `ferry sync` writes it to a non-terminal stderr. */
export interface FerryLogLine {
  readonly level: number;
  readonly app: string;
  readonly event: string;
  readonly destination: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/**
 * Parses stderr of a non-TTY `ferry sync` as JSON lines, throwing on the first line that is not
 * JSON: anything else on stderr would break a log shipper.
 */
export function parseLogLines(stderr: string): FerryLogLine[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as FerryLogLine;
      } catch {
        throw new Error(`stderr line is not JSON: ${line}`);
      }
    });
}
