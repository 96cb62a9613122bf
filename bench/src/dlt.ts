import { join } from 'node:path';
import { REPO_ROOT } from '@ferry/test';
import type { Target } from './contestants.ts';
import { measured, type Measurement } from './measure.ts';

/** dlt's venv, from bench/dlt/requirements.txt (scripts/setup-bench-venv.sh, run by scripts/bench.sh). */
const PYTHON = join(REPO_ROOT, '.venv-bench', 'bin', 'python');
const LOAD = join(REPO_ROOT, 'bench', 'dlt', 'load.py');

/**
 * How dlt ships rows to a Postgres destination: INSERT statements (its default) or COPY of CSV
 * files; the same speed at 50k rows here. DuckDB destinations always get Parquet.
 */
export type DltLoaderFileFormat = 'insert_values' | 'csv';

/**
 * dlt as its users run it (bench/dlt/load.py): one pipeline per tenant, `bench_<tenant>`, the
 * sql_table source with the pyarrow backend, merge on `id`, incremental on `updated_at`, into
 * schema `t_<tenant>`, table `messages`; on DuckDB in the file `<target.dir>/<tenant>.duckdb`, as
 * for Ferry, so that duckdbKeyDigest checks both alike. The pipelines keep their state in
 * `pipelinesDir`: run again with the same directory and destination, dlt loads only the rows
 * whose updated_at moved (rows deleted in the source stay in the destination). dlt also restores a
 * pipeline's state from the destination (`_dlt_pipeline_state`) when the directory has none, so
 * an initial load needs an empty directory and a fresh destination. dlt keeps the source's column names (`data`
 * stays `data`) and adds no `_dlt_*` column to Arrow loads; postgresValueDigest verifies it.
 */
export async function runDlt(
  sourceUrl: string,
  tenants: readonly string[],
  target: Target,
  pipelinesDir: string,
  options: { readonly loaderFileFormat?: DltLoaderFileFormat } = {},
): Promise<Measurement> {
  const destination =
    target.kind === 'postgres'
      ? ['--destination', 'postgres', '--destination-url', target.url]
      : ['--destination', 'duckdb', '--duckdb-dir', target.dir];
  const format = options.loaderFileFormat === undefined ? [] : ['--loader-file-format', options.loaderFileFormat];
  return measured(
    PYTHON,
    [LOAD, '--source-url', sourceUrl, '--tenants', tenants.join(','), ...destination, '--pipelines-dir', pipelinesDir, ...format],
    {
      cwd: REPO_ROOT,
      env: { RUNTIME__DLTHUB_TELEMETRY: 'false' },
    },
  );
}
